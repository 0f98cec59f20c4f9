#!/usr/bin/env bash
# Two builds of Easel against the same data, in one run, page by page.
#
#   bench/compare.sh REV_A REV_B [sqlite|postgres]      (default sqlite)
#
# REV_A and REV_B are git revisions, or paths to easel binaries already built.
# Builds the release binary of each git revision (extracted with git archive
# into a temporary folder; both share one CARGO_TARGET_DIR, target/compare,
# so their dependencies are built once), seeds one server per binary with the
# current checkout's seeder (bench/seed.rs, deterministic: the same workspaces,
# images and posts for both), then measures each page with wrk on A and
# straight after on B, so both see about the same load from the rest of the
# machine (a whole run of A, then of B, would not). Prints
# A req/s, B req/s, B/A and p99s per page, then sign-ins, memory and start-up,
# and flags every figure where B is more than 10% worse.
#
# BENCH_DURATION, BENCH_IMAGES, BENCH_WORKSPACES, BENCH_STARTUP_RUNS and
# BENCH_SKIP_BUILD (the seeder is not rebuilt), BENCH_PAGES (only these page
# keys, e.g. "healthz home post") as for
# bench/run.sh; COMPARE_TARGET_DIR moves the shared build folder;
# COMPARE_ROUNDS=3 measures each page three times per binary, in turns, and
# keeps the median (worth it on a shared machine), then prints each round's
# figures too. Beside req/s it prints
# each page's server CPU per request (Easel's, and PostgreSQL's backends'),
# which is far steadier than req/s on a shared machine. Needs wrk.
# Everything runs on 127.0.0.1, stops by itself and removes its files.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh

[ $# -ge 2 ] || { echo "usage: bench/compare.sh REV_A REV_B [sqlite|postgres]" >&2; exit 2; }
backend=${3:-sqlite}
case "$backend" in sqlite | postgres) ;; *) echo "backend: sqlite or postgres" >&2; exit 2 ;; esac
arg_a=$1
arg_b=$2
target_dir=$(realpath -m "${COMPARE_TARGET_DIR:-target/compare}")
# More than 10% worse is a regression.
worse_than=0.90
rounds=${COMPARE_ROUNDS:-1}

# Puts SLOT's binary at $work/easel-SLOT: ARG is a path to an easel binary
# already built (used as is), or a git revision to build.
binary_for() {
  local slot=$1 arg=$2
  if [ -f "$arg" ] && [ -x "$arg" ]; then
    cp "$arg" "$work/easel-$slot"
    label[$slot]="binary $arg"
  else
    build_rev "$slot" "$(git rev-parse --verify "$arg^{commit}")"
    label[$slot]=$(git log -1 --format='%h %s' "$arg" | cut -c1-100)
  fi
}

# Builds REV's release binary into $work/easel-SLOT.
build_rev() {
  local slot=$1 rev=$2 dir="$work/src-$1"
  mkdir -p "$dir"
  # tar -m stamps every file "now": cargo judges freshness by modification
  # times, and A's and B's sources share one target folder and one unit name,
  # so B's files must look newer than A's build or cargo would keep A's.
  git archive "$rev" | tar -x -m -C "$dir"
  echo "== building $slot: $(git log -1 --format='%h %s' "$rev" | cut -c1-90)"
  (cd "$dir" && CARGO_TARGET_DIR="$target_dir" cargo build --release --quiet --bin easel)
  cp "$target_dir/release/easel" "$work/easel-$slot"
  rm -rf "$dir"
}

# B over A for one figure; HIGHER=1 when a bigger number is better.
# Prints "ratio flag".
versus() {
  awk -v a="$1" -v b="$2" -v higher="$3" -v limit="$worse_than" 'BEGIN {
    if (a <= 0 || b == "") { print "- "; exit }
    r = b / a; bad = higher ? r < limit : r > 1 / limit
    printf "%.2f %s\n", r, bad ? sprintf("<< B %.0f%% worse", higher ? (1 - r) * 100 : (r - 1) * 100) : ""
  }'
}

row() { printf '| %-26s | %9s | %9s | %5s | %9s | %9s | %s\n' "$@"; }

# Each page COMPARE_ROUNDS times (default 1), A and B in turns (AB, then
# BA, ...), keeping per binary the round with the median req/s: on a busy
# machine one round of each can differ by a third with the same binary.
compare_pages() {
  local key v round
  echo "== wrk -t2 -c$connections -d$duration per page, A and B in turns, $rounds round(s) ($backend)"
  row page "A req/s" "B req/s" "B/A" "A p99" "B p99" ""
  for key in $(page_keys); do
    for round in $(seq "$rounds"); do
      local order="a b"
      [ $((round % 2)) = 1 ] || order="b a"
      for slot in $order; do
        local before
        before=$(cpu_ticks "$slot")
        measure_page "$slot" "$key"
        echo "${RES[$slot:$key]}" >>"$work/rounds-$slot-$key"
        cpu_per_request "$slot" "$key" "$before" >>"$work/cpu-$slot-$key"
      done
    done
    for slot in a b; do RES[$slot:$key]=$(sort -n "$work/rounds-$slot-$key" | median); done
    v=$(versus "$(res a "$key" 1)" "$(res b "$key" 1)" 1)
    row "$(page_label "$key")" "$(res a "$key" 1)" "$(res b "$key" 1)" "${v%% *}" "$(res a "$key" 3)" "$(res b "$key" 3)" \
      "${v#* }$(non_2xx a "$key")$(non_2xx b "$key")"
  done
}

