#!/usr/bin/env bash
# Throughput benchmark: Taskdeck under load (wrk, CONNECTIONS at once) against the same SQL run raw
# by pgbench on the same PostgreSQL database, side by side in one run; and the server's memory
# idle and loaded, and its cold start. A benchmark, not a test: it prints a table and fails only
# when something does not work at all (bench/budget.mjs judges figures against bench/budget.json).
#
# Usage: bench/throughput/run.sh [postgres|sqlite|both]   (default both)
#
# Environment (all optional):
#   CONNECTIONS=50   concurrent connections, for wrk and for pgbench
#   DURATION=10      seconds per series
#   TASKS=200        tasks on the board (seeded with one INSERT)
#   THREADS=2        wrk and pgbench threads
#   BENCH_JSON=FILE  also append each series' figures to FILE as JSON lines
#   BENCH_POSTGRES_URL, REBUILD: as for bench/board/run.sh
#
# What "raw" is: before the load, one request of each kind is sent to a server whose database logs
# every statement (log_statement = all, for the benchmark's database only); bench/throughput/
# capture.py turns what PostgreSQL logged for it into a pgbench script, so pgbench runs exactly
# the statements that request ran (session, access check, reads, writes, transaction), values
# included. See bench/README.md for figures.
set -euo pipefail
cd "$(dirname "$0")/../.."

usage() { sed -n 's/^# \{0,1\}//; 7,17p' "$0"; }
case ${1:-both} in
  postgres | sqlite) backends=("$1") ;;
  both) backends=(postgres sqlite) ;;
  -h | --help) usage; exit 0 ;;
  *) usage >&2; exit 2 ;;
esac
connections=${CONNECTIONS:-50}
duration=${DURATION:-10}
tasks=${TASKS:-200}
threads=${THREADS:-2}
for var in connections duration tasks threads; do
  [[ ${!var} =~ ^[1-9][0-9]*$ ]] || { echo "${var^^} must be a whole number, 1 or more (got ${!var})" >&2; exit 2; }
done
# wrk, sqlite3 and pgbench, installed from Debian when missing.
# shellcheck source=scripts/tools.sh
source scripts/tools.sh
ensure_bench_tools

# shellcheck source=bench/common.sh
source bench/common.sh
bench_release_copy
results=$bench_tmp/results.jsonl
here=bench/throughput

bench_step "machine and build"
bench_machine
echo "$(wrk --version 2>&1 | head -1); $(pgbench --version)"

rss_kb() { awk -v key="$2:" '$1 == key { print $2 }' "/proc/$1/status"; }

