#!/usr/bin/env bash
# Installs what the build and the tests need on Debian 12, idempotently:
# Debian packages (only the missing ones) and the npm dev dependencies from
# package-lock.json. Safe to run again; does nothing when all is there.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(cmake make g++ clang libclang-rt-14-dev emscripten nlohmann-json3-dev doctest-dev chromium)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)

if ((${#missing[@]})); then
  sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo"
  echo "setup: installing ${missing[*]}"
  $sudo apt-get update
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y "${missing[@]}"
fi

if [ -f package-lock.json ]; then
  # Reinstall only when the lock file changed since the last install.
  lock_sha=$(sha256sum package-lock.json | cut -d' ' -f1)
  if [ "$(cat node_modules/.lock-sha 2>/dev/null)" != "$lock_sha" ]; then
    npm ci --no-audit --no-fund
    echo "$lock_sha" > node_modules/.lock-sha
  fi
fi
