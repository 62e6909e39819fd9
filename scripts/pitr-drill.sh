#!/usr/bin/env bash
# Point-in-time recovery drill for Taskdeck on PostgreSQL 15 with pgBackRest.
#
#   scripts/pitr-drill.sh [--full] [--target-after-writes] BINARY
#
# It builds everything it needs and removes it again on exit:
#   * a throwaway PostgreSQL 15 cluster (initdb in a temp dir, port $PITR_DRILL_PORT, default
#     5499) that archives its WAL with `pgbackrest archive-push` (archive_timeout = 60 s);
#   * repo1: a posix pgBackRest repository in the temp dir (zstd);
#   * repo2: an S3 bucket on moto (plain http) behind stunnel (TLS), the off-site copy;
# then: stanza-create, check, `BINARY migrate up`, seeds users / projects / tasks / comments
# (2,000 tasks; --full: 1,000,000), takes a full backup into each repository, writes more,
# records a checksum of every table and the time T, writes MORE (which must not come back),
# archives the WAL, destroys the cluster, and restores to T into a fresh data directory: once
# from repo1 and once from repo2 alone (repo1 moved out of reach). Each restored cluster must
# promote and hold exactly the tables as they were at T.
#
# Prints backup time and size, the RTO (restore command started -> promoted, queryable
# database) for each repository and the achieved RPO. Exits non-zero on any mismatch.
# If BACKUP_METRICS_DIR is set, writes the outcome there as Prometheus textfile metrics
# (taskdeck_restore_drill_*{kind="pitr"}, file taskdeck_restore_drill_pitr.prom).
#
# --target-after-writes restores to a time after the later writes instead of T: the drill must
# then FAIL (it is how you check that the checker can fail).
#
# Environment: PITR_DRILL_PORT (5499), PITR_PG_VERSION (15), PITR_VENV
# (~/.cache/taskdeck-pitr-venv, holds moto and awscli), PITR_DRILL_KEEP=1 keeps the temp dir
# for inspection, BACKUP_METRICS_DIR. Needs root (PostgreSQL and pgBackRest run as postgres);
# not root, it runs itself again through sudo.
set -euo pipefail
if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1; then
  exec sudo --preserve-env=PITR_DRILL_PORT,PITR_PG_VERSION,PITR_VENV,PITR_DRILL_KEEP,BACKUP_METRICS_DIR "$0" "$@"
fi

usage() {
  sed -n '2,/^set -euo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//' >&2
}
die() {
  echo "pitr-drill: FAIL: $*" >&2
  exit 1
}

full=0
target_after_writes=0
while [ $# -gt 0 ]; do
  case "$1" in
    --full) full=1; shift ;;
    --target-after-writes) target_after_writes=1; shift ;;
    -h | --help) usage; exit 0 ;;
    --) shift; break ;;
    -*) usage; die "unknown option $1" ;;
    *) break ;;
  esac
done
[ $# -eq 1 ] || { usage; die "expected exactly one argument: the taskdeck binary"; }
binary="$(readlink -f "$1")"
[ -x "$binary" ] || die "taskdeck binary '$1' not found or not executable"

port="${PITR_DRILL_PORT:-5499}"
venv="${PITR_VENV:-$HOME/.cache/taskdeck-pitr-venv}"
pg_version="${PITR_PG_VERSION:-15}"
pgbin="/usr/lib/postgresql/$pg_version/bin"
stanza=taskdeck
bucket=taskdeck-pitr
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo_root="$(cd "$here/.." && pwd)"

if [ "$full" -eq 1 ]; then tasks=1000000; else tasks=2000; fi
users=$((tasks / 100))
projects=$((tasks / 50))
comments=$((tasks / 2))
more_tasks=$((tasks / 10))

now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }
drill_start="$(now)"
say() { printf "pitr-drill: [%6ss] %s\n" "$(secs "$drill_start" "$(now)")" "$*"; }

