#!/usr/bin/env bash
# One Easel instance against two, on one PostgreSQL, on this machine.
#
#   bench/instances.sh
#
# Seeds a workspace (BENCH_IMAGES images, default 2,000, and posts) through
# instance A, starts instance B on the same database, key and files, then
# measures the gallery and a post page with wrk: first A alone (32
# connections), then A and B at once (16 connections each, summed), so the
# load offered is the same. Everything runs on 127.0.0.1 and stops by itself.
set -euo pipefail
cd "$(dirname "$0")/.."

images=${BENCH_IMAGES:-2000}
duration=${BENCH_DURATION:-10s}
work=$(mktemp -d /tmp/easel-instances.XXXXXX)
chmod 755 "$work"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  if [ -f "$work/pg/postmaster.pid" ]; then kill -INT "$(head -n1 "$work/pg/postmaster.pid")" 2>/dev/null || true; fi
  for _ in $(seq 50); do pgrep -f "$work" >/dev/null || break; sleep 0.1; done
  rm -rf "$work"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk" >&2; exit 1; }
cargo build --release --quiet --bin easel --example seed

pg_bin=$(dirname "$(command -v initdb || ls /usr/lib/postgresql/*/bin/initdb | sort -V | tail -n1)")
as_pg=()
if [ "$(id -u)" = 0 ]; then as_pg=(runuser -u postgres --); chown postgres "$work"; fi
"${as_pg[@]}" "$pg_bin/initdb" -D "$work/pg" -U postgres --auth=trust --no-sync >/dev/null
pg_port=$(free_port)
"${as_pg[@]}" "$pg_bin/postgres" -D "$work/pg" -p "$pg_port" -h 127.0.0.1 -k "$work" -c fsync=off >"$work/pg.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do pg_isready -q -h 127.0.0.1 -p "$pg_port" -U postgres && break; sleep 0.1; done
psql -q -h 127.0.0.1 -p "$pg_port" -U postgres -c "CREATE ROLE easel LOGIN PASSWORD 'easel'" \
     -c "CREATE DATABASE easel OWNER easel"
database_url="postgres://easel:easel@127.0.0.1:$pg_port/easel"

start() {
  local port=$1
  DATABASE_URL="$database_url" EASEL_BIND="127.0.0.1:$port" EASEL_DATA_DIR="$work/data" \
    EASEL_UPLOADS_DIR="$work/uploads" EASEL_SIGNIN_LIMIT=100000000 EASEL_MAX_OWNED_WORKSPACES=100000 RUST_LOG=warn \
    "${BENCH_BIN:-target/release/easel}" serve >"$work/server-$port.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
}
a=$(free_port); start "$a"
echo "== seeding 1 workspace, $images images, through instance A"
target/release/examples/seed "http://127.0.0.1:$a" 1 "$images" > "$work/seed.out"
cookie=$(grep '^cookie=' "$work/seed.out" | cut -d= -f2-)
post=$(grep '^post_id=' "$work/seed.out" | cut -d= -f2-)
b=$(free_port); start "$b"

cat > "$work/p.lua" <<'LUA'
done = function(summary, latency, requests)
  io.write(string.format("p99 %.2f\n", latency:percentile(99) / 1000))
end
LUA
run() { wrk -t1 -c"$1" -d"$duration" -s "$work/p.lua" -H "Cookie: $cookie" "http://127.0.0.1:$2$3"; }
rps() { awk '/Requests\/sec/ {print $2}' "$1"; }
p99() { awk '$1=="p99" {print $2}' "$1"; }
measure() {
  local name=$1 path=$2
  run 32 "$a" "$path" > "$work/one"
  run 16 "$a" "$path" > "$work/twoA" &
  local other=$!
  run 16 "$b" "$path" > "$work/twoB"
  wait "$other"
  local sum
  sum=$(awk -v x="$(rps "$work/twoA")" -v y="$(rps "$work/twoB")" 'BEGIN {printf "%.0f", x + y}')
  printf '| %-10s | %10.0f | %8s ms | %10s | %8s / %s ms |\n' "$name" "$(rps "$work/one")" "$(p99 "$work/one")" \
    "$sum" "$(p99 "$work/twoA")" "$(p99 "$work/twoB")"
}
echo "== wrk, 32 connections in all, $duration each"
printf '| %-10s | %10s | %11s | %10s | %19s |\n' page "one: req/s" "one: p99" "two: req/s" "two: p99 (A / B)"
measure gallery /images
measure post "/events/$post"
