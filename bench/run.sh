#!/usr/bin/env bash
# The benchmark in one command: installs the bench's own npm dependencies,
# builds the engine (native + wasm + the page), generates the data sets, runs
# every engine and the page measurement, and writes bench/results/latest.md and
# bench/results/latest.json (with the ratios).
#
#   bench/run.sh
#   BENCH_SIZES="100000" bench/run.sh        # quick run
#
# Environment: BENCH_SIZES (default "100000 1000000 5000000"), BENCH_SKIP_INSTALL=1,
# BENCH_SKIP_BUILD=1 (use the existing build/, build-wasm/, dist/site/), and the
# variables of bench/bench.mjs (BENCH_WARM, BENCH_PERIODS, BENCH_ENGINES,
# BENCH_PAGE, ...). See bench/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

export BENCH_SIZES="${BENCH_SIZES:-100000 1000000 5000000}"
say() { echo "[run] $*" >&2; }

# 1. The bench's own dependencies (DuckDB-wasm, Perspective, playwright-core), pinned by bench/package-lock.json.
if [ "${BENCH_SKIP_INSTALL:-}" != "1" ]; then
  say "npm ci in bench/"
  (cd bench && npm ci --no-audit --no-fund --loglevel=error)
fi

# 2. The engine: native tree (CLI, demo generator, core library), wasm tree and the page.
if [ "${BENCH_SKIP_BUILD:-}" != "1" ]; then
  if [ -x scripts/build.sh ]; then
    say "scripts/build.sh --wasm"
    scripts/build.sh --wasm
  else
    say "cmake (native and wasm)"
    cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
    cmake --build build -j"$(nproc)"
    NODE_PATH=/usr/share/nodejs emcmake cmake -S . -B build-wasm -DCMAKE_BUILD_TYPE=Release >/dev/null
    NODE_PATH=/usr/share/nodejs cmake --build build-wasm --target clinic_engine clinic_engine_single -j"$(nproc)"
    node scripts/build-web.mjs
  fi
fi
for f in build/clinic-demo-gen build-wasm/clinic_engine.js build-wasm/clinic_engine.wasm dist/site/index.html; do
  [ -e "$f" ] || { say "missing $f: the build did not produce it"; exit 1; }
done

# 3. The native reference bench: bench/native/bench_native.cpp over the same
#    core sources (compiled here, -O3 as the Release build, so it always matches
#    the headers of the working tree).
say "building bench/.build/bench_native"
mkdir -p bench/.build/obj
objs=()
for src in wasm/core/*.cpp bench/native/bench_native.cpp; do
  obj="bench/.build/obj/$(basename "$src" .cpp).o"
  objs+=("$obj")
  if [ ! -e "$obj" ] || [ "$src" -nt "$obj" ] || [ -n "$(find wasm/core -name '*.h' -newer "$obj" | head -n1)" ]; then
    g++ -std=c++20 -O3 -DNDEBUG -Iwasm/core -c "$src" -o "$obj" &
  fi
done
wait
g++ "${objs[@]}" -o bench/.build/bench_native

# 4. The data: the demo generator at each size, JSON and CSV (regenerated when
#    the generator is newer). The generator checks its distinct counts itself.
mkdir -p bench/data
gen=build/clinic-demo-gen
for n in $BENCH_SIZES; do
  json="bench/data/demo-$n.json"
  csv="bench/data/demo-$n-csv"
  common=(--lines "$n" --seed 1 --employees 200 --divisions 20 --years 3)
  if [ ! -s "$json" ] || [ "$gen" -nt "$json" ]; then
    say "generating $json"
    "$gen" "${common[@]}" --format json --out "$json.tmp"
    mv "$json.tmp" "$json"
  fi
  if [ ! -s "$csv/visits.csv" ] || [ "$gen" -nt "$csv/visits.csv" ]; then
    say "generating $csv/"
    rm -rf "$csv.tmp"
    "$gen" "${common[@]}" --format csv --out "$csv.tmp"
    rm -rf "$csv"
    mv "$csv.tmp" "$csv"
  fi
done

# 5. Everything else: bench/bench.mjs (engines, equality check, page, sizes, report).
say "running the engines (this takes long at 5M lines; see bench/README.md)"
CLINIC_ENGINE_DIR="${CLINIC_ENGINE_DIR:-$root/build-wasm}" BENCH_SITE_DIR="${BENCH_SITE_DIR:-$root/dist/site}" \
  node bench/bench.mjs
say "results: bench/results/${BENCH_RESULTS_NAME:-latest}.md and .json"
