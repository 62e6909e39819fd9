#!/usr/bin/env bash
# Tests deploy/blue-green.sh under load (wrk through HAProxy, as deploy/rolling/test.sh):
#   1. a good deploy, blue -> green: exits 0, HAProxy ends with green UP and blue in MAINT,
#      blue's process is gone; prints the time from "deploy" to "serving the new version";
#   2. bad deploys from green, each must exit 1 with its reason while traffic never leaves green:
#      exits      the new version's DATABASE_URL names a database that does not exist (it exits);
#      not-ready  the new version's database refuses connections once it is up (/readyz 503,
#                 the process keeps running);
#      smoke      RUN_MIGRATIONS=false on an empty database: /readyz 200, the smoke test fails;
#   3. a deploy that fails after the switch: the new version passes every check and takes the
#      traffic, then is stopped (SIGTERM) during the soak; the deploy must exit 1 with traffic back
#      on green and blue gone.
# Zero failed requests in every scenario, or the test fails.
#
# Usage: deploy/blue-green/test.sh BINARY SITE_DIR
# With IMAGE=localhost/taskdeck:test (built by deploy/image/build.sh) the good deploy starts the
# image instead of the binary (podman, hardened), as a deploy of a published image does.
# Environment: SOAK_SECS (default 3), LOAD_CONNECTIONS (default 8), WRITE_EVERY (default 10),
#   BAD_DEPLOYS (default "exits not-ready smoke soak"), TEST_POSTGRES_URL.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
tag=blue-green-test
# shellcheck source=deploy/lib/taskdeck.sh
source "$root/deploy/lib/taskdeck.sh"
[ $# -eq 2 ] || die "usage: deploy/blue-green/test.sh BINARY SITE_DIR"
binary=$(realpath "$1")
site=$(realpath -m "$2")
[ -x "$binary" ] || die "no taskdeck binary at $1"
connections=${LOAD_CONNECTIONS:-8}
export WRITE_EVERY=${WRITE_EVERY:-10}
export SOAK_SECS=${SOAK_SECS:-3}
bad_deploys=${BAD_DEPLOYS:-exits not-ready smoke soak}
ensure_haproxy_wrk
command -v psql >/dev/null || die "psql is needed (apt-get install postgresql-client)"
started=$SECONDS

work=$(mktemp -d "${TMPDIR:-/tmp}/taskdeck-blue-green.XXXXXX")
database=taskdeck_bluegreen_$$
empty=taskdeck_bluegreen_empty_$$
side=taskdeck_bluegreen_side_$$
haproxy_pid=
wrk_pid=
state=$work/state
mkdir -p "$state"
cleanup() {
  local f p
  [ -z "$wrk_pid" ] || kill "$wrk_pid" 2>/dev/null || true
  for f in "$state"/*.pid; do
    [ -e "$f" ] || continue
    p=$(cat "$f")
    [ "$p" = container ] || kill "$p" 2>/dev/null || true
  done
  for f in "$state"/*.pid; do
    [ -e "$f" ] || continue
    p=$(cat "$f")
    [ "$p" != container ] || continue
    # Instances blue-green.sh started are not this shell's children: wait for them by pid.
    for _ in $(seq 1 100); do alive "$p" || break; sleep 0.1; done
  done
  if [ -n "${IMAGE:-}" ]; then
    pm rm -f -v --ignore -t 5 "$CONTAINER_PREFIX-blue" "$CONTAINER_PREFIX-green" >/dev/null 2>&1 || true
  fi
  [ -z "$haproxy_pid" ] || { kill "$haproxy_pid" 2>/dev/null || true; wait "$haproxy_pid" 2>/dev/null || true; }
  pg_drop "$database"
  pg_drop "$empty"
  pg_drop "$side"
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

read -r lb_port blue_port green_port < <(free_ports 3)
lb=http://127.0.0.1:$lb_port
export HAPROXY_SOCKET=$work/haproxy.sock STATE_DIR=$state
export BLUE_ADDR=127.0.0.1:$blue_port GREEN_ADDR=127.0.0.1:$green_port
pg_create "$database"
export CONTAINER_PREFIX=taskdeck-bgtest-$$
new_version=(NEW_BINARY="$binary" SITE_DIR="$site")
if [ -n "${IMAGE:-}" ]; then
  # shellcheck source=deploy/image/env.sh
  source "$root/deploy/image/env.sh"
  pm image exists "$IMAGE" || die "no image $IMAGE (build it with deploy/image/build.sh)"
  new_version=(NEW_IMAGE="$IMAGE")
fi

# The instances' environment: what an operator's ENV_FILE holds.
env_file() {
  cat <<ENV
DATABASE_URL=${1:-$(pg_url "$database")}
APP_URL=$lb
METRICS_ADDR=127.0.0.1:0
LOG_LEVEL=info
SHUTDOWN_DRAIN_SECS=5
TRUSTED_PROXY_HEADER=X-Forwarded-For
RATE_LIMIT_REQUESTS_PER_MINUTE=10000000
RATE_LIMIT_SIGN_INS_PER_MINUTE=10000000
ENV
}
env_file >"$work/good.env"

# Blue, the version in production, started the way blue-green.sh starts one.
(
  cd "$state"
  set -a
  # shellcheck disable=SC1091
  source "$work/good.env"
  set +a
  export LEPTOS_SITE_ADDR=$BLUE_ADDR LEPTOS_SITE_ROOT=$site
  exec "$binary" serve
) >"$state/blue.log" 2>&1 &
echo "$!" >"$state/blue.pid"
wait_ready "http://$BLUE_ADDR" 30 "$(cat "$state/blue.pid")" || { tail "$state/blue.log" >&2; die "blue did not start"; }

HAPROXY_BIND=127.0.0.1:$lb_port TASKDECK_BLUE=$BLUE_ADDR TASKDECK_GREEN=$GREEN_ADDR \
  TASKDECK_GREEN_STATE=disabled HAPROXY_CHECKS=check \
  haproxy -W -db -f "$root/deploy/haproxy/haproxy.cfg" >"$work/haproxy.log" 2>&1 &
haproxy_pid=$!
for _ in $(seq 1 50); do [ -S "$HAPROXY_SOCKET" ] && break; sleep 0.1; done
hap_wait "$HAPROXY_SOCKET" blue UP 10 || { cat "$work/haproxy.log" >&2; die "HAProxy does not see blue UP"; }

jar=$work/jar
api_account "$lb" "$jar" "bluegreen-$$@example.com"
project=$(api_project "$lb" "$jar" "Blue-green")
api_task "$lb" "$jar" "$project" "first task" >/dev/null
cookie=$(jar_session "$jar")
say "blue serves $lb (green in maintenance); wrk keeps $connections connections on /projects/$project during each deploy"

# load_start / load_stop NAME: wrk around one deploy; load_stop writes "requests failed summary"
# to $work/result-NAME.
load_start() {
  LOAD_COOKIE=$cookie LOAD_PROJECT=$project LOAD_REPORT=$work/load-$1.json \
    wrk -t 2 -c "$connections" -d 3600s --timeout 10s -s "$root/deploy/rolling/load.lua" "$lb" >"$work/wrk-$1.out" 2>&1 &
  wrk_pid=$!
  sleep 1
}
load_stop() {
  sleep 1
  kill -INT "$wrk_pid"
  wait "$wrk_pid" || die "wrk failed: $(cat "$work/wrk-$1.out")"
  wrk_pid=
  python3 >"$work/result-$1" -c '
import json, sys
r = json.load(open(sys.argv[1]))
e = r["errors"]
failed = r["bad"] + e["connect"] + e["read"] + e["write"] + e["timeout"]
print(r["requests"], failed, "statuses %s, socket errors connect %d read %d write %d timeout %d, %.1f s" % (
    json.dumps(r["statuses"], separators=(",", ":")), e["connect"], e["read"], e["write"], e["timeout"], r["duration_s"]))
' "$work/load-$1.json"
}
# Whose answer is it? Counts per server from HAProxy, to show where traffic went.
served_by() { hap_counts "$HAPROXY_SOCKET" "$1" | cut -d' ' -f1; }

results=()
# --- 1. a good deploy ----------------------------------------------------------------------
load_start good
green_before=$(served_by green)
deploy_t0=$SECONDS
set +e
env "${new_version[@]}" ENV_FILE="$work/good.env" CURRENT_COLOUR=blue \
  "$root/deploy/blue-green.sh" >"$work/deploy-good.log" 2>&1
deploy_rc=$?
set -e
sed 's/^/    /' "$work/deploy-good.log" >&2
load_stop good
read -r requests failed summary <"$work/result-good"
[ "$deploy_rc" = 0 ] || die "the good deploy exited $deploy_rc"
[ "$(hap_status "$HAPROXY_SOCKET" green)" = UP ] || die "after the good deploy green is not UP"
[ "$(hap_status "$HAPROXY_SOCKET" blue)" = MAINT ] || die "after the good deploy blue is not in MAINT"
[ ! -e "$state/blue.pid" ] || die "after the good deploy blue still has a pid file"
[ "$(cat "$state/colour")" = green ] || die "the state does not say green"
[ "$(served_by green)" -gt "$green_before" ] || die "green served nothing"
serving=$(cat "$state/last-deploy-to-serving-secs")
say "good deploy: exit 0 in $((SECONDS - deploy_t0)) s, serving the new version $serving s after 'deploy'; $requests requests, $failed failed ($summary)"
results+=("good deploy: $requests requests, $failed failed; deploy to serving $serving s")
[ "$failed" = 0 ] || die "$failed requests failed during the good deploy"

# --- 2. bad deploys: traffic never leaves green -------------------------------------------
for bad in $bad_deploys; do
  case $bad in
    exits) env_file "$(pg_url "taskdeck_no_such_database_$$")" >"$work/bad.env" ;;
    not-ready)
      # A database of its own that works at start, then refuses connections (the watcher below).
      pg_drop "$side"
      pg_create "$side"
      env_file "$(pg_url "$side")" >"$work/bad.env"
      ;;
    smoke)
      pg_drop "$empty"
      pg_create "$empty"
      { env_file "$(pg_url "$empty")"; echo RUN_MIGRATIONS=false; } >"$work/bad.env"
      ;;
    soak) env_file >"$work/bad.env" ;;
    *) die "unknown bad deploy '$bad' (exits, not-ready, smoke, soak)" ;;
  esac
  soak_secs=$SOAK_SECS
  watcher=
  if [ "$bad" = not-ready ]; then
    # As soon as the new version (blue) is ready, its database goes away under it.
    (
      while [ "$(http_status "http://$BLUE_ADDR/readyz" 1)" != 200 ]; do sleep 0.05; done
      psql -qX "$pg_admin_url" -c "ALTER DATABASE $side ALLOW_CONNECTIONS false" \
        -c "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '$side'" >/dev/null
    ) &
    watcher=$!
  fi
  if [ "$bad" = soak ]; then
    # Once blue has the traffic, it is stopped as a crash or an evicted pod would stop it; the
    # soak is long enough that only the deploy's watch of blue, not its end, can notice.
    soak_secs=20
    (
      until grep -q "serving the new version" "$work/deploy-$bad.log" 2>/dev/null; do sleep 0.05; done
      sleep 0.5
      kill -TERM "$(cat "$state/blue.pid")"
    ) &
    watcher=$!
  fi
  load_start "$bad"
  blue_before=$(served_by blue)
  green_before=$(served_by green)
  set +e
  NEW_BINARY=$binary SITE_DIR=$site ENV_FILE=$work/bad.env READY_TIMEOUT=8 SOAK_SECS=$soak_secs \
    "$root/deploy/blue-green.sh" >"$work/deploy-$bad.log" 2>&1
  deploy_rc=$?
  set -e
  sed 's/^/    /' "$work/deploy-$bad.log" >&2
  load_stop "$bad"
  read -r requests failed summary <"$work/result-$bad"
  if [ -n "$watcher" ]; then
    kill "$watcher" 2>/dev/null || true
    wait "$watcher" 2>/dev/null || true
  fi
  [ "$bad" != not-ready ] || psql -qX "$pg_admin_url" -c "ALTER DATABASE $side ALLOW_CONNECTIONS true" >/dev/null
  [ "$deploy_rc" != 0 ] || die "the bad deploy ($bad) exited 0"
  reason=$(grep -o 'ROLLED BACK:.*' "$work/deploy-$bad.log" | sed 's/\x1b\[[0-9;]*m//g' | head -1)
  [ -n "$reason" ] || die "the bad deploy ($bad) gave no reason"
  blue_served=$(($(served_by blue) - blue_before))
  if [ "$bad" = soak ]; then
    [ "$blue_served" -gt 0 ] || die "blue served nothing before it was stopped: the soak scenario tested nothing"
    grep -q "during the soak" <<<"$reason" || die "the soak deploy was rolled back before the soak: $reason"
  else
    [ "$blue_served" = 0 ] || die "the bad deploy ($bad) let blue serve $blue_served requests"
  fi
  [ "$(served_by green)" -gt "$green_before" ] || die "green served nothing during the bad deploy ($bad)"
  [ "$(hap_status "$HAPROXY_SOCKET" green)" = UP ] || die "after the bad deploy ($bad) green is not UP"
  [ "$(hap_status "$HAPROXY_SOCKET" blue)" = MAINT ] || die "after the bad deploy ($bad) blue is not in MAINT"
  [ ! -e "$state/blue.pid" ] || die "the bad deploy ($bad) left blue running"
  [ "$(cat "$state/colour")" = green ] || die "the state no longer says green after the bad deploy ($bad)"
  say "bad deploy ($bad): exit $deploy_rc, ${reason}; blue served $blue_served requests; $requests requests, $failed failed ($summary)"
  results+=("bad deploy ($bad): exit $deploy_rc; $requests requests, $failed failed; ${reason#ROLLED BACK: }")
  [ "$failed" = 0 ] || die "$failed requests failed during the bad deploy ($bad)"
done

printf '%s\n' "${results[@]}" | sed 's/^/    /' >&2
say "PASSED in $((SECONDS - started)) s"