# ---------------------------------------------------------------- tools (idempotent, quick)
[ "$(id -u)" -eq 0 ] || die "run as root or with sudo (the drill runs PostgreSQL and pgBackRest as user postgres)"
need_apt=()
[ -x "$pgbin/initdb" ] || need_apt+=("postgresql-$pg_version")
command -v pgbackrest >/dev/null 2>&1 || need_apt+=(pgbackrest)
command -v stunnel4 >/dev/null 2>&1 || need_apt+=(stunnel4)
command -v openssl >/dev/null 2>&1 || need_apt+=(openssl)
command -v python3 >/dev/null 2>&1 || need_apt+=(python3 python3-venv)
if [ "${#need_apt[@]}" -gt 0 ]; then
  say "installing ${need_apt[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi
if [ ! -x "$venv/bin/moto_server" ] || [ ! -x "$venv/bin/aws" ]; then
  say "installing moto[server] and awscli into $venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q 'moto[server]' awscli
fi

if "$pgbin/pg_isready" -q -h 127.0.0.1 -p "$port"; then
  die "something already answers on 127.0.0.1:$port; set PITR_DRILL_PORT to a free port"
fi

# ---------------------------------------------------------------- workspace and cleanup
tmp="$(mktemp -d /tmp/taskdeck-pitr.XXXXXX)"
chmod 755 "$tmp"
mkdir -p "$tmp"/{sock,log,repo1,lock,spool,tls}
chown postgres:postgres "$tmp"/{sock,log,repo1,lock,spool}
clusters=()
moto_pid=""
stunnel_pid=""
metrics_written=0
show_logs=1 # on a failed step, print the end of the PostgreSQL logs

write_drill_metrics() { # outcome rto
  [ -n "${BACKUP_METRICS_DIR:-}" ] || return 0
  local outcome="$1" rto="$2" file="$BACKUP_METRICS_DIR/taskdeck_restore_drill_pitr.prom" last=""
  mkdir -p "$BACKUP_METRICS_DIR"
  if [ "$outcome" -eq 1 ]; then
    last="$(date +%s)"
  elif [ -f "$file" ]; then
    # A failed drill keeps the time of the last one that succeeded.
    last="$(sed -n 's/^taskdeck_restore_drill_last_success_timestamp_seconds{kind="pitr"} //p' "$file")"
  fi
  {
    echo '# HELP taskdeck_restore_drill_last_outcome 1 if the last restore drill succeeded, 0 if it failed.'
    echo '# TYPE taskdeck_restore_drill_last_outcome gauge'
    echo "taskdeck_restore_drill_last_outcome{kind=\"pitr\"} $outcome"
    if [ -n "$last" ]; then
      echo '# HELP taskdeck_restore_drill_last_success_timestamp_seconds Unix time at which the last successful restore drill finished.'
      echo '# TYPE taskdeck_restore_drill_last_success_timestamp_seconds gauge'
      echo "taskdeck_restore_drill_last_success_timestamp_seconds{kind=\"pitr\"} $last"
    fi
    if [ -n "$rto" ]; then
      echo '# HELP taskdeck_restore_drill_last_rto_seconds Recovery time measured by the last restore drill (restore started to database usable), in seconds.'
      echo '# TYPE taskdeck_restore_drill_last_rto_seconds gauge'
      echo "taskdeck_restore_drill_last_rto_seconds{kind=\"pitr\"} $rto"
    fi
  } >"$file.tmp.$$"
  mv -f "$file.tmp.$$" "$file"
  metrics_written=1
  say "metrics written to $file"
}

stop_cluster() { # datadir
  if [ -f "$1/postmaster.pid" ]; then
    runuser -u postgres -- "$pgbin/pg_ctl" -D "$1" -m immediate -w -t 30 stop >/dev/null 2>&1 || true
  fi
}

