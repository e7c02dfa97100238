#!/usr/bin/env bash
# Copies the browser files the pages need from node_modules/ into web/vendor/ (the server serves
# static files only from web/). Run after `npm install`; idempotent, copies only what changed.
#   web/vendor/chessground/: chessground.min.js (ES module) and its base, board and piece CSS.
set -euo pipefail
cd "$(dirname "$0")/.."

src=node_modules/chessground
if [ ! -f "$src/dist/chessground.min.js" ]; then
    echo "web-assets: $src is missing (npm install)" >&2
    exit 1
fi
dest=web/vendor/chessground
mkdir -p "$dest"
for f in dist/chessground.min.js assets/chessground.base.css assets/chessground.brown.css \
         assets/chessground.cburnett.css LICENSE; do
    cp -u "$src/$f" "$dest/"
done
