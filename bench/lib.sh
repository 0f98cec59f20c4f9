# Shared by bench/run.sh and bench/compare.sh (sourced, not run).
#
# A "server" is one running Easel, named (e.g. `sqlite`, `a`, `b`); what the
# functions learn about it lives in associative arrays keyed by that name,
# and page figures in RES["name:page"] = "req/s p50 p99 p99.9 non-2xx".
# Everything listens on 127.0.0.1 only, and bench_cleanup stops it all.

connections=32
duration=${BENCH_DURATION:-10s}
workspaces=${BENCH_WORKSPACES:-100}
images=${BENCH_IMAGES:-10000}
seeder=${BENCH_SEEDER:-target/release/examples/seed}

declare -A PORT PID COOKIE IMAGE CALENDAR POST STATIC RES DBURL
pids=()

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# "10m", "90s", "1h" or plain seconds, in seconds.
seconds_of() {
  case "$1" in
    *h) echo $((${1%h} * 3600)) ;;
    *m) echo $((${1%m} * 60)) ;;
    *s) echo "${1%s}" ;;
    *) echo "$1" ;;
  esac
}

bench_setup() {
  command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk" >&2; exit 1; }
  work=$(mktemp -d /tmp/easel-bench.XXXXXX)
  chmod 755 "$work"
  trap bench_cleanup EXIT
  # wrk's own summary stops at p99: every wrk run prints p50, p99 and p99.9.
  cat >"$work/percentiles.lua" <<'LUA'
done = function(summary, latency, requests)
  for _, p in ipairs({50, 99, 99.9}) do
    io.write(string.format("p%s %.2fms\n", p, latency:percentile(p) / 1000))
  end
end
LUA
}

bench_cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  # runuser does not pass the signal on: stop PostgreSQL by its own pid.
  if [ -f "$work/pg/postmaster.pid" ]; then kill -INT "$(head -n1 "$work/pg/postmaster.pid")" 2>/dev/null || true; fi
  for _ in $(seq 50); do pgrep -f "$work" >/dev/null || break; sleep 0.1; done
  rm -rf "$work"
}

# A throwaway PostgreSQL cluster in $work/pg with an `easel` role; sets pg_port.
start_postgres() {
  local pg_bin as_pg=()
  pg_bin=$(dirname "$(command -v initdb || ls /usr/lib/postgresql/*/bin/initdb | sort -V | tail -n1)")
  if [ "$(id -u)" = 0 ]; then as_pg=(runuser -u postgres --); chown postgres "$work"; fi
  "${as_pg[@]}" "$pg_bin/initdb" -D "$work/pg" -U postgres --auth=trust --no-sync >/dev/null
  pg_port=$(free_port)
  # Two servers may be connected at once (compare.sh): room for both pools.
  "${as_pg[@]}" "$pg_bin/postgres" -D "$work/pg" -p "$pg_port" -h 127.0.0.1 -k "$work" -c fsync=off \
    -c max_connections=200 >"$work/pg.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 100); do pg_isready -q -h 127.0.0.1 -p "$pg_port" -U postgres && break; sleep 0.1; done
  psql -q -h 127.0.0.1 -p "$pg_port" -U postgres -c "CREATE ROLE easel LOGIN PASSWORD 'easel'"
}

# A new, empty database for server NAME on BACKEND; prints its URL.
new_database() {
  local name=$1 backend=$2
  case "$backend" in
    sqlite) echo "sqlite://$work/$name.db" ;;
    postgres)
      [ -n "${pg_port:-}" ] || { echo "start_postgres first" >&2; return 1; }
      psql -q -h 127.0.0.1 -p "$pg_port" -U postgres -c "CREATE DATABASE easel_$name OWNER easel" >&2
      echo "postgres://easel:easel@127.0.0.1:$pg_port/easel_$name"
      ;;
    *) echo "unknown backend: $backend" >&2; return 2 ;;
  esac
}