cleanup() {
  local rc=$?
  set +e
  for d in "${clusters[@]}"; do stop_cluster "$d"; done
  if [ -n "$stunnel_pid" ]; then kill "$stunnel_pid" 2>/dev/null; wait "$stunnel_pid" 2>/dev/null; fi
  if [ -n "$moto_pid" ]; then kill "$moto_pid" 2>/dev/null; wait "$moto_pid" 2>/dev/null; fi
  if [ "$rc" -ne 0 ] && [ "$metrics_written" -eq 0 ]; then write_drill_metrics 0 ""; fi
  if [ "${PITR_DRILL_KEEP:-0}" = 1 ]; then
    say "kept $tmp (logs in $tmp/log)"
  else
    if [ "$rc" -ne 0 ] && [ "$show_logs" -eq 1 ] && [ -f "$tmp/log/pgbackrest-restore.log" ]; then
      echo "---- last lines of the PostgreSQL logs" >&2
      tail -n 15 "$tmp"/log/pg-*.log >&2 2>/dev/null
    fi
    rm -rf "$tmp"
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
wait_port() { # port what
  for _ in $(seq 1 300); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  die "$2 did not listen on 127.0.0.1:$1 within 30 s (log: $tmp/log)"
}

psql_as() { # database sql
  "$pgbin/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U postgres -d "$1" -Atc "$2"
}
q() { psql_as taskdeck "$1"; }
pgbr() { runuser -u postgres -- pgbackrest --config="$tmp/pgbackrest.conf" --stanza="$stanza" "$@"; }

# ---------------------------------------------------------------- S3 off-site copy: moto + stunnel
moto_port="$(free_port)"
tls_port="$(free_port)"
export AWS_ACCESS_KEY_ID=taskdeck-drill AWS_SECRET_ACCESS_KEY=taskdeck-drill-secret AWS_DEFAULT_REGION=us-east-1
"$venv/bin/moto_server" -H 127.0.0.1 -p "$moto_port" >"$tmp/log/moto.log" 2>&1 &
moto_pid=$!
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 \
  -keyout "$tmp/tls/key.pem" -out "$tmp/tls/cert.pem" >/dev/null 2>&1
cat >"$tmp/stunnel.conf" <<EOF
foreground = yes
pid =
output = $tmp/log/stunnel.log
[s3]
accept = 127.0.0.1:$tls_port
connect = 127.0.0.1:$moto_port
cert = $tmp/tls/cert.pem
key = $tmp/tls/key.pem
EOF
stunnel4 "$tmp/stunnel.conf" >/dev/null 2>&1 &
stunnel_pid=$!

# ---------------------------------------------------------------- pgBackRest configuration
# deploy/pgbackrest/pgbackrest.conf itself (retention, bundling, zstd, repo2 encryption,
# asynchronous archiving...), with its paths, endpoint and secrets replaced for this machine:
# the drill tests the configuration that production uses.
conf_template="$repo_root/deploy/pgbackrest/pgbackrest.conf"
[ -f "$conf_template" ] || die "missing $conf_template"
python3 - "$conf_template" "$tmp/pgbackrest.conf" \
  "global:repo1-path=$tmp/repo1" \
  "global:repo2-path=/pgbackrest" \
  "global:repo2-s3-endpoint=127.0.0.1" \
  "global:repo2-storage-port=$tls_port" \
  "global:repo2-storage-verify-tls=n" \
  "global:repo2-s3-bucket=$bucket" \
  "global:repo2-s3-region=us-east-1" \
  "global:repo2-s3-uri-style=path" \
  "global:repo2-s3-key=$AWS_ACCESS_KEY_ID" \
  "global:repo2-s3-key-secret=$AWS_SECRET_ACCESS_KEY" \
  "global:repo2-cipher-pass=taskdeck-drill-only-passphrase" \
  "global:log-path=$tmp/log" \
  "global:lock-path=$tmp/lock" \
  "global:spool-path=$tmp/spool" \
  "$stanza:pg1-path=$tmp/pg" \
  "$stanza:pg1-port=$port" \
  "$stanza:pg1-socket-path=$tmp/sock" \
  "$stanza:pg1-user=postgres" <<'PY' || die "could not render $conf_template"
import re
import sys

template, out = sys.argv[1:3]
overrides = {}
for arg in sys.argv[3:]:
    section, rest = arg.split(":", 1)
    key, value = rest.split("=", 1)
    overrides.setdefault(section, {})[key] = value
lines, section, seen, headers = [], None, set(), set()

def flush():
    # Keys the template does not set go at the end of their section.
    for key, value in overrides.get(section, {}).items():
        if (section, key) not in seen:
            lines.append("%s=%s" % (key, value))

for line in open(template).read().splitlines():
    header = re.match(r"^\[(.+)\]\s*$", line)
    if header:
        flush()
        section = header.group(1)
        headers.add(section)
    else:
        option = re.match(r"^([a-z0-9-]+)=", line)
        if option and option.group(1) in overrides.get(section, {}):
            seen.add((section, option.group(1)))
            line = "%s=%s" % (option.group(1), overrides[section][option.group(1)])
    lines.append(line)
flush()
if set(overrides) - headers:
    sys.exit("sections %s not in the template" % sorted(set(overrides) - headers))
open(out, "w").write("\n".join(lines) + "\n")
PY
chown postgres:postgres "$tmp/pgbackrest.conf"
chmod 600 "$tmp/pgbackrest.conf"

# ---------------------------------------------------------------- the cluster that will be lost
mkdir -m 700 "$tmp/pg"
chown postgres:postgres "$tmp/pg"
runuser -u postgres -- "$pgbin/initdb" -D "$tmp/pg" -A trust -U postgres -E UTF8 --locale=C.UTF-8 \
  --data-checksums --no-sync >"$tmp/log/initdb.log" 2>&1 || die "initdb failed (see $tmp/log/initdb.log)"
clusters+=("$tmp/pg")
# moto and stunnel started above while initdb ran.
wait_port "$moto_port" "moto_server"
wait_port "$tls_port" "stunnel"
"$venv/bin/aws" --endpoint-url "http://127.0.0.1:$moto_port" s3 mb "s3://$bucket" >/dev/null ||
  die "could not create bucket $bucket on moto"
say "S3 off-site copy: moto on http://127.0.0.1:$moto_port behind stunnel TLS on 127.0.0.1:$tls_port"
cat >>"$tmp/pg/postgresql.conf" <<EOF

# ---- taskdeck PITR drill (see deploy/pgbackrest/postgresql.conf)
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$tmp/sock'
wal_level = replica
archive_mode = on
archive_timeout = 60
archive_command = 'pgbackrest --config=$tmp/pgbackrest.conf --stanza=$stanza archive-push %p'
max_wal_size = 2GB
shared_buffers = 128MB
EOF
start_cluster() { # datadir logname
  runuser -u postgres -- "$pgbin/pg_ctl" -D "$1" -l "$tmp/log/pg-$2.log" -w -t 600 start >/dev/null ||
    die "PostgreSQL in $1 did not start (log: $tmp/log/pg-$2.log)"
}
start_cluster "$tmp/pg" original
psql_as postgres "create database taskdeck" >/dev/null

t0="$(now)"
pgbr stanza-create >/dev/null || die "pgbackrest stanza-create failed (log: $tmp/log)"
pgbr check >/dev/null || die "pgbackrest check failed: WAL archiving to repo1/repo2 does not work"
say "stanza-create + check (archive_command reaches both repositories): $(secs "$t0" "$(now)") s"

t0="$(now)"
# In the temp dir, so anything the binary writes next to it (a pre-migration snapshot) goes too.
(cd "$tmp" && DATABASE_URL="postgres://postgres@127.0.0.1:$port/taskdeck" LOG_LEVEL=warn \
  "$binary" migrate up >"$tmp/log/migrate.log" 2>&1) ||
  { cat "$tmp/log/migrate.log" >&2; die "$binary migrate up failed"; }
say "migrate up: $(secs "$t0" "$(now)") s"

# ---------------------------------------------------------------- seed a known data set
t0="$(now)"
q "
begin;
insert into users (email, password_hash, created_at)
  select 'drill-user-' || g || '@example.test', null, timestamptz '2026-01-01 00:00:00+00' + g * interval '1 minute'
  from generate_series(1, $users) g;
insert into projects (owner_id, name, created_at, updated_at)
  select u.m + (g % $users), 'Drill project ' || g,
         timestamptz '2026-02-01 00:00:00+00' + g * interval '1 minute',
         timestamptz '2026-02-01 00:00:00+00' + g * interval '1 minute'
  from (select min(id) m from users) u, generate_series(1, $projects) g;
insert into tasks (project_id, title, description, status, priority, due_date, position, created_at, updated_at)
  select p.m + (g % $projects), 'Task ' || g, 'Description of task ' || g || ': ' || md5(g::text),
         (array['todo','in_progress','done'])[1 + g % 3],
         (array['low','medium','high','urgent'])[1 + g % 4],
         case when g % 5 = 0 then null else date '2026-12-01' + (g % 90) end,
         g * 1024,
         timestamptz '2026-03-01 00:00:00+00' + g * interval '1 second',
         timestamptz '2026-03-01 00:00:00+00' + g * interval '1 second'
  from (select min(id) m from projects) p, generate_series(1, $tasks) g;
insert into comments (task_id, author_id, body, created_at)
  select t.m + (g % $tasks), u.m + (g % $users), 'Comment ' || g || ' ' || md5((g * 7)::text),
         timestamptz '2026-04-01 00:00:00+00' + g * interval '1 second'
  from (select min(id) m from tasks) t, (select min(id) m from users) u, generate_series(1, $comments) g;
commit;
analyze;"
db_bytes="$(q "select pg_database_size('taskdeck')")"
say "seeded $users users, $projects projects, $tasks tasks, $comments comments in $(secs "$t0" "$(now)") s (database $db_bytes bytes)"

# ---------------------------------------------------------------- full backup into each repository
t0="$(now)"
pgbr --repo=1 --type=full backup || die "pgbackrest full backup to repo1 failed (log: $tmp/log)"
t1="$(now)"
pgbr --repo=2 --type=full backup || die "pgbackrest full backup to repo2 (S3) failed (log: $tmp/log)"
t2="$(now)"
backup1_s="$(secs "$t0" "$t1")"
backup2_s="$(secs "$t1" "$t2")"
info="$(pgbr --output=json info)"
read -r backup1_bytes backup2_bytes backup_db_bytes < <(python3 -c '
import json, sys
stanza = json.load(sys.stdin)[0]
size = {}
for b in stanza["backup"]:
    size[b["database"]["repo-key"]] = (b["info"]["repository"]["delta"], b["info"]["size"])
print(size[1][0], size[2][0], size[1][1])' <<<"$info")
say "full backup: repo1 $backup1_s s, $backup1_bytes bytes stored (zstd) of $backup_db_bytes; repo2 (S3) $backup2_s s, $backup2_bytes bytes"

# ---------------------------------------------------------------- more writes before T (come back from WAL)
q "
begin;
insert into tasks (project_id, title, description, status, priority, due_date, position, created_at, updated_at)
  select p.m + (g % $projects), 'Task after the backup ' || g, 'Written after the full backup, before T',
         'todo', 'high', null, (1000000000::bigint + g) * 1024, clock_timestamp(), clock_timestamp()
  from (select min(id) m from projects) p, generate_series(1, $more_tasks) g;
update tasks set status = 'done', updated_at = clock_timestamp() where id % 20 = 0;
delete from comments where id % 50 = 0;
commit;" >/dev/null
# The last write before T, in its own transaction: its time is the start of the RPO gap.
last_write="$(q "insert into comments (task_id, author_id, body, created_at)
  select min(id), null, 'the last write before T', clock_timestamp() from tasks
  returning extract(epoch from created_at)")"

# ---------------------------------------------------------------- checksums and T
checksum_sql="select string_agg(format('%s %s', tbl, sum), E'\n' order by tbl) from ("
tables="$(q "select tablename from pg_tables where schemaname = 'public' order by 1")"
first=1
for tbl in $tables; do
  [ "$first" -eq 1 ] || checksum_sql+=" union all "
  first=0
  checksum_sql+="select '$tbl' as tbl, count(*) || ' ' || md5(coalesce(string_agg(md5(t::text), '' order by md5(t::text)), '')) as sum from public.\"$tbl\" t"
done
checksum_sql+=") s"
before="$(q "$checksum_sql")"
[ -n "$before" ] || die "no tables found in database taskdeck (did migrate up run?)"
rows_before="$(q "select count(*) from tasks")"
target="$(q "select to_char(clock_timestamp() at time zone 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') || '+00'")"
target_epoch="$(q "select extract(epoch from timestamptz '$target')")"
sleep 0.2

# ---------------------------------------------------------------- MORE writes after T (must not come back)
q "
begin;
insert into users (email, password_hash, created_at) values ('after-t@example.test', null, clock_timestamp());
insert into tasks (project_id, title, description, status, priority, due_date, position, created_at, updated_at)
  select p.m + (g % $projects), 'after-T ' || g, 'Written after T: must not be restored',
         'todo', 'urgent', null, (2000000000::bigint + g) * 1024, clock_timestamp(), clock_timestamp()
  from (select min(id) m from projects) p, generate_series(1, 100) g;
update tasks set title = title || ' (renamed after T)' where id % 7 = 0;
delete from comments where id % 3 = 0;
commit;" >/dev/null
after_target="$(q "select to_char(clock_timestamp() at time zone 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') || '+00'")"
sleep 0.2
q "update projects set name = name || ' (after T)', revision = revision + 1 where id % 2 = 0" >/dev/null
after_rows="$(q "select count(*) from tasks where title like 'after-T %'")"
[ "$after_rows" -eq 100 ] || die "the writes after T did not land ($after_rows rows)"
if [ "$target_after_writes" -eq 1 ]; then
  say "--target-after-writes: restoring to $after_target, AFTER the later writes: the drill must fail"
  target="$after_target"
fi

# Archive everything written so far: check switches the WAL segment and waits until both
# repositories hold it.
t0="$(now)"
pgbr check >/dev/null || die "pgbackrest check (forcing WAL archiving) failed"
archive_s="$(secs "$t0" "$(now)")"
archive_age="$(psql_as postgres "select coalesce(round(extract(epoch from now() - last_archived_time))::int, -1) || ' s, ' || failed_count || ' failed' from pg_stat_archiver")"
say "WAL archived to both repositories in $archive_s s (pg_stat_archiver: last archive $archive_age)"

# ---------------------------------------------------------------- the loss
stop_cluster "$tmp/pg"
rm -rf "$tmp/pg"
say "original cluster stopped (-m immediate) and its data directory deleted"

# ---------------------------------------------------------------- restore to T, check
mismatch=0
declare -A rto_of=()
survived=""
restore_and_check() { # repo datadir
  local repo="$1" dir="$2" start end rto after got state stop_line
  mkdir -m 700 "$dir"
  chown postgres:postgres "$dir"
  clusters+=("$dir")
  start="$(now)"
  # A fresh, empty data directory: no --delta (that is for restoring over an existing one).
  pgbr "--repo=$repo" "--pg1-path=$dir" --type=time "--target=$target" \
    --target-action=promote --archive-mode=off restore >>"$tmp/log/pgbackrest-restore.log" 2>&1 ||
    { cat "$tmp/log/pgbackrest-restore.log" >&2; die "pgbackrest restore from repo$repo failed"; }
  start_cluster "$dir" "repo$repo"
  state=""
  for _ in $(seq 1 6000); do
    state="$(q "select pg_is_in_recovery()" 2>/dev/null || true)"
    [ "$state" = f ] && break
    sleep 0.1
  done
  [ "$state" = f ] || die "restore from repo$repo: the cluster did not promote within 600 s (log: $tmp/log/pg-repo$repo.log)"
  end="$(now)"
  rto="$(secs "$start" "$end")"
  rto_of[$repo]="$rto"
  stop_line="$(grep -m1 -o 'recovery stopping [^,]*' "$tmp/log/pg-repo$repo.log" || true)"
  say "repo$repo: restore + recovery to T + promotion: RTO $rto s (${stop_line:-no stop line in the log})"

  after="$(q "$checksum_sql")"
  if [ "$after" = "$before" ]; then
    say "repo$repo: all $(wc -l <<<"$before") tables match their checksums at T"
  else
    echo "pitr-drill: repo$repo: MISMATCH between the tables at T and the restored tables:" >&2
    diff <(echo "$before") <(echo "$after") | sed 's/^/    /' >&2 || true
    mismatch=1
  fi
  got="$(q "select count(*) from tasks where title like 'after-T %' or title like '% (renamed after T)'")"
  if [ "$got" -ne 0 ]; then
    echo "pitr-drill: repo$repo: $got task rows written after T came back" >&2
    mismatch=1
  fi
  got="$(q "select count(*) from tasks")"
  [ "$got" -eq "$rows_before" ] || { echo "pitr-drill: repo$repo: $got tasks, expected $rows_before" >&2; mismatch=1; }
  survived="$(q "select coalesce(extract(epoch from max(created_at)), 0) from comments where body = 'the last write before T'")"
  stop_cluster "$dir"
  rm -rf "$dir"
}

restore_and_check 1 "$tmp/restore-repo1"
# The off-site copy must be enough on its own: repo1 is out of reach during this restore.
mv "$tmp/repo1" "$tmp/repo1.offline"
restore_and_check 2 "$tmp/restore-repo2"
mv "$tmp/repo1.offline" "$tmp/repo1"

# ---------------------------------------------------------------- metrics script against this repo
# deploy/pgbackrest/metrics.sh on the drill's real repositories: one series per repository,
# the newest backup's size and time, outcome 1; with --last-exit 1 (a failed backup) outcome 0.
metrics_sh="$repo_root/deploy/pgbackrest/metrics.sh"
[ -x "$metrics_sh" ] || die "missing $metrics_sh"
mkdir -p "$tmp/metrics"
chown postgres:postgres "$tmp/metrics"
prom="$tmp/metrics/taskdeck_backup_pgbackrest.prom"
run_metrics() {
  runuser -u postgres -- env PGBACKREST_CONFIG="$tmp/pgbackrest.conf" \
    "$metrics_sh" --stanza "$stanza" --output-dir "$tmp/metrics" "$@" >/dev/null ||
    die "deploy/pgbackrest/metrics.sh failed against the drill's repositories"
  if command -v promtool >/dev/null 2>&1; then
    promtool check metrics <"$prom" || die "deploy/pgbackrest/metrics.sh wrote metrics promtool rejects"
  fi
}
run_metrics
for r in repo1 repo2; do
  grep -qx "taskdeck_backup_last_outcome{kind=\"pgbackrest\",repo=\"$r\"} 1" "$prom" ||
    die "metrics.sh: no outcome 1 for $r after a good backup: $(cat "$prom")"
done
size_metric="$(sed -n 's/^taskdeck_backup_last_size_bytes{kind="pgbackrest",repo="repo1"} //p' "$prom")"
[ "$size_metric" = "$backup1_bytes" ] || die "metrics.sh: repo1 size $size_metric, pgbackrest info says $backup1_bytes"
run_metrics --last-exit 1
[ "$(grep -c '^taskdeck_backup_last_outcome{kind="pgbackrest",repo="repo[12]"} 0$' "$prom")" -eq 2 ] ||
  die "metrics.sh --last-exit 1 did not report the failure: $(cat "$prom")"
metrics_check="$(grep -c '^taskdeck_backup_' "$prom") samples, outcome 1 after the backups and 0 with --last-exit 1"

# ---------------------------------------------------------------- verdict
rpo_gap="$(awk -v t="$target_epoch" -v w="$last_write" 'BEGIN { printf "%.3f", t - w }')"
if [ -n "$survived" ] && [ "$survived" = "$last_write" ]; then survived_txt="survived"; else survived_txt="LOST"; mismatch=1; fi
rto_max="$(awk -v a="${rto_of[1]}" -v b="${rto_of[2]}" 'BEGIN { print (a > b ? a : b) }')"
echo
echo "PITR drill ($tasks tasks, database $db_bytes bytes)"
echo "  full backup        repo1 (posix, zstd): $backup1_s s, $backup1_bytes bytes; repo2 (S3 via TLS): $backup2_s s, $backup2_bytes bytes"
echo "  restore target T   $target"
echo "  RTO                repo1 ${rto_of[1]} s, repo2 ${rto_of[2]} s (restore started -> promoted, queryable)"
echo "  RPO                every write up to T came back: the last one (${rpo_gap} s before T, the checksums ran in"
echo "                     between) $survived_txt; in a real loss at most archive_timeout = 60 s of WAL is unarchived"
echo "  WAL archive        forced switch + archived to both repositories in $archive_s s"
echo "  metrics.sh         $metrics_check (promtool check metrics passed)"
echo "  drill runtime      $(secs "$drill_start" "$(now)") s"
if [ "$mismatch" -ne 0 ]; then
  write_drill_metrics 0 "$rto_max"
  show_logs=0
  die "the restored database does not equal the database at T"
fi
write_drill_metrics 1 "$rto_max"
say "OK: both repositories restore exactly the data at T"
