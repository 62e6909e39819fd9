# shellcheck shell=bash
# What the benchmarks share: a copy of the release build, a fresh database, a server on a free
# port, tasks seeded with one INSERT, and cleaning all of it up. Sourced by bench/*/run.sh from
# the repository root; each function says what it sets.

bench_step() { printf '\n\033[1;32m==> %s\033[0m\n' "$*"; }

bench_admin_url=${BENCH_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}
bench_tmp=$(mktemp -d "${TMPDIR:-/tmp}/taskdeck-bench.XXXXXX")
bench_servers=()
bench_databases=()

bench_cleanup() {
  local status=$? pid db
  for pid in "${bench_servers[@]}"; do
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  for db in "${bench_databases[@]}"; do
    psql "$bench_admin_url" -qX -v ON_ERROR_STOP=1 -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null ||
      echo "could not drop the database $db" >&2
  done
  if [ "$status" -ne 0 ]; then
    for log in "$bench_tmp"/server*.log; do
      [ -f "$log" ] || continue
      echo "--- last lines of $(basename "$log") ---" >&2
      tail -n 30 "$log" >&2
    done
  fi
  [ -n "${BENCH_KEEP:-}" ] && echo "kept $bench_tmp" >&2 || rm -rf "$bench_tmp"
}
trap bench_cleanup EXIT

# The release binary, its hash file and its site, built when missing (or when REBUILD=1), and
# copied: another build writing target/ during the run would otherwise hand the browser a
# half-written or newer WASM bundle than the server that renders the page. Sets bench_binary,
# bench_site and bench_wasm (the hashed WASM file in the copy).
bench_release_copy() {
  local binary=target/release/taskdeck hash_file=target/release/hash.txt
  if [ ! -x "$binary" ] || [ ! -f "$hash_file" ] || [ "${REBUILD:-0}" = 1 ]; then
    bench_step "release build (scripts/build-release)"
    scripts/build-release
    [ -x "$binary" ] || { echo "the release build did not produce $binary" >&2; exit 1; }
  fi
  local wasm
  wasm=target/site/pkg/taskdeck.$(awk '$1 == "wasm:" { print $2 }' "$hash_file").wasm
  [ -f "$wasm" ] || { echo "$hash_file names $wasm, which is not there: rebuild (REBUILD=1)" >&2; exit 1; }
  cp "$binary" "$bench_tmp/taskdeck"
  cp "$hash_file" "$bench_tmp/hash.txt"
  cp -a target/site "$bench_tmp/site"
  bench_binary=$bench_tmp/taskdeck
  bench_site=$bench_tmp/site
  bench_wasm=$bench_site/pkg/$(basename "$wasm")
}

bench_machine() {
  echo "cores: $(nproc); cpu: $(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo); memory: $(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)"
  echo "binary: target/release/taskdeck built $(date -u -r target/release/taskdeck '+%Y-%m-%d %H:%M:%S UTC'), $(basename "$bench_wasm") ($(stat -c %s "$bench_wasm") bytes); HEAD $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
  if pgrep -x cargo >/dev/null || pgrep -x rustc >/dev/null; then
    echo "note: cargo or rustc is running at the same time; on a small machine that skews every figure"
  fi
  if [ -n "$(git status --porcelain -- app server store domain frontend migration style 2>/dev/null)" ]; then
    echo "note: the working tree has uncommitted changes; the binary may predate them (REBUILD=1 rebuilds)"
  fi
}

# A fresh, empty database of BACKEND (sqlite or postgres). Sets bench_database_url, and
# bench_db_name (postgres) or bench_db_file (sqlite).
bench_fresh_db() {
  case $1 in
    sqlite)
      bench_db_file=$(mktemp -u "$bench_tmp/taskdeck.XXXXXX.db")
      bench_database_url="sqlite://$bench_db_file?mode=rwc"
      echo "SQLite file $bench_db_file"
      ;;
    postgres)
      bench_db_name="taskdeck_bench_$(head -c 6 /dev/urandom | od -An -tx1 | tr -d ' \n')"
      psql "$bench_admin_url" -qX -v ON_ERROR_STOP=1 -c "CREATE DATABASE $bench_db_name" >/dev/null
      bench_databases+=("$bench_db_name")
      bench_database_url="${bench_admin_url%/*}/$bench_db_name"
      echo "PostgreSQL database $bench_db_name ($(psql "$bench_admin_url" -AtX -c 'SHOW server_version'))"
      ;;
  esac
}

bench_free_port() {
  node -e 'const s = require("net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });'
}

