#!/usr/bin/env bash
# Builds the folder the kibitz binary serves at /admin/ (--admin-ui, default build/admin-ui):
# the Admin UI's own bundle (node_modules/@socket.io/admin-ui/ui/dist, without source maps) with
# the two links index.html makes to the internet served locally instead, so the UI works with
# no network: Material Design Icons from node_modules/@mdi/font (mdi/), and Roboto from Debian's
# fonts-roboto-unhinted (roboto/, with a stylesheet written here). Idempotent; the folder is
# generated, never committed.
#   scripts/admin-ui.sh [OUT_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."

out=${1:-build/admin-ui}
ui=node_modules/@socket.io/admin-ui/ui/dist
mdi=node_modules/@mdi/font
roboto=/usr/share/fonts/truetype/roboto/unhinted/RobotoTTF
for need in "$ui/index.html" "$mdi/css/materialdesignicons.min.css"; do
    if [ ! -f "$need" ]; then
        echo "admin-ui: $need is missing (npm ci)" >&2
        exit 1
    fi
done

mkdir -p "$(dirname "${out%/}")"
tmp=$(mktemp -d "${out%/}.tmp.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
cp -R "$ui/." "$tmp/"
find "$tmp" -name '*.map' -delete
mkdir -p "$tmp/mdi/css" "$tmp/mdi/fonts"
cp "$mdi/css/materialdesignicons.min.css" "$tmp/mdi/css/"
# Browsers take the woff2 (woff for older ones); the eot and ttf the stylesheet also names are
# left out (1.3 MB each, for IE and very old browsers).
cp "$mdi/fonts/materialdesignicons-webfont.woff2" "$mdi/fonts/materialdesignicons-webfont.woff" \
    "$tmp/mdi/fonts/"
cp "$mdi/LICENSE" "$tmp/mdi/"

# Roboto in the weights index.html asks Google for (100,300,400,500,700,900).
mkdir -p "$tmp/roboto"
css="$tmp/roboto/roboto.css"
: > "$css"
for pair in 100:Thin 300:Light 400:Regular 500:Medium 700:Bold 900:Black; do
    weight=${pair%%:*}
    name=${pair#*:}
    if [ -f "$roboto/Roboto-$name.ttf" ]; then
        cp "$roboto/Roboto-$name.ttf" "$tmp/roboto/"
        printf '@font-face{font-family:"Roboto";font-style:normal;font-weight:%s;src:url("Roboto-%s.ttf") format("truetype")}\n' \
            "$weight" "$name" >> "$css"
    fi
done
[ -s "$css" ] || echo "admin-ui: $roboto missing (fonts-roboto-unhinted): the UI falls back to sans-serif" >&2

# The two internet links become local ones (the rest of index.html is relative already).
sed -i \
    -e 's#https://fonts.googleapis.com/css?family=Roboto:100,300,400,500,700,900#roboto/roboto.css#' \
    -e 's#https://cdn.jsdelivr.net/npm/@mdi/font@latest/css/materialdesignicons.min.css#mdi/css/materialdesignicons.min.css#' \
    "$tmp/index.html"
if grep -q 'https://' "$tmp/index.html"; then
    echo "admin-ui: index.html still links the internet:" >&2
    grep -o 'https://[^"]*' "$tmp/index.html" >&2
    exit 1
fi

rm -rf "$out"
mkdir -p "$(dirname "$out")"
mv "$tmp" "$out"
trap - EXIT
