#!/usr/bin/env bash
# The whole test suite from a fresh clone: installs what is missing, builds the
# native and WebAssembly trees and the page, then runs every suite:
# native doctest + CLI contract (CTest), the same doctest suite compiled to
# wasm under Node (CTest), the wasm API contract (Node), the page in
# headless Chromium (Playwright), the doctest suite again under ASan and UBSan,
# and each libFuzzer target for a short bounded run.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh
bash scripts/build.sh --wasm

echo "== native: doctest suite, CLI contract against the reference (CTest)"
ctest --test-dir build --output-on-failure

echo "== wasm: the doctest suite compiled to WebAssembly, under Node (CTest)"
ctest --test-dir build-wasm --output-on-failure

echo "== wasm API contract (Node) and the page in Chromium (Playwright)"
CLINIC_REPORT="$PWD/build/clinic-report" node --test tests/node/api.test.mjs tests/e2e/

echo "== sanitizers: the doctest suite under AddressSanitizer and UndefinedBehaviorSanitizer (CTest)"
cmake -S . -B build-asan -DCLINIC_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug >/dev/null
cmake --build build-asan -j"$(nproc 2>/dev/null || echo 2)" --target clinic_unit_tests
ctest --test-dir build-asan -R '^unit$' --output-on-failure

echo "== fuzzing: each libFuzzer target for 20 s, seeded with tests/corpus (scripts/fuzz.sh)"
bash scripts/fuzz.sh 20
