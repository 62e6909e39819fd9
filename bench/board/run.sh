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
root=$PWD

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
admin_url=${BENCH_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}

step() { printf '\n\033[1;32m==> %s\033[0m\n' "$*"; }

binary=target/release/taskdeck
hash_file=target/release/hash.txt
if [ ! -x "$binary" ] || [ ! -f "$hash_file" ] || [ "${REBUILD:-0}" = 1 ]; then
  step "release build (scripts/build-release)"
  scripts/build-release
  [ -x "$binary" ] || { echo "the release build did not produce $binary" >&2; exit 1; }
fi
wasm=target/site/pkg/taskdeck.$(awk '$1 == "wasm:" { print $2 }' "$hash_file").wasm
[ -f "$wasm" ] || { echo "$hash_file names $wasm, which is not there: rebuild (REBUILD=1)" >&2; exit 1; }
[ -d end2end/node_modules/@playwright/test ] || {
  echo "end2end/node_modules has no @playwright/test: run (cd end2end && npm ci) first" >&2
  exit 1
}
[ -x "${CHROMIUM:-/usr/bin/chromium}" ] || { echo "no Chromium at ${CHROMIUM:-/usr/bin/chromium} (apt-get install chromium)" >&2; exit 1; }
if [ "$seed" = sql ] && [ "$backend" = sqlite ] && ! command -v sqlite3 >/dev/null; then
  echo "SEED=sql on SQLite needs the sqlite3 CLI (apt-get install sqlite3)" >&2
  exit 1
fi
if [ "$backend" = postgres ] && ! command -v psql >/dev/null; then
  echo "postgres needs psql (apt-get install postgresql-client)" >&2
  exit 1
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/taskdeck-bench.XXXXXX")
server_pid=""
db_name=""
cleanup() {
  local status=$?
  if [ -n "$server_pid" ]; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  if [ -n "$db_name" ]; then
    psql "$admin_url" -qX -v ON_ERROR_STOP=1 -c "DROP DATABASE IF EXISTS $db_name WITH (FORCE)" >/dev/null ||
      echo "could not drop the database $db_name" >&2
  fi
  if [ "$status" -ne 0 ] && [ -f "$tmp/server.log" ]; then
    echo "--- last lines of the server log ---" >&2
    tail -n 30 "$tmp/server.log" >&2
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT

free_port() {
  node -e 'const s = require("net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });'
}

# Run a copy of the binary and the browser assets: another build writing target/ during the run
# (a rebuild elsewhere in the checkout) would otherwise hand the browser a half-written or newer
# WASM bundle than the server that renders the page, and hydration would fail.
cp "$binary" "$tmp/taskdeck"
cp "$hash_file" "$tmp/hash.txt"
cp -a target/site "$tmp/site"

step "machine and build"
echo "cores: $(nproc); cpu: $(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo); memory: $(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)"
echo "binary: $binary built $(date -u -r "$binary" '+%Y-%m-%d %H:%M:%S UTC'), $wasm $(date -u -r "$wasm" '+%H:%M:%S UTC') ($(stat -c %s "$wasm") bytes); HEAD $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
if pgrep -x cargo >/dev/null || pgrep -x rustc >/dev/null; then
  echo "note: cargo or rustc is running at the same time; on a small machine that skews every figure"
fi
if [ -n "$(git status --porcelain -- app server store domain frontend migration style 2>/dev/null)" ]; then
  echo "note: the working tree has uncommitted changes; the binary may predate them (REBUILD=1 rebuilds)"
fi
echo "node $(node --version); $("${CHROMIUM:-/usr/bin/chromium}" --version 2>/dev/null || echo chromium)"

step "fresh $backend database"
case $backend in
  sqlite)
    db_file="$tmp/taskdeck.db"
    database_url="sqlite://$db_file?mode=rwc"
    echo "SQLite file $db_file"
    ;;
  postgres)
    db_name="taskdeck_bench_$(head -c 6 /dev/urandom | od -An -tx1 | tr -d ' \n')"
    psql "$admin_url" -qX -v ON_ERROR_STOP=1 -c "CREATE DATABASE $db_name" >/dev/null
    database_url="${admin_url%/*}/$db_name"
    echo "PostgreSQL database $db_name ($(psql "$admin_url" -AtX -c 'SHOW server_version'))"
    ;;