# Starts the copied binary on bench_database_url and waits until GET /login answers 200. Sets
# bench_server_pid, bench_base and bench_cold_start_ms (from the spawn to that first answer).
# LOG_NAME names the log file in bench_tmp.
bench_start_server() {
  local log_name=${1:-server} port started
  port=$(bench_free_port)
  bench_base="http://127.0.0.1:$port"
  started=$(date +%s%N)
  DATABASE_URL="$bench_database_url" \
    LEPTOS_SITE_ADDR="127.0.0.1:$port" \
    LEPTOS_SITE_ROOT="$bench_site" \
    APP_URL="$bench_base" \
    METRICS_ADDR=127.0.0.1:0 \
    LOG_LEVEL=warn \
    REQUEST_TIMEOUT_SECS="${TIMEOUT_SECS:-600}" \
    RATE_LIMIT_REQUESTS_PER_MINUTE=100000000 \
    RATE_LIMIT_SIGN_INS_PER_MINUTE=100000 \
    RATE_LIMIT_SIGN_INS_PER_ACCOUNT=100000 \
    "$bench_binary" serve >"$bench_tmp/$log_name.log" 2>&1 &
  bench_server_pid=$!
  bench_servers+=("$bench_server_pid")
  for _ in $(seq 1 12000); do
    curl -fsS -o /dev/null "$bench_base/login" 2>/dev/null && break
    kill -0 "$bench_server_pid" 2>/dev/null || { echo "the server stopped" >&2; exit 1; }
    sleep 0.005
  done
  curl -fsS -o /dev/null "$bench_base/login" || { echo "the server did not answer at $bench_base" >&2; exit 1; }
  bench_cold_start_ms=$((($(date +%s%N) - started) / 1000000))
  echo "server at $bench_base (pid $bench_server_pid), first page answered ${bench_cold_start_ms} ms after the start"
}

bench_stop_server() {
  kill "$bench_server_pid" 2>/dev/null || true
  wait "$bench_server_pid" 2>/dev/null || true
  # Not killed again at exit: by then the number may be another process's.
  local pid kept=()
  for pid in "${bench_servers[@]}"; do [ "$pid" = "$bench_server_pid" ] || kept+=("$pid"); done
  bench_servers=("${kept[@]}")
}

# An account and a project through the API. Sets bench_cookie and bench_project_id.
bench_account() {
  node bench/board/http.mjs setup "$bench_base" >"$bench_tmp/setup.json"
  bench_cookie=$(node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).cookie)' "$bench_tmp/setup.json")
  bench_project_id=$(node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).projectId)' "$bench_tmp/setup.json")
  echo "signed up and created project $bench_project_id through /api/sign_up, /api/sign_in and /api/create_project"
}

# Runs one SQL statement on the benchmark database (sqlite3 CLI or psql) and prints its rows.
bench_sql() {
  case $1 in
    sqlite) sqlite3 -cmd '.timeout 30000' "$bench_db_file" "$2" ;;
    postgres) psql "$bench_database_url" -AtqX -v ON_ERROR_STOP=1 -c "$2" ;;
  esac
}

# BACKEND TASKS: task i (from 0) goes to todo / in_progress / done by i % 3, at position
# (i / 3) * 1024 in its column: the same board the API builds (create_task puts cards 1024
# apart), with one INSERT.
bench_seed_sql() {
  local backend=$1 tasks=$2 started now
  local columns="project_id, title, description, status, priority, due_date, position, created_at, updated_at"
  local status_of="CASE i % 3 WHEN 0 THEN 'todo' WHEN 1 THEN 'in_progress' ELSE 'done' END"
  started=$(date +%s%N)
  case $backend in
    sqlite)
      now=$(date -u '+%Y-%m-%dT%H:%M:%S.%N+00:00')
      bench_sql sqlite \
        "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < $tasks)
         INSERT INTO tasks ($columns)
         SELECT $bench_project_id, printf('Benchmark task %05d', i + 1), '', $status_of, 'medium', NULL,
                (i / 3) * 1024, '$now', '$now' FROM n;"
      ;;
    postgres)
      bench_sql postgres \
        "INSERT INTO tasks ($columns)
         SELECT $bench_project_id, 'Benchmark task ' || lpad((i + 1)::text, 5, '0'), '', $status_of, 'medium', NULL,
                (i / 3) * 1024, now(), now() FROM generate_series(0, $tasks - 1) AS i;" >/dev/null
      # What autovacuum would soon do on its own; the plans then match a database in use.
      bench_sql postgres 'ANALYZE' >/dev/null
      ;;
  esac
  echo "seeded $tasks tasks with one INSERT in $((($(date +%s%N) - started) / 1000000)) ms"
}

# The server's warnings and errors, without colours; the development-secret warning is expected.
bench_server_warnings() {
  local log=$1 warnings
  warnings=$(sed 's/\x1b\[[0-9;]*m//g' "$log" | grep -E ' (ERROR|WARN) ' | grep -v 'SESSION_SECRET is not set' || true)
  if [ -n "$warnings" ]; then
    echo
    echo "server warnings and errors during the run ($(wc -l <<<"$warnings") lines, last 20):"
    tail -n 20 <<<"$warnings"
  fi
}
