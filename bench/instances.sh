#!/usr/bin/env bash
# Two Easel instances on one PostgreSQL against one, on loopback.
#
#   bench/instances.sh
#
# Starts a throwaway PostgreSQL, seeds it through instance A (as
# bench/run.sh does, with BENCH_WORKSPACES/BENCH_IMAGES), then measures the
# gallery and a post page with wrk: first A alone at 32 connections, then A
# and B at once, 16 connections each (the same 32 in all), summing req/s and
# taking the worse p99. Needs wrk; everything stops by itself.
set -euo pipefail
cd "$(dirname "$0")/.."

workspaces=${BENCH_WORKSPACES:-20}
images=${BENCH_IMAGES:-2000}
duration=${BENCH_DURATION:-10s}
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
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

command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk" >&2; exit 1; }
[ -n "${BENCH_SKIP_BUILD:-}" ] || cargo build --release --quiet --bin easel --example seed

pg_bin=$(dirname "$(command -v initdb || ls /usr/lib/postgresql/*/bin/initdb | sort -V | tail -n1)")
as_pg=()
if [ "$(id -u)" = 0 ]; then as_pg=(runuser -u postgres --); chown postgres "$work"; fi
"${as_pg[@]}" "$pg_bin/initdb" -D "$work/pg" -U postgres --auth=trust --no-sync >/dev/null
pg_port=$(free_port)
"${as_pg[@]}" "$pg_bin/postgres" -D "$work/pg" -p "$pg_port" -h 127.0.0.1 -k "$work" -c fsync=off \
  -c max_connections=200 >"$work/pg.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do pg_isready -q -h 127.0.0.1 -p "$pg_port" -U postgres && break; sleep 0.1; done
psql -q -h 127.0.0.1 -p "$pg_port" -U postgres -c "CREATE ROLE easel LOGIN PASSWORD 'easel'" \
     -c "CREATE DATABASE easel OWNER easel"
database_url="postgres://easel:easel@127.0.0.1:$pg_port/easel"
key=$(head -c 32 /dev/urandom | base64)

start() {
  local name=$1 port=$2
  DATABASE_URL="$database_url" EASEL_BIND="127.0.0.1:$port" EASEL_DATA_DIR="$work/data-$name" \
    EASEL_UPLOADS_DIR="$work/uploads" EASEL_SECRET_KEY="$key" EASEL_SIGNIN_LIMIT=100000000 \
    EASEL_MAX_OWNED_WORKSPACES=100000 RUST_LOG=warn target/release/easel serve >"$work/server-$name.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
}
port_a=$(free_port)
port_b=$(free_port)
start a "$port_a"

echo "== seeding $workspaces workspaces, $images images (postgres, through A)"
target/release/examples/seed "http://127.0.0.1:$port_a" "$workspaces" "$images" > "$work/seed.out"
cookie=$(grep '^cookie=' "$work/seed.out" | cut -d= -f2-)
post=$(grep '^post_id=' "$work/seed.out" | cut -d= -f2-)
start b "$port_b"

cat > "$work/p99.lua" <<'LUA'
done = function(summary, latency, requests)
  io.write(string.format("p99 %.2f\n", latency:percentile(99) / 1000))
end
LUA
run_wrk() { wrk -t1 -c"$2" -d"$duration" -s "$work/p99.lua" -H "Cookie: $cookie" "http://127.0.0.1:$1$3"; }
rps() { awk '/Requests\/sec/ {print $2}' "$1"; }
p99() { awk '$1=="p99" {print $2}' "$1"; }

measure() {
  local name=$1 path=$2
  run_wrk "$port_a" 32 "$path" >"$work/one.out"
  run_wrk "$port_a" 16 "$path" >"$work/two-a.out" &
  local first=$!
  run_wrk "$port_b" 16 "$path" >"$work/two-b.out"
  wait "$first"
  local sum worst
  sum=$(awk -v a="$(rps "$work/two-a.out")" -v b="$(rps "$work/two-b.out")" 'BEGIN {printf "%.1f", a + b}')
  worst=$(awk -v a="$(p99 "$work/two-a.out")" -v b="$(p99 "$work/two-b.out")" 'BEGIN {print (a > b ? a : b)}')
  printf '| %-20s | %10s | %9sms | %10s | %9sms |\n' "$name" "$(rps "$work/one.out")" "$(p99 "$work/one.out")" "$sum" "$worst"
}

echo "== wrk, 32 connections in all, $duration each, $(nproc) CPUs"
printf '| %-20s | %10s | %11s | %10s | %11s |\n' "page" "one req/s" "one p99" "two req/s" "two p99"
measure "gallery (first page)" "/images"
measure "a post" "/events/$post"
