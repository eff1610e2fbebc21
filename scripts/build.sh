#!/usr/bin/env bash
# Builds the native tree (engine, CLI, tests, demo generator) into build/.
# With --wasm also the WebAssembly tree into build-wasm/ and the page into dist/.
set -euo pipefail
cd "$(dirname "$0")/.."

jobs=$(nproc 2>/dev/null || echo 2)
extra=()
[ "${CI:-}" = "true" ] && extra+=(-DCLINIC_WERROR=ON)

cmake -S . -B build -DCMAKE_BUILD_TYPE=Release "${extra[@]}" >/dev/null
cmake --build build -j"$jobs"

if [ "${1:-}" = "--wasm" ]; then
  # Debian's emcc needs Node to find acorn when it optimises JS.
  export NODE_PATH=/usr/share/nodejs
  emcmake cmake -S . -B build-wasm -DCMAKE_BUILD_TYPE=Release "${extra[@]}" >/dev/null
  cmake --build build-wasm -j"$jobs"
  node scripts/build-web.mjs
fi
