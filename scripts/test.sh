#!/usr/bin/env bash
# The whole test suite from a fresh clone: installs what is missing, builds,
# then runs the native doctest suite and the CLI contract tests (CTest).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh
bash scripts/build.sh

echo "== native tests (doctest + CLI contract, via CTest)"
ctest --test-dir build --output-on-failure
