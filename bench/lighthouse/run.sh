#!/usr/bin/env bash
# Lighthouse on the sign-in page, a board and a task page of the release build, mobile and desktop
# profiles: performance score, LCP, TBT, CLS and bytes transferred. A benchmark: it prints a table
# and fails only when something does not work (bench/budget.mjs judges the mobile score).
#
# Usage: bench/lighthouse/run.sh [TASKS=200]
#
# Environment (all optional): BENCH_JSON=FILE (append the figures as JSON lines), REBUILD=1,
# CHROMIUM (default /usr/bin/chromium).
set -euo pipefail
cd "$(dirname "$0")/../.."
tasks=${1:-200}
[[ $tasks =~ ^[1-9][0-9]*$ ]] || { echo "TASKS must be a whole number, 1 or more (got $tasks)" >&2; exit 2; }
# Lighthouse, Chromium and sqlite3, installed when missing.
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
echo "$("${CHROMIUM:-/usr/bin/chromium}" --version 2>/dev/null || echo chromium)"

bench_step "a board of $tasks tasks on SQLite"
bench_fresh_db sqlite
bench_start_server
bench_account
bench_seed_sql sqlite "$tasks"
task_id=$(bench_sql sqlite "SELECT min(id) FROM tasks")

bench_step "Lighthouse, mobile and desktop"
node bench/lighthouse/audit.mjs - "sign-in=$bench_base/login"
node bench/lighthouse/audit.mjs "$bench_cookie" \
  "board=$bench_base/projects/$bench_project_id" \
  "task=$bench_base/tasks/$task_id"
bench_server_warnings "$bench_tmp/server.log"
