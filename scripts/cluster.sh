#!/usr/bin/env bash
# `make cluster`: a Kibitz cluster on loopback to try by hand. Starts a Redis, a PostgreSQL 15,
# two kibitz nodes (--redis, --postgres) and HAProxy in front of them (deploy/haproxy.cfg,
# sticky sessions by cookie), prints the URLs, and on Ctrl-C (or when any of them exits) stops
# every process it started, by its PID, and removes its temporary folder.
#
#   KIBITZ_BIN            the binary (default build/bin/kibitz, the release build)
#   KIBITZ_CLUSTER_PORT   the load balancer's port (8080)
#   KIBITZ_NODE1_PORT     the nodes' own ports (3001, 3002)
#   KIBITZ_NODE2_PORT
# Redis and PostgreSQL listen on free ports of 127.0.0.1. As root, PostgreSQL runs as the
# `postgres` user (initdb refuses root).
set -euo pipefail
cd "$(dirname "$0")/.."

bin="${KIBITZ_BIN:-build/bin/kibitz}"
lb_port="${KIBITZ_CLUSTER_PORT:-8080}"
node_ports=("${KIBITZ_NODE1_PORT:-3001}" "${KIBITZ_NODE2_PORT:-3002}")
host=127.0.0.1
[ -x "$bin" ] || { echo "cluster: $bin not found (make build, or set KIBITZ_BIN)" >&2; exit 1; }
for tool in redis-server haproxy pg_config; do
    command -v "$tool" >/dev/null || { echo "cluster: $tool is missing (scripts/deps.sh test)" >&2; exit 1; }
done
pg_bin="$(pg_config --bindir)"
[ -x "$pg_bin/initdb" ] || pg_bin=/usr/lib/postgresql/15/bin

dir="$(mktemp -d "${TMPDIR:-/tmp}/kibitz-cluster.XXXXXX")"
pids=()     # every process started here, in start order
names=()

stop_all() {
    trap - EXIT INT TERM
    echo
    echo "cluster: stopping"
    # Last started first: HAProxy, the nodes (they drain their store), PostgreSQL, Redis.
    for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
        local sig=TERM
        [ "${names[i]}" = postgres ] && sig=INT # PostgreSQL's fast shutdown
        kill -"$sig" "${pids[i]}" 2>/dev/null || true
        wait "${pids[i]}" 2>/dev/null || true
    done
    rm -rf "$dir"
}
trap stop_all EXIT
trap 'stop_all; exit 130' INT TERM

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

started() { # name pid
    names+=("$1")
    pids+=("$2")
}

# Polls `check` (a command) until it succeeds, for at most 20 s.
wait_for() {
    local what="$1"
    shift
    for _ in $(seq 200); do
        if "$@" >/dev/null 2>&1; then return 0; fi
        sleep 0.1
    done
    echo "cluster: $what did not come up (logs in $dir)" >&2
    exit 1
}

# As root, PostgreSQL runs as `postgres`; setpriv execs, so $! is the postmaster's own PID.
as_postgres=()
[ "$(id -u)" = 0 ] && as_postgres=(setpriv --reuid=postgres --regid=postgres --init-groups --)

redis_port="$(free_port)"
redis-server --port "$redis_port" --bind "$host" --save '' --appendonly no >"$dir/redis.log" 2>&1 &
started redis $!
wait_for Redis redis-cli -h "$host" -p "$redis_port" ping

pg_port="$(free_port)"
if [ "$(id -u)" = 0 ]; then
    chown postgres:postgres "$dir"
    runuser -u postgres -- "$pg_bin/initdb" -D "$dir/pg" -A trust -U kibitz -E UTF8 --no-sync \
        --no-instructions >"$dir/initdb.log"
else
    "$pg_bin/initdb" -D "$dir/pg" -A trust -U kibitz -E UTF8 --no-sync --no-instructions >"$dir/initdb.log"
fi
"${as_postgres[@]}" "$pg_bin/postgres" -D "$dir/pg" -p "$pg_port" -k "$dir" \
    -c listen_addresses="$host" >"$dir/postgres.log" 2>&1 &
started postgres $!
wait_for PostgreSQL "$pg_bin/pg_isready" -h "$host" -p "$pg_port" -q
"$pg_bin/createdb" -h "$host" -p "$pg_port" -U kibitz kibitz

redis_url="redis://$host:$redis_port"
pg_url="postgresql://kibitz@$host:$pg_port/kibitz"
for i in 0 1; do
    mkdir -p "$dir/node$((i + 1))"
    "$bin" --host "$host" --port "${node_ports[i]}" --data "$dir/node$((i + 1))" \
        --postgres "$pg_url" --redis "$redis_url" >"$dir/node$((i + 1)).log" 2>&1 &
    started "node$((i + 1))" $!
done
for port in "${node_ports[@]}"; do
    wait_for "the node on port $port" curl -fsS "http://$host:$port/healthz"
done

KIBITZ_LB_BIND="$host:$lb_port" KIBITZ_NODE1="$host:${node_ports[0]}" \
    KIBITZ_NODE2="$host:${node_ports[1]}" haproxy -db -f deploy/haproxy.cfg >"$dir/haproxy.log" 2>&1 &
started haproxy $!
wait_for HAProxy curl -fsS "http://$host:$lb_port/healthz"

cat <<EOF
Kibitz cluster (logs in $dir):
  through HAProxy   http://$host:$lb_port/chat/    http://$host:$lb_port/chess/
  node 1            http://$host:${node_ports[0]}/chat/    http://$host:${node_ports[0]}/chess/
  node 2            http://$host:${node_ports[1]}/chat/    http://$host:${node_ports[1]}/chess/
  Redis             $redis_url
  PostgreSQL        $pg_url
The chat is one chat across both nodes, and chess too: open them on node 1 and node 2 (a game
created on one node is played and watched from the other). Ctrl-C stops everything.
EOF

# Until Ctrl-C, or until one of them exits.
set +e
wait -n "${pids[@]}"
for i in "${!pids[@]}"; do
    if ! kill -0 "${pids[i]}" 2>/dev/null; then
        echo "cluster: ${names[i]} exited; see $dir/${names[i]}.log" >&2
        tail -n 20 "$dir/${names[i]}.log" >&2 || true
    fi
done