# Starts BINARY as server NAME on DATABASE_URL and waits for /healthz.
start_easel() {
  local name=$1 binary=$2 database_url=$3 port
  port=$(free_port)
  # The sign-in limit is raised so the rate limit does not answer instead.
  DATABASE_URL="$database_url" EASEL_BIND="127.0.0.1:$port" EASEL_DATA_DIR="$work/data-$name" \
    EASEL_UPLOADS_DIR="$work/uploads-$name" EASEL_SIGNIN_LIMIT=100000000 EASEL_MAX_OWNED_WORKSPACES=100000 \
    RUST_LOG=warn "$binary" serve >"$work/server-$name.log" 2>&1 &
  PID[$name]=$!
  PORT[$name]=$port
  DBURL[$name]=$database_url
  pids+=("${PID[$name]}")
  for _ in $(seq 300); do
    curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && return 0
    sleep 0.1
  done
  echo "easel ($name) did not start:" >&2
  tail -20 "$work/server-$name.log" >&2
  return 1
}

stop_easel() {
  local name=$1
  kill "${PID[$name]}" 2>/dev/null || true
  wait "${PID[$name]}" 2>/dev/null || true
}

# Seeds server NAME over HTTP (bench/seed.rs) and learns its ids.
seed_easel() {
  local name=$1 out="$work/seed-$1.out" base="http://127.0.0.1:${PORT[$1]}"
  "$seeder" "$base" "$workspaces" "$images" >"$out" || { tail -20 "$work/server-$name.log" >&2; return 1; }
  grep -v '^cookie=' "$out" || true
  COOKIE[$name]=$(grep '^cookie=' "$out" | cut -d= -f2-)
  IMAGE[$name]=$(grep '^image_id=' "$out" | cut -d= -f2-)
  CALENDAR[$name]=$(grep '^calendar_id=' "$out" | cut -d= -f2-)
  POST[$name]=$(grep '^post_id=' "$out" | cut -d= -f2-)
  # What autovacuum does a minute or so after such a load. Measured before
  # it came round, PostgreSQL planned without statistics of the new rows,
  # and A and B of compare.sh could be measured one before it, one after.
  case "${DBURL[$name]}" in
    postgres*) PGOPTIONS="-c client_min_messages=error" psql -q "${DBURL[$name]}" -c "VACUUM ANALYZE" ;;
  esac
  # The stylesheet exactly as the pages link it (fingerprinted: ?v=…).
  STATIC[$name]=$(curl -sf -H "Cookie: ${COOKIE[$name]}" "$base/images" | grep -o '/static/app\.css?v=[0-9a-f]*' | head -n1)
  [ -n "${STATIC[$name]}" ] || { echo "no stylesheet link found on /images" >&2; return 1; }
}

# The pages measured, in order: key|label|path. {image}, {calendar}, {post}
# and {static} are filled in per server. /healthz and the stylesheet come
# first: every page is read as a ratio to one of them.
PAGES='healthz|/healthz (one db ping)|/healthz
static|static asset (app.css)|{static}
gallery|gallery (first page)|/images
search|gallery (search)|/images?q=piece+01
thumb|thumbnail|/media/{image}/thumb
image|image page|/images/{image}
home|home|/
month|calendar month (June)|/calendars/{calendar}?date=2030-06-15
list|calendar list (Sep, 500)|/calendars/{calendar}?view=list&date=2030-09-15
week|calendar week|/calendars/{calendar}?view=week&date=2030-06-12
post|a post (editor)|/events/{post}
grid|grid planner|/calendars/{calendar}/grid
rendition|rendition 4:5 (cached)|/media/{image}/crop/portrait'

# BENCH_PAGES="healthz home post" measures only those keys.
page_keys() {
  local key
  for key in $(cut -d'|' -f1 <<<"$PAGES"); do
    [ -z "${BENCH_PAGES:-}" ] || [[ " $BENCH_PAGES " == *" $key "* ]] || continue
    echo "$key"
  done
}
page_label() { awk -F'|' -v k="$1" '$1 == k {print $2}' <<<"$PAGES"; }

# The path of page KEY on server NAME.
page_path() {
  local name=$1 path
  path=$(awk -F'|' -v k="$2" '$1 == k {print $3}' <<<"$PAGES")
  path=${path//\{image\}/${IMAGE[$name]}}
  path=${path//\{calendar\}/${CALENDAR[$name]}}
  path=${path//\{post\}/${POST[$name]}}
  echo "${path//\{static\}/${STATIC[$name]}}"
}

# What page KEY is read against: the ping for pages, the stylesheet for
# files served from storage (the issue's thumbnail target), none for the two.
baseline_of() {
  case "$1" in
    healthz | static) echo "" ;;
    thumb | rendition) echo static ;;
    *) echo healthz ;;
  esac
}

