#!/usr/bin/env bash
# Load figures for Easel, against the release binary on loopback.
#
#   bench/run.sh [sqlite|postgres|both]     (default sqlite)
#   bench/run.sh soak [sqlite|postgres]     (BENCH_SOAK, default 10m)
#
# Seeds 100 workspaces (one with 10,000 images and 2,000 posts) over HTTP,
# times the ingest of a 24-megapixel JPEG, then measures with wrk at 32
# connections (p50, p99, p99.9): first /healthz (one database ping) and the
# stylesheet, then every page, printed as a ratio to one of those two so the
# load of a shared machine cancels out, beside issue 18's target. Then
# sign-ins, peak memory, memory after 10 s idle, and the start-up time on an
# empty SQLite database. `both` runs SQLite, then PostgreSQL, and prints
# PostgreSQL's req/s over SQLite's. With BENCH_SOAK=10m (or `soak`), it seeds
# and then loads mixed pages for that long instead, printing RSS each minute.
#
# Needs wrk (apt-get install wrk); for postgres, initdb/postgres as for the
# tests. Everything runs on 127.0.0.1 and stops by itself. BENCH_BIN=path
# measures another build of easel with the same seeder; BENCH_DURATION (10s),
# BENCH_IMAGES, BENCH_WORKSPACES and BENCH_STARTUP_RUNS (7) shorten a run;
# BENCH_SKIP_BUILD=1 skips the cargo build; BENCH_PAGES="healthz home" measures
# only those pages (keys as in bench/lib.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh

mode=${1:-sqlite}
soak_for=${BENCH_SOAK:-}
if [ "$mode" = soak ]; then
  mode=${2:-sqlite}
  soak_for=${soak_for:-10m}
fi
case "$mode" in sqlite | postgres | both) ;; *)
  echo "usage: bench/run.sh [sqlite|postgres|both] | bench/run.sh soak [sqlite|postgres]" >&2
  exit 2
  ;;
esac
[ -z "$soak_for" ] || [ "$mode" != both ] || { echo "a soak runs one backend" >&2; exit 2; }
binary=${BENCH_BIN:-target/release/easel}

# Starts a server on BACKEND (named after it), seeds it, and prints its ids.
start_and_seed() {
  local backend=$1 url
  [ "$backend" = sqlite ] || start_postgres
  url=$(new_database "$backend" "$backend")
  start_easel "$backend" "$binary" "$url"
  echo "== seeding $workspaces workspaces, $images images ($backend)"
  seed_easel "$backend"
}

# Every page with wrk, then the table: req/s, its ratio, latencies, target.
measure_pages() {
  local name=$1 key
  echo "== wrk -t2 -c$connections -d$duration, $backend_label; pages as a share of /healthz, files of the stylesheet"
  printf '| %-26s | %9s | %16s | %8s | %8s | %8s | %-28s | %s\n' page req/s "share" "p50 ms" "p99 ms" "p99.9 ms" "target" ""
  for key in $(page_keys); do
    measure_page "$name" "$key"
    print_page_row "$name" "$key" ""
  done
  local cold
  cold=$(cold_renditions "$name")
  printf '| %-26s | %9s | %16s | %8s | %8s | %8s | %-28s | %s\n' "rendition 4:5 (cold)" "$(cut -d' ' -f1 <<<"$cold")" "" \
    "$(cut -d' ' -f2 <<<"$cold")" "$(cut -d' ' -f3 <<<"$cold")" "" "" "$(cut -d' ' -f4 <<<"$cold") artworks, one at a time"
}

# One row of the page table; VS is PostgreSQL's req/s over SQLite's, if known.
print_page_row() {
  local name=$1 key=$2 vs=$3 ratio share="" verdict note=""
  ratio=$(ratio_of "$name" "$key")
  [ -z "$ratio" ] || share="$(percent "$ratio") of $(baseline_of "$key")"
  verdict=$(judge "$(target_of "$key" "$name")" "${ratio:-0}" "$(res "$name" "$key" 3)" "$vs")
  [ "$(res "$name" "$key" 5)" = 0 ] || note=" non-2xx: $(res "$name" "$key" 5)"
  printf '| %-26s | %9s | %16s | %8s | %8s | %8s | %-28s | %s%s\n' "$(page_label "$key")" "$(res "$name" "$key" 1)" "$share" \
    "$(res "$name" "$key" 2)" "$(res "$name" "$key" 3)" "$(res "$name" "$key" 4)" "$(cut -f1 <<<"$verdict")" \
    "$(cut -f2 <<<"$verdict")" "$note"
}

# Peak memory over the whole run (seeding and sign-ins included), then
# resident memory after 10 s without requests.
memory_figures() {
  local name=$1 peak idle
  peak=$(memory_mb "$name" VmHWM)
  sleep 10
  idle=$(memory_mb "$name" VmRSS)
  echo "peak memory of the server (VmHWM, whole run): $peak MB   target <200 MB: $(under "$peak" 200)"
  echo "memory after 10 s idle (VmRSS):               $idle MB   target <60 MB: $(under "$idle" 60)"
}

# One backend from start to end; the server stops at the end.
run_backend() {
  backend=$1
  backend_label=$backend
  start_and_seed "$backend"
  if [ -n "$soak_for" ]; then
    soak "$backend" "$(seconds_of "$soak_for")"
  else
    measure_pages "$backend"
    echo "== sign-ins (a fresh visitor each: GET /login, then POST /login, argon2id), $connections at once"
    sign_ins "$backend"
  fi
  memory_figures "$backend"
  stop_easel "$backend"
}

# PostgreSQL's req/s over SQLite's per page, with the targets that need both.
print_both() {
  local key vs
  echo "== PostgreSQL over SQLite (req/s), same machine, one after the other"
  printf '| %-26s | %9s | %9s | %7s | %-28s | %s\n' page SQLite PostgreSQL PG/SQL "PostgreSQL target" ""
  for key in $(page_keys); do
    vs=$(awk -v p="$(res postgres "$key" 1)" -v s="$(res sqlite "$key" 1)" 'BEGIN {if (s > 0) printf "%.3f", p / s}')
    local verdict
    verdict=$(judge "$(target_of "$key" postgres)" "$(ratio_of postgres "$key")" "$(res postgres "$key" 3)" "$vs")
    printf '| %-26s | %9s | %9s | %7s | %-28s | %s\n' "$(page_label "$key")" "$(res sqlite "$key" 1)" \
      "$(res postgres "$key" 1)" "$(percent "$vs")" "$(cut -f1 <<<"$verdict")" "$(cut -f2 <<<"$verdict")"
  done
}

bench_setup
[ -n "${BENCH_SKIP_BUILD:-}" ] || cargo build --release --quiet --bin easel --example seed
echo "== $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg), binary $binary"
if [ -z "$soak_for" ] && [ "${BENCH_STARTUP_RUNS:-7}" -gt 0 ]; then
  echo "== start-up: easel serve on an empty SQLite database until the first 200 of /healthz"
  startup=$(startup_median "$binary")
  echo "start-up median: $startup ms   target <300 ms: $(under "$startup" 300)"
fi
case "$mode" in
  both)
    run_backend sqlite
    run_backend postgres
    print_both
    ;;
  *) run_backend "$mode" ;;
esac
