#!/usr/bin/env bash
# `cmake --install` of the binary and its files into a temporary prefix: checks that the binary,
# the web pages, the Socket.IO client bundle, the Admin UI bundle (with its local fonts) and the
# systemd unit (with its hardening options) are there, then runs the installed binary against
# the installed files only and fetches a page, the client bundle and /admin/ from it.
#   tests/package/test_install.sh BUILD_DIR
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "$1" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"; [ -n "${pid:-}" ] && kill -TERM "$pid" 2>/dev/null || true' EXIT
fail() { echo "test_install: $*" >&2; exit 1; }

prefix="$work/prefix"
cmake --install "$build" --prefix "$prefix" >/dev/null
share="$prefix/share/kibitz"
for f in bin/kibitz share/kibitz/web/index.html share/kibitz/client-dist/socket.io.min.js \
         share/kibitz/admin-ui/index.html share/kibitz/admin-ui/mdi/css/materialdesignicons.min.css \
         share/kibitz/admin-ui/mdi/fonts/materialdesignicons-webfont.woff2 \
         share/kibitz/admin-ui/roboto/roboto.css lib/systemd/system/kibitz.service \
         share/kibitz/deploy/kibitz.env share/kibitz/deploy/nginx.conf \
         share/kibitz/deploy/haproxy.cfg; do
    [ -e "$prefix/$f" ] || fail "missing $f"
done
[ -x "$prefix/bin/kibitz" ] || fail "bin/kibitz is not executable"
! grep -q 'https://' "$share/admin-ui/index.html" || fail "the admin UI links the internet"
! find "$share/admin-ui" -name '*.map' | grep -q . || fail "source maps installed"
unit="$prefix/lib/systemd/system/kibitz.service"
for key in DynamicUser=yes ProtectSystem=strict StateDirectory=kibitz LimitNOFILE= \
           NoNewPrivileges=yes 'ExecStart=/' 'ExecReload=/bin/kill -HUP'; do
    grep -q "^$key" "$unit" || fail "kibitz.service lacks $key"
done
! grep -q '@[A-Z_]*@' "$unit" || fail "kibitz.service has unfilled @VARIABLES@"
if command -v systemd-analyze >/dev/null 2>&1; then
    # Checks the syntax; the paths are those of the configured prefix, not this temporary one.
    systemd-analyze verify --man=no "$unit" 2>&1 | grep -v -e 'not executable' -e 'No such file' \
        -e 'Failed to create' -e 'Unit is bound' -e 'kibitz.service: Command' >&2 || true
fi

# The installed binary with the installed files only.
"$prefix/bin/kibitz" --port 0 --data "$work/data" --web "$share/web" \
    --client-dist "$share/client-dist" --admin-ui "$share/admin-ui" --admin-auth off \
    --log-level warn >"$work/out" 2>"$work/err" &
pid=$!
for _ in $(seq 200); do grep -q listening "$work/out" && break; sleep 0.05; done
url=$(grep -o 'http://[0-9.]*:[0-9]*' "$work/out") || fail "no listening line: $(cat "$work/err")"
get() { curl -fsS -o /dev/null -w '%{http_code}' "$url$1"; }
[ "$(get /)" = 200 ] || fail "/ not served"
[ "$(get /socket.io/socket.io.min.js)" = 200 ] || fail "the client bundle not served"
[ "$(get /admin/)" = 200 ] || fail "/admin/ not served"
[ "$(get /admin/mdi/css/materialdesignicons.min.css)" = 200 ] || fail "the icons not served"
curl -fsS "$url/admin/" | grep -q 'Socket.IO Admin UI' || fail "/admin/ is not the Admin UI"
kill -TERM "$pid"
wait "$pid" || fail "kibitz did not exit 0 on SIGTERM"
pid=
echo "test_install: ok"
