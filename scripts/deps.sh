#!/usr/bin/env bash
# Installs what Kibitz needs and is missing, and stays quiet when everything is present.
#   scripts/deps.sh build   compilers, CMake, Ninja, Boost, JSON, SQLite, libpq, GoogleTest, npm packages
#   scripts/deps.sh test    build, plus the clients, tools and servers the tests use (PostgreSQL 15)
# Idempotent: run it as often as you like. Needs root (or sudo) only when something is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

what=${1:-build}
build_pkgs=(g++ cmake ninja-build make pkg-config libboost-dev nlohmann-json3-dev libgtest-dev
    libsqlite3-dev libicu-dev libpq-dev libssl-dev zlib1g-dev libcrypt-dev fonts-roboto-unhinted)
test_pkgs=(clang libclang-rt-14-dev clang-format python3 python3-socketio python3-engineio
    python3-requests python3-websocket stockfish chromium fonts-dejavu-core postgresql-15
    haproxy nginx redis-server openssl python3-prometheus-client)

pkgs=("${build_pkgs[@]}")
[ "$what" = test ] && pkgs+=("${test_pkgs[@]}")

# Node.js and npm may come from elsewhere than Debian (whose npm conflicts with such a nodejs):
# ask for Debian's only when the commands are missing.
command -v node >/dev/null 2>&1 || pkgs+=(nodejs)
command -v npm >/dev/null 2>&1 || pkgs+=(npm)

missing=()
for p in "${pkgs[@]}"; do
    status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
    [ "$status" = "install ok installed" ] || missing+=("$p")
done

if [ ${#missing[@]} -gt 0 ]; then
    echo "deps: installing ${missing[*]}"
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo=sudo
    export DEBIAN_FRONTEND=noninteractive
    $sudo apt-get update -qq
    $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# npm packages: the test clients and the browser bundles the pages serve. Reinstalled only
# when package-lock.json changed since the last install.
stamp=node_modules/.kibitz-lock-sha
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    echo "deps: npm ci"
    npm ci --no-audit --no-fund --loglevel=error >/dev/null
    echo "$want" > "$stamp"
fi

# Browser files the pages serve from web/vendor/ (copied from node_modules; idempotent).
scripts/web-assets.sh
# The Admin UI bundle the binary serves at /admin/ (build/admin-ui, with its fonts local).
scripts/admin-ui.sh build/admin-ui
