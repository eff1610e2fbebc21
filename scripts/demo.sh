#!/usr/bin/env bash
# The main job on the bundled demo export: installs what is missing, builds the
# engine, the CLI and the page, prints the import summary and the four reports
# from the CLI, then serves the page on localhost (Ctrl+C stops it).
#   PORT=9000 bash scripts/demo.sh     another port
#   NO_SERVE=1 bash scripts/demo.sh    build and print only
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh
bash scripts/build.sh --wasm

demo=web/demo/clinic-demo.json
for command in summary rating divisions loyalty revenue; do
  echo
  echo "== build/clinic-report $command $demo"
  case "$command" in
    rating|divisions) build/clinic-report "$command" --top 15 "$demo" ;;
    *) build/clinic-report "$command" "$demo" ;;
  esac
done

echo
echo "The single-file page (works opened from disk, no server): $PWD/dist/clinic-report.html"
if [ -z "${NO_SERVE:-}" ]; then
  exec node scripts/serve.mjs "${PORT:-8080}"
fi
