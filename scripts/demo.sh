#!/usr/bin/env bash
# The main job on the bundled demo export: installs what is missing, builds,
# prints the import summary and the four reports.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh
bash scripts/build.sh

demo=web/demo/clinic-demo.json
for command in summary rating divisions loyalty revenue; do
  echo
  echo "== clinic-report $command $demo"
  case "$command" in
    rating|divisions) build/clinic-report "$command" --top 15 "$demo" ;;
    *) build/clinic-report "$command" "$demo" ;;
  esac
done
