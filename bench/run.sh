#!/usr/bin/env bash
# Load figures for Easel, against the release binary on loopback.
#
#   bench/run.sh [sqlite|postgres]      (default sqlite)
#
# Seeds 100 workspaces (one with 10,000 images and 2,000 posts) over HTTP,
# times the ingest of a 24-megapixel JPEG, then measures with wrk at 32
# connections (p50, p99, p99.9) and sign-ins with the seed example. Needs
# wrk (apt-get install wrk); for postgres, initdb/postgres as for the tests.
# Everything runs on 127.0.0.1 and stops by itself. BENCH_BIN=path measures
# another build of easel (e.g. the previous commit's) with the same seeder.
set -euo pipefail
cd "$(dirname "$0")/.."

backend=${1:-sqlite}
workspaces=${BENCH_WORKSPACES:-100}
images=${BENCH_IMAGES:-10000}
duration=${BENCH_DURATION:-10s}
connections=32
port=${BENCH_PORT:-$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}
work=$(mktemp -d /tmp/easel-bench.XXXXXX)
chmod 755 "$work"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  # runuser does not pass the signal on: stop PostgreSQL by its own pid.
  if [ -f "$work/pg/postmaster.pid" ]; then kill -INT "$(head -n1 "$work/pg/postmaster.pid")" 2>/dev/null || true; fi
  for _ in $(seq 50); do pgrep -f "$work" >/dev/null || break; sleep 0.1; done
  rm -rf "$work"
}
trap cleanup EXIT

command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk" >&2; exit 1; }
cargo build --release --quiet --bin easel --example seed

case "$backend" in
  sqlite) database_url="sqlite://$work/easel.db" ;;
  postgres)
    pg_bin=$(dirname "$(command -v initdb || ls /usr/lib/postgresql/*/bin/initdb | sort -V | tail -n1)")
    as_pg=()
    if [ "$(id -u)" = 0 ]; then as_pg=(runuser -u postgres --); chown postgres "$work"; fi
    "${as_pg[@]}" "$pg_bin/initdb" -D "$work/pg" -U postgres --auth=trust --no-sync >/dev/null
    pg_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    "${as_pg[@]}" "$pg_bin/postgres" -D "$work/pg" -p "$pg_port" -h 127.0.0.1 -k "$work" -c fsync=off >"$work/pg.log" 2>&1 &
    pids+=($!)
    for _ in $(seq 100); do pg_isready -q -h 127.0.0.1 -p "$pg_port" -U postgres && break; sleep 0.1; done
    psql -q -h 127.0.0.1 -p "$pg_port" -U postgres -c "CREATE ROLE easel LOGIN PASSWORD 'easel'" \
         -c "CREATE DATABASE easel OWNER easel"
    database_url="postgres://easel:easel@127.0.0.1:$pg_port/easel"
    ;;
  *) echo "usage: bench/run.sh [sqlite|postgres]" >&2; exit 2 ;;
esac

DATABASE_URL="$database_url" EASEL_BIND="127.0.0.1:$port" EASEL_DATA_DIR="$work/data" \
  EASEL_UPLOADS_DIR="$work/uploads" EASEL_SIGNIN_LIMIT=100000000 EASEL_MAX_OWNED_WORKSPACES=100000 RUST_LOG=warn "${BENCH_BIN:-target/release/easel}" serve >"$work/server.log" 2>&1 &
server=$!
pids+=($server)
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done

echo "== seeding $workspaces workspaces, $images images ($backend)"
target/release/examples/seed "http://127.0.0.1:$port" "$workspaces" "$images" > "$work/seed.out" || { tail -20 "$work/server.log" >&2; exit 1; }
cat "$work/seed.out" | grep -v '^cookie=' || true
cookie=$(grep '^cookie=' "$work/seed.out" | cut -d= -f2-)
image=$(grep '^image_id=' "$work/seed.out" | cut -d= -f2-)
calendar=$(grep '^calendar_id=' "$work/seed.out" | cut -d= -f2-)
post=$(grep '^post_id=' "$work/seed.out" | cut -d= -f2-)

# wrk's own summary stops at p99: this script prints p50, p99 and p99.9.
cat > "$work/percentiles.lua" <<'LUA'
done = function(summary, latency, requests)
  for _, p in ipairs({50, 99, 99.9}) do
    io.write(string.format("p%s %.2fms\n", p, latency:percentile(p) / 1000))
  end
end
LUA

measure() {
  local name=$1 path=$2
  local out
  out=$(wrk -t2 -c"$connections" -d"$duration" -s "$work/percentiles.lua" -H "Cookie: $cookie" "http://127.0.0.1:$port$path")
  local rps p50 p99 p999 non2xx
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1=="p50" {print $2}' <<<"$out")
  p99=$(awk '$1=="p99" {print $2}' <<<"$out")
  p999=$(awk '$1=="p99.9" {print $2}' <<<"$out")
  non2xx=$(awk '/Non-2xx/ {print $4}' <<<"$out")
  printf '| %-24s | %10s | %9s | %9s | %9s | %s\n' "$name" "$rps" "$p50" "$p99" "$p999" "${non2xx:+non-2xx: $non2xx}"
}

# The first request for each artwork's 4:5 rendition decodes, crops and
# encodes it; one at a time over the gallery's first page.
cold_renditions() {
  local ids times
  ids=$(curl -sf -H "Cookie: $cookie" "http://127.0.0.1:$port/images" | grep -o '/images/[0-9a-f-]\{36\}' | sort -u | cut -d/ -f3)
  times=$(for id in $ids; do
    curl -sf -o /dev/null -w '%{time_total}\n' -H "Cookie: $cookie" "http://127.0.0.1:$port/media/$id/crop/portrait"
  done | sort -n)
  awk '{t[NR]=$1; s+=$1} END {if (NR) printf "| %-24s | %10.2f | %8.2fms | %8.2fms | %9s | %d artworks, one at a time\n", "rendition 4:5 (cold)", NR/s, t[int((NR+1)/2)]*1000, t[int(NR*0.99+0.5)]*1000, "", NR}' <<<"$times"
}

echo "== wrk, $connections connections, $duration each"
printf '| %-24s | %10s | %9s | %9s | %9s |\n' "page" "req/s" "p50" "p99" "p99.9"
measure "gallery (first page)" "/images"
measure "gallery (search)" "/images?q=piece+01"
measure "thumbnail" "/media/$image/thumb"
measure "image page" "/images/$image"
measure "home" "/"
measure "calendar month (June)" "/calendars/$calendar?date=2030-06-15"
measure "calendar list (Sep, 500)" "/calendars/$calendar?view=list&date=2030-09-15"
measure "calendar week" "/calendars/$calendar?view=week&date=2030-06-12"
measure "a post" "/events/$post"
measure "grid planner" "/calendars/$calendar/grid"
cold_renditions
measure "rendition 4:5 (cached)" "/media/$image/crop/portrait"
echo "== sign-ins (a fresh visitor each: GET /login, then POST /login, argon2id), $connections at once"
target/release/examples/seed signin "http://127.0.0.1:$port" "$connections" "${duration%s}"
echo "peak memory of the server: $(awk '/VmHWM/ {print $2, $3}' /proc/$server/status)"