median() { awk '{l[NR] = $0} END {print l[int((NR + 1) / 2)]}'; }

# Microseconds of server CPU (Easel's, plus PostgreSQL's) per request of
# the run just measured, since BEFORE ticks. On a shared virtual machine
# req/s moves by a third between two runs of one binary; CPU per request
# moves far less, so it is the figure to trust for a small change.
cpu_per_request() {
  local slot=$1 key=$2 before=$3
  awk -v t="$(($(cpu_ticks "$slot") - before))" -v hz="$(getconf CLK_TCK)" -v rps="$(res "$slot" "$key" 1)" \
    -v secs="$(seconds_of "$duration")" 'BEGIN {if (rps > 0) printf "%.0f\n", t / hz * 1e6 / (rps * secs)}'
}

# The CPU table: the median over rounds of each page's CPU per request.
compare_cpu() {
  local key a b v
  echo "== server CPU per request (Easel + PostgreSQL, user + system), median of $rounds round(s); lower is better"
  row page "A us/req" "B us/req" "B/A" "" "" ""
  for key in $(page_keys); do
    a=$(sort -n "$work/cpu-a-$key" | median)
    b=$(sort -n "$work/cpu-b-$key" | median)
    v=$(versus "$a" "$b" 0)
    row "$(page_label "$key")" "$a" "$b" "${v%% *}" "" "" "${v#* }"
  done
}

# Each round's req/s of A and B and their ratio. This machine can change
# speed between rounds (a third, or twice as fast); a real change shows as
# the same ratio in every round, noise as ratios on both sides of 1.
compare_rounds() {
  [ "$rounds" -gt 1 ] || return 0
  local key r a b line
  echo "== each round: A req/s / B req/s (B/A), in the order measured; compare within a round"
  for key in $(page_keys); do
    line=""
    for r in $(seq "$rounds"); do
      a=$(sed -n "${r}p" "$work/rounds-a-$key" | cut -d' ' -f1)
      b=$(sed -n "${r}p" "$work/rounds-b-$key" | cut -d' ' -f1)
      line+=$(printf ' %.0f / %.0f (%s) |' "$a" "$b" "$(versus "$a" "$b" 1 | cut -d' ' -f1)")
    done
    printf '| %-26s |%s\n' "$(page_label "$key")" "$line"
  done
}

non_2xx() { [ "$(res "$1" "$2" 5)" = 0 ] || echo " $1: $(res "$1" "$2" 5) non-2xx"; }

# One more figure row: NAME, A, B, unit, HIGHER (1 when bigger is better).
compare_figure() {
  local v
  v=$(versus "$2" "$3" "$5")
  row "$1" "$2$4" "$3$4" "${v%% *}" "" "" "${v#* }"
}

bench_setup
[ -n "${BENCH_SKIP_BUILD:-}" ] || cargo build --release --quiet --example seed
declare -A label
binary_for a "$arg_a"
binary_for b "$arg_b"
! cmp -s "$work/easel-a" "$work/easel-b" || echo "note: A and B are the same binary (a change outside it, or the same revision)"

echo "== $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "A = ${label[a]}"
echo "B = ${label[b]}"
start_a=""
start_b=""
if [ "${BENCH_STARTUP_RUNS:-7}" -gt 0 ]; then
  echo "== start-up on an empty SQLite database"
  start_a=$(startup_median "$work/easel-a")
  start_b=$(startup_median "$work/easel-b")
fi

[ "$backend" = sqlite ] || start_postgres
for slot in a b; do
  start_easel "$slot" "$work/easel-$slot" "$(new_database "$slot" "$backend")"
  echo "== seeding $slot: $workspaces workspaces, $images images ($backend)"
  seed_easel "$slot"
done

compare_pages
compare_cpu
compare_rounds
echo "== sign-ins, $connections at once: A then B"
signin_a=$(sign_ins a)
signin_b=$(sign_ins b)
echo "A: $signin_a"
echo "B: $signin_b"
peak_a=$(memory_mb a VmHWM)
peak_b=$(memory_mb b VmHWM)
sleep 10
echo "== other figures"
row figure A B "B/A" "" "" ""
compare_figure "sign-ins per second" "$(grep -o 'rps=[0-9.]*' <<<"$signin_a" | cut -d= -f2)" \
  "$(grep -o 'rps=[0-9.]*' <<<"$signin_b" | cut -d= -f2)" "" 1
compare_figure "peak memory (VmHWM)" "$peak_a" "$peak_b" " MB" 0
compare_figure "memory after 10 s idle" "$(memory_mb a VmRSS)" "$(memory_mb b VmRSS)" " MB" 0
[ -z "$start_a" ] || compare_figure "start-up (median)" "$start_a" "$start_b" " ms" 0