# The issue's target for page KEY on BACKEND: min=R (ratio to its baseline),
# p99=MS (p99 under), sqlite=R (req/s against the SQLite run's).
target_of() {
  case "$2:$1" in
    sqlite:gallery) echo "min=0.25 p99=20" ;;
    sqlite:home) echo "min=0.20 p99=20" ;;
    sqlite:post) echo "min=0.25" ;;
    postgres:gallery) echo "sqlite=0.70 p99=25" ;;
    postgres:home | postgres:post) echo "sqlite=0.70" ;;
    *:search) echo "min=0.10" ;;
    *:month) echo "min=0.05" ;;
    *:thumb) echo "min=0.50" ;;
    *) echo "" ;;
  esac
}

# "TEXT<TAB>PASS|MISS|pending" for SPEC, given the ratio to the baseline,
# the p99 in ms and (optional) the req/s ratio to the SQLite run.
judge() {
  awk -v spec="$1" -v ratio="$2" -v p99="$3" -v vs="$4" 'BEGIN {
    n = split(spec, parts, " "); text = ""; ok = 1; pending = 0
    for (i = 1; i <= n; i++) {
      split(parts[i], kv, "=")
      if (text != "") text = text " & "
      if (kv[1] == "min") { text = text sprintf(">=%g%%", kv[2] * 100); if (ratio < kv[2]) ok = 0 }
      if (kv[1] == "p99") { text = text sprintf("p99<%gms", kv[2]); if (p99 >= kv[2]) ok = 0 }
      if (kv[1] == "sqlite") {
        text = text sprintf(">=%g%% of SQLite", kv[2] * 100)
        if (vs == "") pending = 1; else if (vs < kv[2]) ok = 0
      }
    }
    if (text == "") print "-\t"; else print text "\t" (!ok ? "MISS" : pending ? "(needs both)" : "PASS")
  }'
}

# One wrk run: "req/s p50 p99 p99.9 non-2xx" (latencies in ms, no unit).
wrk_run() {
  local port=$1 path=$2 cookie=$3 out
  local header=()
  [ -z "$cookie" ] || header=(-H "Cookie: $cookie")
  out=$(wrk -t2 -c"$connections" -d"$duration" -s "$work/percentiles.lua" "${header[@]}" "http://127.0.0.1:$port$path")
  awk '/Requests\/sec/ {rps = $2} $1 == "p50" {p50 = $2} $1 == "p99" {p99 = $2} $1 == "p99.9" {p999 = $2}
       /Non-2xx/ {bad = $4} END {sub("ms", "", p50); sub("ms", "", p99); sub("ms", "", p999)
       printf "%s %s %s %s %s\n", rps, p50, p99, p999, bad + 0}' <<<"$out"
}

# Measures page KEY on server NAME into RES. The ping and the stylesheet
# go without the session cookie, as a load balancer and a cached asset
# fetch would; every page with it.
measure_page() {
  local name=$1 key=$2 cookie=${COOKIE[$1]}
  case "$key" in healthz | static) cookie="" ;; esac
  RES[$name:$key]=$(wrk_run "${PORT[$name]}" "$(page_path "$name" "$key")" "$cookie")
}

# Field N (1 req/s, 2 p50, 3 p99, 4 p99.9, 5 non-2xx) of a measured page.
res() { awk -v n="$3" '{print $n}' <<<"${RES[$1:$2]:-}"; }

# req/s of page KEY over its baseline's on server NAME ("" without one).
ratio_of() {
  local name=$1 key=$2 base
  base=$(baseline_of "$key")
  [ -n "$base" ] || return 0
  awk -v a="$(res "$name" "$key" 1)" -v b="$(res "$name" "$base" 1)" 'BEGIN {if (b > 0) printf "%.4f", a / b}'
}

percent() { awk -v r="$1" 'BEGIN {if (r != "") printf "%.1f%%", r * 100}'; }

# The first request for each artwork's 4:5 rendition decodes, crops and
# encodes it: one at a time over the gallery's first page.
cold_renditions() {
  local name=$1 base="http://127.0.0.1:${PORT[$1]}" ids times
  ids=$(curl -sf -H "Cookie: ${COOKIE[$name]}" "$base/images" | grep -o '/images/[0-9a-f-]\{36\}' | sort -u | cut -d/ -f3)
  times=$(for id in $ids; do
    curl -sf -o /dev/null -w '%{time_total}\n' -H "Cookie: ${COOKIE[$name]}" "$base/media/$id/crop/portrait"
  done | sort -n)
  awk '{t[NR] = $1; s += $1} END {if (NR) printf "%.2f %.2f %.2f %d\n", NR / s, t[int((NR + 1) / 2)] * 1000, t[int(NR * 0.99 + 0.5)] * 1000, NR}' <<<"$times"
}

