#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (-fsanitize=fuzzer,address,undefined)
# into build-fuzz/ and runs each for a bounded time, seeded with the
# hostile-input corpus (tests/corpus) and the fixtures:
#
#   bash scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]
#
# SECONDS_PER_TARGET defaults to 30; scripts/test.sh uses 20. For a long
# campaign (docs/limits.md): bash scripts/fuzz.sh 14400
# Targets: fuzz_json fuzz_csv fuzz_options fuzz_json_differential (default: all).
#
# New inputs are kept in build-fuzz/corpus/<target>/ (so a later run goes on
# from there), crashes in build-fuzz/crashes/<target>/, logs in
# build-fuzz/logs/. Exits non-zero if any target crashed, hung or leaked.
# Reproduce a crash: build-fuzz/tests/fuzz/<target> build-fuzz/crashes/<target>/crash-...
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-30}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(fuzz_json fuzz_csv fuzz_options fuzz_json_differential)
jobs=$(nproc 2>/dev/null || echo 2)

# libFuzzer's runtime comes with Debian's libclang-rt-14-dev (a recommended
# package of clang, so usually there already).
if [ ! -f "$(clang++ -print-file-name=libclang_rt.fuzzer-x86_64.a)" ]; then
  sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo"
  echo "fuzz: installing libclang-rt-14-dev (libFuzzer)"
  $sudo apt-get update
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y libclang-rt-14-dev
fi

CC=clang CXX=clang++ cmake -S . -B build-fuzz -DCLINIC_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build-fuzz --target clinic_fuzz_targets -j"$jobs"
node tests/fuzz/make-seeds.mjs build-fuzz/seeds >/dev/null

failed=()
for target in "${targets[@]}"; do
  corpus=build-fuzz/corpus/$target
  crashes=build-fuzz/crashes/$target
  log=build-fuzz/logs/$target.log
  mkdir -p "$corpus" "$crashes" build-fuzz/logs build-fuzz/seeds/$target
  args=(-max_total_time="$seconds" -print_final_stats=1 -timeout=10 -rss_limit_mb=3072
    -artifact_prefix="$crashes/")
  case $target in
    fuzz_json | fuzz_json_differential) args+=(-dict=tests/fuzz/json.dict -max_len=16384) ;;
    fuzz_csv) args+=(-dict=tests/fuzz/csv.dict -max_len=16384) ;;
    fuzz_options) args+=(-max_len=256) ;;
  esac
  before=$(find "$crashes" -type f | wc -l)
  echo "== $target: ${seconds}s"
  status=0
  "build-fuzz/tests/fuzz/$target" "${args[@]}" "$corpus" "build-fuzz/seeds/$target" >"$log" 2>&1 || status=$?
  after=$(find "$crashes" -type f | wc -l)
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  echo "   executions: ${runs:-?}, corpus: $(find "$corpus" -type f | wc -l) inputs, exit status $status"
  if [ "$status" -ne 0 ] || [ "$after" -gt "$before" ]; then
    grep -E 'INVARIANT BROKEN|ERROR: |SUMMARY: ' "$log" | head -5 || true
    echo "   FAILED: see $log and $crashes/"
    failed+=("$target")
  fi
done

if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: ${failed[*]} failed"
  exit 1
fi
echo "fuzz: every target ran ${seconds}s without a crash"