esac

port=$(free_port)
base="http://127.0.0.1:$port"
DATABASE_URL="$database_url" \
  LEPTOS_SITE_ADDR="127.0.0.1:$port" \
  LEPTOS_SITE_ROOT="$tmp/site" \
  APP_URL="$base" \
  METRICS_ADDR=127.0.0.1:0 \
  LOG_LEVEL=warn \
  REQUEST_TIMEOUT_SECS="$timeout_secs" \
  RATE_LIMIT_REQUESTS_PER_MINUTE=100000000 \
  RATE_LIMIT_SIGN_INS_PER_MINUTE=100000 \
  RATE_LIMIT_SIGN_INS_PER_ACCOUNT=100000 \
  "$tmp/taskdeck" serve >"$tmp/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 120); do
  curl -fsS -o /dev/null "$base/readyz" 2>/dev/null && break
  kill -0 "$server_pid" 2>/dev/null || { echo "the server stopped" >&2; exit 1; }
  sleep 0.5
done
curl -fsS -o /dev/null "$base/readyz" || { echo "the server did not become ready at $base" >&2; exit 1; }
echo "server at $base (pid $server_pid)"

step "seeding $tasks tasks ($seed)"
node bench/board/http.mjs setup "$base" >"$tmp/setup.json"
cookie=$(node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).cookie)' "$tmp/setup.json")
project_id=$(node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).projectId)' "$tmp/setup.json")
echo "signed up and created project $project_id through /api/sign_up, /api/sign_in and /api/create_project"
seed_started=$(date +%s%N)
if [ "$seed" = api ]; then
  node bench/board/http.mjs seed "$base" "$cookie" "$project_id" "$tasks" "${SEED_CONCURRENCY:-4}"
else
  # Task i (from 0) goes to todo / in_progress / done by i % 3, at position (i / 3) * 1024 in its
  # column: the same board the API seeding builds (create_task puts cards 1024 apart).
  now=$(date -u '+%Y-%m-%dT%H:%M:%S.%N+00:00')
  columns="project_id, title, description, status, priority, due_date, position, created_at, updated_at"
  status_of="CASE i % 3 WHEN 0 THEN 'todo' WHEN 1 THEN 'in_progress' ELSE 'done' END"
  case $backend in
    sqlite)
      sqlite3 -cmd '.timeout 30000' "$db_file" \
        "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < $tasks)
         INSERT INTO tasks ($columns)
         SELECT $project_id, printf('Benchmark task %05d', i + 1), '', $status_of, 'medium', NULL,
                (i / 3) * 1024, '$now', '$now' FROM n;"
      ;;
    postgres)
      psql "$database_url" -qX -v ON_ERROR_STOP=1 -c \
        "INSERT INTO tasks ($columns)
         SELECT $project_id, 'Benchmark task ' || lpad((i + 1)::text, 5, '0'), '', $status_of, 'medium', NULL,
                (i / 3) * 1024, now(), now() FROM generate_series(0, $tasks - 1) AS i;" >/dev/null
      ;;
  esac
  echo "seeded $tasks tasks with one INSERT in $((($(date +%s%N) - seed_started) / 1000000)) ms"
fi
if [ "$backend" = postgres ]; then
  # What autovacuum would soon do on its own; the plans then match a database in use.
  psql "$database_url" -qX -v ON_ERROR_STOP=1 -c 'ANALYZE tasks' >/dev/null
fi

step "server time ($runs requests after $warmups warm-ups)"
node bench/board/http.mjs time "$base" "$cookie" "$project_id" "$tasks" "$runs" "$warmups" "$timeout_secs"

step "browser time to first render ($browser_runs loads)"
node bench/board/browser.mjs "$base" "$cookie" "$project_id" "$tasks" "$browser_runs" "$timeout_secs"

# The server log without colours; the development-secret warning is expected here.
server_warnings=$(sed 's/\x1b\[[0-9;]*m//g' "$tmp/server.log" | grep -E ' (ERROR|WARN) ' | grep -v 'SESSION_SECRET is not set' || true)
if [ -n "$server_warnings" ]; then
  echo
  echo "server warnings and errors during the run ($(wc -l <<<"$server_warnings") lines, last 20):"
  tail -n 20 <<<"$server_warnings"
fi
step "done: $backend, $tasks tasks"
