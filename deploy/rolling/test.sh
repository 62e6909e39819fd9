#!/usr/bin/env bash
# Zero failed requests through a rolling restart: two Taskdeck instances on one fresh PostgreSQL
# database behind Debian's HAProxy (deploy/haproxy/haproxy.cfg), wrk keeping a signed-in person
# busy on a board (GET /projects/ID, and one POST /api/create_task in WRITE_EVERY), while blue is
# restarted (SIGTERM, wait for it to exit, start it, wait until HAProxy has it UP), then green.
# Also checks that a live-update stream (GET /projects/ID/events) held on the draining instance
# is closed by it within the drain, and that the client reconnects through HAProxy at once.
# Prints total requests, non-2xx/3xx responses and socket errors; fails if any request failed.
#
# Usage: deploy/rolling/test.sh BINARY SITE_DIR   (e.g. target/release/taskdeck target/site)
# Environment:
#   LOAD_SECS=0           the least time wrk runs; it always covers both restarts (about 7 s each)
#                         and stops 1 s after them (set e.g. 600 for a longer drill)
#   LOAD_CONNECTIONS=8    wrk connections (2 threads)
#   WRITE_EVERY=10        one request in N is a create_task (0: reads only)
#   DRAIN_SECS=5          the instances' SHUTDOWN_DRAIN_SECS (0 shows what the drain is for)
#   HAPROXY_CHECKS=check  no-check turns HAProxy's health checks off (to show they matter)
#   HAPROXY_RETRIES=3     0 turns HAProxy's retries off (ditto)
#   TEST_POSTGRES_URL     admin URL (default postgres://postgres@127.0.0.1:5432/postgres)
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
tag=rolling
# shellcheck source=deploy/lib/taskdeck.sh
source "$root/deploy/lib/taskdeck.sh"
[ $# -eq 2 ] || die "usage: deploy/rolling/test.sh BINARY SITE_DIR"
binary=$(realpath "$1")
site=$(realpath -m "$2")
[ -x "$binary" ] || die "no taskdeck binary at $1"
load_secs=${LOAD_SECS:-0}
connections=${LOAD_CONNECTIONS:-8}
drain=${DRAIN_SECS:-5}
checks=${HAPROXY_CHECKS:-check}
retries=${HAPROXY_RETRIES:-3}
export WRITE_EVERY=${WRITE_EVERY:-10}
ensure_haproxy_wrk
command -v psql >/dev/null || die "psql is needed (apt-get install postgresql-client)"
started=$SECONDS

work=$(mktemp -d "${TMPDIR:-/tmp}/taskdeck-rolling.XXXXXX")
database=taskdeck_rolling_$$
declare -A pid=()
haproxy_pid=
wrk_pid=
stream_pid=
cleanup() {
  local p
  for p in "${pid[@]}" "$haproxy_pid" "$wrk_pid" "$stream_pid"; do
    if [ -n "$p" ]; then kill "$p" 2>/dev/null || true; fi
  done
  for p in "${pid[@]}" "$haproxy_pid" "$wrk_pid" "$stream_pid"; do
    if [ -n "$p" ]; then wait "$p" 2>/dev/null || true; fi
  done
  pg_drop "$database"
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

read -r lb_port blue_port green_port < <(free_ports 3)
lb=http://127.0.0.1:$lb_port
declare -A port=([blue]=$blue_port [green]=$green_port)
socket=$work/haproxy.sock
pg_create "$database"

# start COLOUR: the instance in the background, its log in $work/COLOUR.log (appended).
start() {
  local colour=$1
  (
    cd "$work"
    exec env -i PATH="$PATH" \
      DATABASE_URL="$(pg_url "$database")" \
      LEPTOS_SITE_ADDR="127.0.0.1:${port[$colour]}" \
      LEPTOS_SITE_ROOT="$site" \
      APP_URL="$lb" \
      METRICS_ADDR=127.0.0.1:0 \
      LOG_LEVEL=info \
      SHUTDOWN_DRAIN_SECS="$drain" \
      TRUSTED_PROXY_HEADER=X-Forwarded-For \
      RATE_LIMIT_REQUESTS_PER_MINUTE=10000000 \
      RATE_LIMIT_SIGN_INS_PER_MINUTE=10000000 \
      "$binary" serve
  ) >>"$work/$colour.log" 2>&1 &
  pid[$colour]=$!
}
ready() {
  local colour=$1
  wait_ready "http://127.0.0.1:${port[$colour]}" 30 "${pid[$colour]}" ||
    { tail -20 "$work/$colour.log" >&2; die "$colour did not become ready"; }
}

start blue
ready blue
start green
ready green
say "blue on :$blue_port and green on :$green_port share database $database (drain ${drain} s)"

# HAProxy, from the repository's configuration; the retries line rewritten only when asked.
config=$work/haproxy.cfg
sed "s/^    retries 3$/    retries $retries/" "$root/deploy/haproxy/haproxy.cfg" >"$config"
[ "$retries" != 0 ] || sed -i '/retry-on\|option redispatch/d' "$config"
HAPROXY_SOCKET=$socket HAPROXY_BIND=127.0.0.1:$lb_port TASKDECK_BLUE=127.0.0.1:$blue_port \
  TASKDECK_GREEN=127.0.0.1:$green_port TASKDECK_GREEN_STATE=enabled HAPROXY_CHECKS=$checks \
  haproxy -W -db -f "$config" >"$work/haproxy.log" 2>&1 &
haproxy_pid=$!
for _ in $(seq 1 50); do [ -S "$socket" ] && break; sleep 0.1; done
[ -S "$socket" ] || { cat "$work/haproxy.log" >&2; die "HAProxy did not start"; }
for colour in blue green; do
  [ "$checks" = no-check ] || hap_wait "$socket" "$colour" UP 10 || die "HAProxy does not see $colour UP"
done
say "HAProxy on $lb (checks: $checks, retries: $retries)"

# A person with a board of a few tasks; wrk uses their session.
jar=$work/jar
api_account "$lb" "$jar" "rolling-$$@example.com"
project=$(api_project "$lb" "$jar" "Rolling restart")
for i in 1 2 3 4 5; do api_task "$lb" "$jar" "$project" "task $i" >/dev/null; done
cookie=$(jar_session "$jar")
[ -n "$cookie" ] || die "no session cookie"
tasks_before=$(pg_query "$database" "SELECT count(*) FROM tasks")

say "wrk: $connections connections on /projects/$project (a create_task every $WRITE_EVERY) through both restarts"
LOAD_COOKIE=$cookie LOAD_PROJECT=$project LOAD_REPORT=$work/load.json \
  wrk -t 2 -c "$connections" -d 3600s --timeout 10s -s "$here/load.lua" "$lb" >"$work/wrk.out" 2>&1 &
wrk_pid=$!
load_started=$SECONDS
sleep 2

stream_check_done=
for colour in blue green; do
  kill -0 "$wrk_pid" 2>/dev/null || die "wrk stopped before the $colour restart: $(cat "$work/wrk.out")"
  if [ -z "$stream_check_done" ]; then
    # A live-update stream held directly on the instance about to drain.
    curl -sN --max-time 30 -b "$jar" -o "$work/stream.out" "http://127.0.0.1:${port[$colour]}/projects/$project/events" &
    stream_pid=$!
    for _ in $(seq 1 50); do grep -q '^event' "$work/stream.out" 2>/dev/null && break; sleep 0.1; done
    grep -q '^event' "$work/stream.out" || die "the live-update stream on $colour sent no first event"
  fi
  t0=$(date +%s.%N)
  kill -TERM "${pid[$colour]}"
  if [ -z "$stream_check_done" ]; then
    wait "$stream_pid" || true
    stream_pid=
    stream_closed=$(python3 -c "import time; print(f'{time.time() - $t0:.2f}')")
    # The browser's EventSource reconnects; through HAProxy it lands on a live instance.
    curl -sN --max-time 2 -b "$jar" -o "$work/stream2.out" "$lb/projects/$project/events" || true
    grep -q '^event' "$work/stream2.out" ||
      die "reconnecting the live-update stream through HAProxy got no event: $(head -c 200 "$work/stream2.out")"
    say "the live-update stream on $colour was closed $stream_closed s after SIGTERM; reconnecting through HAProxy got its first event"
    stream_check_done=yes
  fi
  wait "${pid[$colour]}" || die "$colour exited with $? after SIGTERM"
  exited=$(python3 -c "import time; print(f'{time.time() - $t0:.2f}')")
  start "$colour"
  ready "$colour"
  back=$(python3 -c "import time; print(f'{time.time() - $t0:.2f}')")
  [ "$checks" = no-check ] || hap_wait "$socket" "$colour" UP 10 || die "HAProxy did not take $colour back"
  say "restarted $colour: exited ${exited} s after SIGTERM, ready at ${back} s, HAProxy UP at $(python3 -c "import time; print(f'{time.time() - $t0:.2f}')") s"
done
sleep 1
while [ $((SECONDS - load_started)) -lt "$load_secs" ]; do sleep 1; done
kill -0 "$wrk_pid" 2>/dev/null || die "wrk stopped early: $(cat "$work/wrk.out")"
# wrk stops on SIGINT, reports, and runs load.lua's done().
kill -INT "$wrk_pid"
wait "$wrk_pid" || die "wrk failed: $(cat "$work/wrk.out")"
wrk_pid=

[ -s "$work/load.json" ] || die "wrk wrote no report: $(cat "$work/wrk.out")"
sed 's/^/    /' "$work/wrk.out" | grep -v '^    {' >&2
read -r requests bad connect readerr write timeout statuses < <(python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
e = r["errors"]
print(r["requests"], r["bad"], e["connect"], e["read"], e["write"], e["timeout"], json.dumps(r["statuses"], separators=(",", ":")))
' "$work/load.json")
tasks_after=$(pg_query "$database" "SELECT count(*) FROM tasks")
failed=$((bad + connect + readerr + write + timeout))
say "requests: $requests (statuses $statuses); non-2xx/3xx: $bad; socket errors: connect $connect, read $readerr, write $write, timeout $timeout; tasks written: $((tasks_after - tasks_before)); $((SECONDS - started)) s in all"
for colour in blue green; do
  grep -q "shutting down" "$work/$colour.log" || die "$colour's log does not show its shutdown"
done
[ "$failed" -eq 0 ] || die "$failed requests failed through the rolling restart (drain $drain s, checks $checks, retries $retries)"
say "PASSED: $requests requests, 0 failed, through a rolling restart of two instances"
