#!/usr/bin/env bash
# Board benchmark: a project with TASKS tasks on a fresh database, then
#   1. the server's time for the board page (GET /projects/{id}) and for POST /api/get_board,
#   2. the browser's time to first render and to hydration of that page (Chromium, JavaScript on).
# A benchmark, not a test: it prints figures and fails only when something does not work at all.
# See bench/board/README.md for what each figure means.
#
# Usage: bench/board/run.sh [sqlite|postgres] [TASKS=10000]
#
# Environment (all optional):
#   SEED=api|sql          how the tasks are created (default api: create_task + move_task over HTTP;
#                         sql: one INSERT through the sqlite3 CLI or psql)
#   SEED_CONCURRENCY=4    parallel requests while seeding through the API
#   RUNS=20 WARMUPS=3     timed and untimed requests per server series
#   BROWSER_RUNS=5        page loads in Chromium
#   TIMEOUT_SECS=600      per request / page load; also the server's REQUEST_TIMEOUT_SECS
#   BENCH_POSTGRES_URL    admin connection for postgres (default postgres://postgres@127.0.0.1:5432/postgres);
#                         it must be allowed to create and drop databases
#   BENCH_JSON=FILE       also append the raw figures to FILE as JSON lines
#   REBUILD=1             rebuild the release binary first even if target/release/taskdeck exists
set -euo pipefail
cd "$(dirname "$0")/../.."

usage() { sed -n 's/^# \{0,1\}//; 8,20p' "$0"; }

backend=${1:-sqlite}
tasks=${2:-10000}
case $backend in
  sqlite | postgres) ;;
  -h | --help) usage; exit 0 ;;
  *) usage >&2; exit 2 ;;
esac
[[ $tasks =~ ^[1-9][0-9]*$ ]] || { echo "TASKS must be a whole number, 1 or more (got $tasks)" >&2; exit 2; }
seed=${SEED:-api}
case $seed in api | sql) ;; *) echo "SEED must be api or sql (got $seed)" >&2; exit 2 ;; esac
runs=${RUNS:-20}
warmups=${WARMUPS:-3}
browser_runs=${BROWSER_RUNS:-5}
timeout_secs=${TIMEOUT_SECS:-600}

# Playwright, Chromium, sqlite3 and psql, installed when missing.
# shellcheck source=scripts/tools.sh
source scripts/tools.sh
ensure_node_packages
ensure_chromium
ensure_bench_tools
[ -x "${CHROMIUM:-/usr/bin/chromium}" ] || { echo "no Chromium at $CHROMIUM" >&2; exit 1; }

# shellcheck source=bench/common.sh
source bench/common.sh
bench_release_copy

bench_step "machine and build"
bench_machine
echo "node $(node --version); $("${CHROMIUM:-/usr/bin/chromium}" --version 2>/dev/null || echo chromium)"

bench_step "fresh $backend database"
bench_fresh_db "$backend"
bench_start_server
base=$bench_base

bench_step "seeding $tasks tasks ($seed)"
bench_account
cookie=$bench_cookie
project_id=$bench_project_id
if [ "$seed" = api ]; then
  node bench/board/http.mjs seed "$base" "$cookie" "$project_id" "$tasks" "${SEED_CONCURRENCY:-4}"
  # What autovacuum would soon do on its own; the plans then match a database in use.
  [ "$backend" = sqlite ] || bench_sql postgres 'ANALYZE' >/dev/null
else
  bench_seed_sql "$backend" "$tasks"
fi

bench_step "server time ($runs requests after $warmups warm-ups)"
node bench/board/http.mjs time "$base" "$cookie" "$project_id" "$tasks" "$runs" "$warmups" "$timeout_secs"

bench_step "browser time to first render ($browser_runs loads)"
node bench/board/browser.mjs "$base" "$cookie" "$project_id" "$tasks" "$browser_runs" "$timeout_secs"

bench_server_warnings "$bench_tmp/server.log"
bench_step "done: $backend, $tasks tasks"