# PostgreSQL's log file, when the benchmark's PostgreSQL is this machine's cluster on that port and
# this user can read it.
postgres_log() {
  local authority=${bench_admin_url#*://} host port
  authority=${authority#*@}
  authority=${authority%%/*}
  host=${authority%%:*}
  port=${authority##*:}
  [ "$port" != "$authority" ] || port=5432
  case $host in 127.0.0.1 | localhost | "") ;; *) return 0 ;; esac
  command -v pg_lsclusters >/dev/null || return 0
  pg_lsclusters -h 2>/dev/null | awk -v port="$port" '$3 == port { print $7; exit }'
}

# NAME ID: one request of the series NAME, as wrk sends it, with task ID for {id} and done for
# {status}; anything but 200 stops the benchmark (wrk itself counts only 4xx and 5xx as errors).
one_request() {
  # Two statements: a `local` line expands all its words before assigning any of them.
  local name=$1 id=$2 code
  local body=${bodies[$name]:-}
  local -a args=(-sS -o "$bench_tmp/answer" -w '%{http_code}' -H "Accept: ${accept[$name]}")
  [ "$name" = sign-in ] || args+=(-H "Cookie: taskdeck_session=$bench_cookie")
  if [ -n "$body" ]; then
    body=${body//\{id\}/$id}
    args+=(-H 'Content-Type: application/x-www-form-urlencoded' --data "${body//\{status\}/done}")
  fi
  code=$(curl "${args[@]}" "$bench_base${paths[$name]}")
  [ "$code" = 200 ] || {
    echo "$name: ${paths[$name]} answered $code, not 200: $(head -c 300 "$bench_tmp/answer")" >&2
    exit 1
  }
}

# NAME: the statements one request of NAME ran, as a pgbench script in $bench_tmp/NAME.sql. A
# request first warms the server up (on another task, so the captured move changes a column).
capture() {
  local name=$1 log=$2 offset
  one_request "$name" $((capture_id + 3))
  offset=$(stat -c %s "$log")
  one_request "$name" "$capture_id"
  sleep 0.5 # PostgreSQL writes its log asynchronously
  SET_LINES="\\set id random($id_min, $id_max)" \
    python3 "$here/capture.py" "$log" "$offset" "$bench_db_name" "$capture_id=id" >"$bench_tmp/$name.sql"
  echo "$name: $(grep -c ';$' "$bench_tmp/$name.sql") statements ($(grep -ciE '^(insert|update|delete)' "$bench_tmp/$name.sql") writes)"
}

# BACKEND NAME: wrk against Taskdeck, then (postgres, when captured) pgbench on the same database.
series() {
  local backend=$1 name=$2 out cookie=$bench_cookie
  [ "$name" != sign-in ] || cookie="" # the baseline is signed out: no session to look up
  one_request "$name" "$capture_id"
  out=$(COOKIE=$cookie ACCEPT=${accept[$name]} BODY=${bodies[$name]:-} ID_MIN=$id_min ID_MAX=$id_max \
    wrk -t "$threads" -c "$connections" -d "${duration}s" --timeout 30s -s "$here/load.lua" "$bench_base${paths[$name]}" |
    tail -n 1)
  printf '{"kind":"throughput","backend":"%s","series":"%s","side":"taskdeck","connections":%d,%s\n' "$backend" "$name" "$connections" "${out#\{}" >>"$results"
  if [ "$backend" = postgres ] && [ -f "$bench_tmp/$name.sql" ]; then
    sleep 1
    rm -f "$bench_tmp"/pgbench_log.*
    (cd "$bench_tmp" && pgbench -n -M prepared -c "$connections" -j "$threads" -T "$duration" -l \
      -f "$name.sql" "$bench_database_url" >"pgbench_$name.out" 2>&1) ||
      { cat "$bench_tmp/pgbench_$name.out" >&2; echo "pgbench failed on $bench_tmp/$name.sql:" >&2; cat "$bench_tmp/$name.sql" >&2; exit 1; }
    python3 "$here/figures.py" pgbench "$backend" "$name" "$connections" "$bench_tmp/pgbench_$name.out" "$bench_tmp"/pgbench_log.* >>"$results"
  fi
  python3 "$here/figures.py" last "$results"
  sleep 1
}

for backend in "${backends[@]}"; do
  bench_step "$backend: fresh database, $tasks tasks"
  bench_fresh_db "$backend"
  log=""
  if [ "$backend" = postgres ]; then
    log=$(postgres_log || true)
    if [ -n "$log" ] && [ -r "$log" ]; then
      psql "$bench_admin_url" -qX -v ON_ERROR_STOP=1 -c "ALTER DATABASE $bench_db_name SET log_statement = 'all'" >/dev/null
    else
      echo "cannot read PostgreSQL's log (${log:-not a cluster on this machine, or not found by pg_lsclusters}): no raw pgbench series"
      log=""
    fi
  fi
  bench_start_server "server-$backend-first"
  cold_fresh=$bench_cold_start_ms
  bench_account
  bench_seed_sql "$backend" "$tasks"
  id_min=$(bench_sql "$backend" "SELECT min(id) FROM tasks")
  id_max=$(bench_sql "$backend" "SELECT max(id) FROM tasks")
  # Not 1: a parameter equal to the captured task's id becomes pgbench's random :id, and the user's
  # and the project's ids are small numbers. Task i is in column i % 3; this one is not done.
  capture_id=$((id_min + tasks / 2 - (tasks / 2) % 3 + 1))
  list_query="?status=todo&q=task+01"
  declare -A paths=(
    [sign-in]=/login
    [board]=/projects/$bench_project_id
    [get_board]=/api/get_board
    [list]=/projects/$bench_project_id/list$list_query
    [move]=/api/move_task
    [create]=/api/create_task
  )
  declare -A accept=([sign-in]=text/html [board]=text/html [list]=text/html [get_board]=application/json [move]=application/json [create]=application/json)
  declare -A bodies=(
    [get_board]="project_id=$bench_project_id"
    [move]="id={id}&to={status}"
    [create]="project_id=$bench_project_id&title=Load+test+task"
  )
  order=(sign-in board get_board list move create)

  if [ -n "$log" ]; then
    bench_step "postgres: the statements of one request of each kind"
    for name in board get_board list move create; do capture "$name" "$log"; done
    psql "$bench_admin_url" -qX -v ON_ERROR_STOP=1 -c "ALTER DATABASE $bench_db_name RESET log_statement" >/dev/null
  fi
  # A second start, on the migrated database, with connections that no longer log.
  bench_stop_server
  bench_start_server "server-$backend"
  cold_migrated=$bench_cold_start_ms
  sleep 2
  idle_kb=$(rss_kb "$bench_server_pid" VmRSS)

  bench_step "$backend: $connections connections, ${duration} s per series"
  for name in "${order[@]}"; do series "$backend" "$name"; done
  loaded_kb=$(rss_kb "$bench_server_pid" VmHWM)
  printf '{"kind":"server-resources","backend":"%s","cold_start_fresh_ms":%d,"cold_start_migrated_ms":%d,"idle_rss_kb":%d,"peak_rss_kb":%d}\n' \
    "$backend" "$cold_fresh" "$cold_migrated" "$idle_kb" "$loaded_kb" >>"$results"
  bench_server_warnings "$bench_tmp/server-$backend.log"
  bench_stop_server
done

bench_step "Taskdeck against raw SQL ($connections connections, $duration s each, $tasks tasks)"
python3 "$here/figures.py" table "$results"
[ -z "${BENCH_JSON:-}" ] || cat "$results" >>"$BENCH_JSON"