# Sign-ins as fresh visitors (GET /login, then POST /login: argon2id).
sign_ins() {
  "$seeder" signin "http://127.0.0.1:${PORT[$1]}" "$connections" "$(seconds_of "$duration")"
}

# CPU ticks (user + system) spent so far by server NAME, and by every
# PostgreSQL backend of the `easel` role (idle ones add next to nothing).
cpu_ticks() {
  local total pid
  total=$(awk '{print $14 + $15}' "/proc/${PID[$1]}/stat")
  for pid in $(pgrep -f '^postgres: easel ' || true); do
    total=$((total + $(awk '{print $14 + $15}' "/proc/$pid/stat" 2>/dev/null || echo 0)))
  done
  echo "$total"
}

# VmHWM (peak) or VmRSS (now) of server NAME, in MB.
memory_mb() {
  awk -v f="$2:" '$1 == f {printf "%.0f", $2 / 1024}' "/proc/${PID[$1]}/status"
}

# "PASS"/"MISS" for VALUE under LIMIT.
under() { awk -v v="$1" -v l="$2" 'BEGIN {print (v != "" && v < l) ? "PASS" : "MISS"}'; }

# Median start-up of BINARY in ms (each run's figure goes to stderr).
startup_median() {
  local out
  out=$(python3 bench/startup.py "$1" "${BENCH_STARTUP_RUNS:-7}")
  grep -v '^startup_median_ms=' <<<"$out" >&2
  awk -F= '/^startup_median_ms=/ {print $2}' <<<"$out"
}

# Mixed pages for SECONDS at 32 connections, a minute at a time: req/s, p99
# and resident memory each minute (sampled just before the minute's load
# ends), then whether the last minute grew more than 5% over the second.
soak() {
  local name=$1 total=$2 minute=0 left rss second="" last=""
  cat >"$work/mixed.lua" <<LUA
paths = {"/images", "/images?q=piece+01", "/", "$(page_path "$name" month)", "$(page_path "$name" post)", "$(page_path "$name" thumb)"}
local i = 0
request = function()
  i = i + 1
  return wrk.format(nil, paths[i % #paths + 1])
end
$(cat "$work/percentiles.lua")
LUA
  echo "== soak: gallery, search, home, month grid, editor, thumbnail in turn; $connections connections, ${total}s"
  printf '| %6s | %10s | %9s | %8s |\n' minute req/s p99 "RSS MB"
  left=$total
  while [ "$left" -gt 0 ]; do
    local chunk=$((left < 60 ? left : 60)) out
    minute=$((minute + 1))
    wrk -t2 -c"$connections" -d"${chunk}s" -s "$work/mixed.lua" -H "Cookie: ${COOKIE[$name]}" \
      "http://127.0.0.1:${PORT[$name]}" >"$work/soak.out" &
    local load=$!
    sleep $((chunk > 1 ? chunk - 1 : 0))
    rss=$(memory_mb "$name" VmRSS)
    wait "$load"
    out=$(awk '/Requests\/sec/ {rps = $2} $1 == "p99" {p99 = $2} /Non-2xx/ {bad = " non-2xx: " $4} END {print rps, p99 bad}' "$work/soak.out")
    printf '| %6s | %10s | %9s | %8s | %s\n' "$minute" "$(cut -d' ' -f1 <<<"$out")" "$(cut -d' ' -f2 <<<"$out")" "$rss" "$(cut -d' ' -f3- <<<"$out")"
    [ "$minute" = 2 ] && second=$rss
    last=$rss
    left=$((left - chunk))
  done
  if [ -z "$second" ]; then
    echo "soak: under two minutes, no growth verdict"
  else
    awk -v s="$second" -v l="$last" 'BEGIN {g = (l - s) / s * 100
      printf "soak: RSS %d MB in minute 2, %d MB in the last (%+.1f%%), target: no more than +5%%: %s\n", s, l, g, g <= 5 ? "PASS" : "MISS"}'
  fi
}
