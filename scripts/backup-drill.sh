#!/usr/bin/env bash
# Restore drill for the portable backup, on SQLite and PostgreSQL, both ways across them:
# seeds a known data set, notes every table's checksum, backs up, writes more (which must not come
# back), restores into a fresh database, and checks that exactly the noted data is there. Prints
# the backup's time and size and the restore's time (the RTO). Then runs the PostgreSQL
# point-in-time drill (scripts/pitr-drill.sh) when it is there.
#
# Usage: scripts/backup-drill.sh [--full] [path/to/taskdeck]   (default: target/release/taskdeck)
#   small (the test command):  2,000 tasks
#   --full (backup-test.yml):  1,000,000 tasks
# BACKUP_METRICS_DIR: write the drill's outcome there for node_exporter
# (taskdeck_restore_drill_*{kind="dump"}).
# TEST_POSTGRES_URL: a PostgreSQL server where databases may be created
# (default postgres://postgres@127.0.0.1:5432/postgres).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
full=false
if [ "${1:-}" = "--full" ]; then
  full=true
  shift
fi
binary=${1:-$root/target/release/taskdeck}
tasks=2000
$full && tasks=1000000
admin_url=${TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}

say() { printf '\033[1;34m[backup-drill]\033[0m %s\n' "$*" >&2; }
die() {
  printf '\033[1;31m[backup-drill]\033[0m %s\n' "$*" >&2
  record_outcome 0 0
  exit 1
}

metrics_dir=${BACKUP_METRICS_DIR:-}
record_outcome() {
  [ -n "$metrics_dir" ] || return 0
  local ok=$1 rto=$2 file=$metrics_dir/taskdeck_restore_drill_dump.prom previous_success=""
  [ -f "$file" ] && previous_success=$(sed -n 's/^taskdeck_restore_drill_last_success_timestamp_seconds{kind="dump"} //p' "$file")
  {
    echo '# HELP taskdeck_restore_drill_last_outcome 1 if the last restore drill succeeded, 0 if it failed.'
    echo '# TYPE taskdeck_restore_drill_last_outcome gauge'
    echo "taskdeck_restore_drill_last_outcome{kind=\"dump\"} $ok"
    local success=$previous_success
    [ "$ok" = 1 ] && success=$(date +%s)
    if [ -n "$success" ]; then
      echo '# HELP taskdeck_restore_drill_last_success_timestamp_seconds Unix time at which the last successful restore drill finished.'
      echo '# TYPE taskdeck_restore_drill_last_success_timestamp_seconds gauge'
      echo "taskdeck_restore_drill_last_success_timestamp_seconds{kind=\"dump\"} $success"
    fi
    if [ "$ok" = 1 ]; then
      echo '# HELP taskdeck_restore_drill_last_rto_seconds Recovery time measured by the last restore drill (restore started to database usable), in seconds.'
      echo '# TYPE taskdeck_restore_drill_last_rto_seconds gauge'
      echo "taskdeck_restore_drill_last_rto_seconds{kind=\"dump\"} $rto"
    fi
  } >"$metrics_dir/.drill.partial" && mv "$metrics_dir/.drill.partial" "$file"
}

[ -x "$binary" ] || die "no taskdeck binary at $binary (build it, or pass its path)"
command -v psql >/dev/null || die "psql is needed"
command -v python3 >/dev/null || die "python3 is needed (it writes the SQLite rows)"

scratch=$(mktemp -d "${TMPDIR:-/tmp}/taskdeck-backup-drill.XXXXXX")
# The drill's PostgreSQL databases all end in _$$ (new_database runs in a subshell, so they are
# found by name rather than kept in a list).
cleanup() {
  local db
  for db in $(psql -Atq "$admin_url" -c "SELECT datname FROM pg_database WHERE datname LIKE 'taskdeck\_drill\_%\_$$'" 2>/dev/null); do
    psql -q "$admin_url" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true
  done
  rm -rf "$scratch"
}
trap cleanup EXIT

now() { date +%s.%N; }
since() { python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.2f}')" "$1" "$(now)"; }

