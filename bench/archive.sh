#!/usr/bin/env bash
# Archive figures for Easel (issue 14), against the release binary.
#
#   bench/archive.sh [sqlite|postgres]      (default sqlite)
#
# For each size in BENCH_SIZES (default "1000 10000"): a throwaway instance
# is seeded over HTTP by bench/seed.rs (one workspace with that many images,
# up to 2,000 posts, and three 24-megapixel JPEGs), the server is stopped,
# and then, against the quiet database, `easel export`, `easel copy` (to a
# fresh database of the same kind), `easel backup` and `easel import
# --as-new` run one after another, each under /usr/bin/time. It prints one
# table: seconds, archive MB, MB/s, rows, rows/s, CPU seconds and peak
# resident memory. Progress bars go to $work/*.log; the command's own
# summary line is kept. Everything runs on 127.0.0.1 and stops by itself.
# BENCH_BIN=path measures another build of easel with the same seeder.
set -euo pipefail
cd "$(dirname "$0")/.."

backend=${1:-sqlite}
sizes=${BENCH_SIZES:-1000 10000}
easel=${BENCH_BIN:-target/release/easel}
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
work=$(mktemp -d /tmp/easel-archive.XXXXXX)
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

[ -x /usr/bin/time ] || { echo "GNU time is needed: apt-get install time" >&2; exit 1; }
case "$backend" in sqlite | postgres) ;; *) echo "usage: bench/archive.sh [sqlite|postgres]" >&2; exit 2 ;; esac
cargo build --release --quiet --bin easel --example seed

if [ "$backend" = postgres ]; then
  pg_bin=$(dirname "$(command -v initdb || ls /usr/lib/postgresql/*/bin/initdb | sort -V | tail -n1)")
  as_pg=()
  if [ "$(id -u)" = 0 ]; then as_pg=(runuser -u postgres --); chown postgres "$work"; fi
  "${as_pg[@]}" "$pg_bin/initdb" -D "$work/pg" -U postgres --auth=trust --no-sync >/dev/null
  pg_port=$(free_port)
  "${as_pg[@]}" "$pg_bin/postgres" -D "$work/pg" -p "$pg_port" -h 127.0.0.1 -k "$work" -c fsync=off >"$work/pg.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 100); do pg_isready -q -h 127.0.0.1 -p "$pg_port" -U postgres && break; sleep 0.1; done
  psql -q -h 127.0.0.1 -p "$pg_port" -U postgres -c "CREATE ROLE easel LOGIN PASSWORD 'easel'"
fi

# A fresh, empty database named $1; prints its URL.
new_database() {
  if [ "$backend" = sqlite ]; then
    echo "sqlite://$work/$1.db"
  else
    psql -q -h 127.0.0.1 -p "$pg_port" -U postgres -c "CREATE DATABASE $1 OWNER easel" >&2
    echo "postgres://easel:easel@127.0.0.1:$pg_port/$1"
  fi
}

# The workspace with the most images, as a UUID.
biggest_workspace() {
  local top="SELECT workspace_id FROM images GROUP BY workspace_id ORDER BY count(*) DESC LIMIT 1"
  if [ "$backend" = sqlite ]; then
    sqlite3 "$work/$1.db" "SELECT lower(hex(workspace_id)) FROM ($top)" |
      sed -E 's/(.{8})(.{4})(.{4})(.{4})(.{12})/\1-\2-\3-\4-\5/'
  else
    psql -qtA -h 127.0.0.1 -p "$pg_port" -U postgres -d "$1" -c "$top"
  fi
}

# Seeds a new instance (database $1, files under $work/$1) with $2 images.
seed() {
  local db=$1 images=$2 port
  port=$(free_port)
  DATABASE_URL="$url" EASEL_BIND="127.0.0.1:$port" EASEL_DATA_DIR="$work/$db/data" EASEL_UPLOADS_DIR="$work/$db/uploads" \
    EASEL_SIGNIN_LIMIT=100000000 RUST_LOG=warn "$easel" serve >"$work/$db.server.log" 2>&1 &
  local server=$!
  pids+=($server)
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
  target/release/examples/seed "http://127.0.0.1:$port" 1 "$images" >"$work/$db.seed.out" 2>"$work/$db.seed.log" ||
    { tail -20 "$work/$db.seed.log" "$work/$db.server.log" >&2; exit 1; }
  grep '^seeded' "$work/$db.seed.log" >&2 || true
  kill "$server"
  wait "$server" 2>/dev/null || true
}

# `measure NAME IMAGES ARCHIVE -- easel arguments…`: runs one command against
# the seeded instance and prints its row of the table.
measure() {
  local name=$1 images=$2 archive=$3
  shift 4
  local tag="$name-$images"
  if ! DATABASE_URL="$url" EASEL_DATA_DIR="$work/$db/data" EASEL_UPLOADS_DIR="$work/$db/uploads" RUST_LOG=warn \
    /usr/bin/time -f '%e %M %U %S' -o "$work/$tag.time" "$easel" "$@" >"$work/$tag.out" 2>"$work/$tag.log"; then
    echo "| $name | $images | FAILED: $(tail -n1 "$work/$tag.log") |"
    return
  fi
  local seconds kb user sys rows mb
  read -r seconds kb user sys <"$work/$tag.time"
  # The summary's first count: "wrote … (N rows", "imported … (N rows", "copied N rows".
  rows=$(grep -oE '(\(|^copied )[0-9]+ rows' "$work/$tag.out" | head -n1 | grep -oE '[0-9]+')
  mb=-
  [ -n "$archive" ] && mb=$(stat -c %s "$archive" | awk '{printf "%.1f", $1 / 1e6}')
  awk -v n="$name" -v i="$images" -v s="$seconds" -v mb="$mb" -v r="${rows:-0}" -v u="$user" -v y="$sys" -v k="$kb" \
    'BEGIN {
       t = (s > 0 ? s : 0.01)
       printf "| %s | %d | %.2f | %s | %s | %d | %.0f | %.1f | %.0f |\n",
         n, i, s, mb, (mb == "-" ? "-" : sprintf("%.2f", mb / t)), r, r / t, u + y, k / 1024
     }'
  grep -v '^  ' "$work/$tag.out" | sed 's/^/    /' >&2
}

echo "== $backend, sizes: $sizes ($(nproc) cores, $(date -u '+%Y-%m-%d %H:%M UTC'))"
rows=()
for images in $sizes; do
  db="easel_$images"
  url=$(new_database "$db")
  echo "== seeding one workspace with $images images" >&2
  seed "$db" "$images"
  workspace=$(biggest_workspace "$db")
  copy_url=$(new_database "copy_$images")
  rows+=("$(measure export "$images" "$work/ws-$images.zip" -- export --workspace "$workspace" -o "$work/ws-$images.zip")")
  rows+=("$(measure copy "$images" "" -- copy --to "$copy_url")")
  rows+=("$(measure backup "$images" "$work/b-$images.zip" -- backup -o "$work/b-$images.zip")")
  rows+=("$(measure import "$images" "$work/ws-$images.zip" -- import "$work/ws-$images.zip" --as-new)")
done

echo "| command | images | seconds | archive MB | MB/s | rows | rows/s | CPU s | peak RSS MB |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
printf '%s\n' "${rows[@]}"