# A fresh, empty database of each kind; prints its URL.
new_database() {
  case $1 in
    sqlite) echo "sqlite://$scratch/$2.db?mode=rwc" ;;
    postgres)
      local name="taskdeck_drill_$2_$$"
      psql -q "$admin_url" -c "CREATE DATABASE $name" >/dev/null
      echo "${admin_url%/*}/$name"
      ;;
  esac
}

td() {
  local url=$1
  shift
  DATABASE_URL=$url LOG_LEVEL=error BACKUP_BEFORE_MIGRATE=false "$binary" "$@"
}

# Runs SQL on either kind of database.
run_sql() {
  local url=$1 sql=$2
  case $url in
    sqlite:*)
      local file=${url#sqlite://}
      python3 - "${file%%\?*}" "$sql" <<'EOF'
import sqlite3, sys
con = sqlite3.connect(sys.argv[1])
con.executescript(sys.argv[2])
con.commit()
EOF
      ;;
    *) psql -q -v ON_ERROR_STOP=1 "$url" -c "$sql" >/dev/null ;;
  esac
}

# Copies the demo's first task N times (the same SQL on both databases), and a comment each
# tenth task.
bulk_tasks() {
  local url=$1 n=$2 tag=$3
  run_sql "$url" "
    INSERT INTO tasks (project_id, title, description, status, priority, position, created_at, updated_at)
    SELECT t.project_id, '$tag ' || g.i, 'Drill row ' || g.i, t.status, t.priority, t.position + g.i, t.created_at, t.updated_at
    FROM (WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < $n) SELECT i FROM s) AS g,
         (SELECT * FROM tasks ORDER BY id LIMIT 1) AS t;
    INSERT INTO comments (task_id, author_id, body, created_at)
    SELECT t.id, p.owner_id, 'Comment on ' || t.title, t.created_at
    FROM tasks t JOIN projects p ON p.id = t.project_id WHERE t.title LIKE '$tag %' AND t.id % 10 = 0;"
}

tasks_in() { td "$1" backup checksums | awk '$1 == "tasks" { print $2 }'; }

failures=0
summary=()
drill() {
  local from=$1 to=$2 tag=${1}_to_${2}
  say "$from -> $to: seeding $tasks tasks"
  local source target
  source=$(new_database "$from" "${tag}_source")
  td "$source" migrate up
  td "$source" seed >/dev/null
  bulk_tasks "$source" "$tasks" Seeded
  local noted=$scratch/$tag.noted
  td "$source" backup checksums >"$noted"
  local file=$scratch/$tag.tdbackup started
  started=$(now)
  td "$source" backup --output "$file" >/dev/null
  local backup_seconds size
  backup_seconds=$(since "$started")
  size=$(stat -c %s "$file")
  # Written after the backup: must not come back.
  bulk_tasks "$source" 25 Later
  target=$(new_database "$to" "${tag}_target")
  started=$(now)
  td "$target" restore "$file" >/dev/null
  local rto
  rto=$(since "$started")
  local found=$scratch/$tag.found
  td "$target" backup checksums >"$found"
  if diff -u "$noted" "$found" >&2; then
    say "$from -> $to: every table matches its noted checksum; the 25 later tasks are absent ($(tasks_in "$target") tasks)"
  else
    say "$from -> $to: MISMATCH between the noted data and the restored data"
    failures=$((failures + 1))
  fi
  # The restored database serves: its schema is brought up to date like after any restore.
  td "$target" migrate up
  summary+=("$(printf '%-20s %9s tasks  backup %6ss %9s bytes  restore (RTO) %6ss' "$from -> $to" "$tasks" "$backup_seconds" "$size" "$rto")")
  last_rto=$rto
}

last_rto=0
for pair in "sqlite sqlite" "postgres postgres" "sqlite postgres" "postgres sqlite"; do
  # shellcheck disable=SC2086
  drill $pair
done

say "portable backup drill, $tasks tasks:"
printf '  %s\n' "${summary[@]}" >&2
[ "$failures" -eq 0 ] || die "$failures drill(s) restored different data"
record_outcome 1 "$last_rto"

if [ -x "$root/scripts/pitr-drill.sh" ]; then
  say "PostgreSQL point-in-time recovery drill"
  if $full; then
    "$root/scripts/pitr-drill.sh" --full "$binary"
  else
    "$root/scripts/pitr-drill.sh" "$binary"
  fi
fi
say "passed"
