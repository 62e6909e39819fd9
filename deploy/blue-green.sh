#!/usr/bin/env bash
# Blue-green deploy of Taskdeck behind HAProxy (deploy/haproxy/haproxy.cfg), with automatic
# rollback. The new version starts beside the current one on the other colour's address, must
# answer /readyz 200 and keep answering for READY_STABLE_SECS, must pass the smoke test (sign
# up and in, create a project, open its board), and only then gets traffic, through HAProxy's
# runtime API (no reload): new `ready` at weight 256, old at weight 1 (a trickle, but a server
# HAProxy falls back on at once). For SOAK_SECS the old version keeps running while the new one's
# readiness (its own and HAProxy's), process and 5xx rate (HAProxy's counters) are watched; then
# the
# old one is stopped. If anything fails, traffic stays on (or goes back to) the old version, the
# new one is stopped, and the script says why and exits 1.
#
# Usage: deploy/blue-green.sh
# Environment (required ones are named when missing):
#   NEW_BINARY + SITE_DIR   the new version as a binary and its site directory (host processes),
#   or NEW_IMAGE            the new version as an image (podman, hardened like deploy/image/test.sh;
#                           containers are named CONTAINER_PREFIX-COLOUR, default taskdeck-COLOUR)
#   ENV_FILE                KEY=VALUE lines for the instances (DATABASE_URL, APP_URL,
#                           SESSION_SECRET, RUN_MIGRATIONS...); LEPTOS_SITE_ADDR is set here
#   HAPROXY_SOCKET          HAProxy's admin socket (stats socket ... level admin)
#   STATE_DIR               the live colour, pids and logs (default /var/lib/taskdeck-deploy)
#   BLUE_ADDR, GREEN_ADDR   where each colour listens (default 127.0.0.1:3001, 127.0.0.1:3002)
#   CURRENT_COLOUR          blue or green (default: STATE_DIR/colour, else blue)
#   READY_TIMEOUT=60        seconds for the new version to become ready
#   READY_STABLE_SECS=3     it must then stay ready this long
#   SOAK_SECS=60            how long the old version is kept after the switch
#   SOAK_MAX_5XX_PERCENT=1  the new version's 5xx share that fails the soak
#   SMOKE_TEST              a command given the new version's URL (default deploy/smoke-test.sh
#                           when present, else the same checks built in)
#   STOP_TIMEOUT=30         seconds an instance gets to drain and exit after SIGTERM
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
tag=blue-green
# shellcheck source=deploy/lib/taskdeck.sh
source "$here/lib/taskdeck.sh"
t0=$(date +%s.%N)
elapsed() { python3 -c "import time; print(f'{time.time() - $t0:.1f}')"; }

need() { [ -n "${!1:-}" ] || die "$1 is not set: $2"; }
need HAPROXY_SOCKET "HAProxy's admin socket"
need ENV_FILE "the instances' environment (KEY=VALUE lines)"
[ -r "$ENV_FILE" ] || die "ENV_FILE $ENV_FILE cannot be read"
[ -S "$HAPROXY_SOCKET" ] || die "HAPROXY_SOCKET $HAPROXY_SOCKET is not a socket (is HAProxy running?)"
if [ -n "${NEW_IMAGE:-}" ]; then
  mode=container
else
  mode=process
  need NEW_BINARY "the new version's binary (or NEW_IMAGE)"
  [ -x "$NEW_BINARY" ] || die "NEW_BINARY $NEW_BINARY is not an executable"
  need SITE_DIR "the new version's site directory"
  NEW_BINARY=$(realpath "$NEW_BINARY")
  SITE_DIR=$(realpath -m "$SITE_DIR")
fi
grep -q '^DATABASE_URL=' "$ENV_FILE" || die "ENV_FILE $ENV_FILE sets no DATABASE_URL"
ensure_socat
if [ "$mode" = container ]; then
  # shellcheck source=deploy/image/env.sh
  source "$here/image/env.sh"
fi
prefix=${CONTAINER_PREFIX:-taskdeck}
state=${STATE_DIR:-/var/lib/taskdeck-deploy}
mkdir -p "$state"
declare -A addr=([blue]=${BLUE_ADDR:-127.0.0.1:3001} [green]=${GREEN_ADDR:-127.0.0.1:3002})
old=${CURRENT_COLOUR:-$(cat "$state/colour" 2>/dev/null || echo blue)}
case $old in blue) new=green ;; green) new=blue ;; *) die "CURRENT_COLOUR must be blue or green (got $old)" ;; esac
ready_timeout=${READY_TIMEOUT:-60}
stable=${READY_STABLE_SECS:-3}
soak=${SOAK_SECS:-60}
max_5xx=${SOAK_MAX_5XX_PERCENT:-1}
stop_timeout=${STOP_TIMEOUT:-30}
new_url=http://${addr[$new]}

status=$(hap_status "$HAPROXY_SOCKET" "$old")
[ "$status" = UP ] || die "the current colour $old is not UP in HAProxy (status '$status'): nothing to fall back on, deploy refused"

# --- instances ----------------------------------------------------------------------------
start_instance() {
  local colour=$1 log=$state/$1.log
  : >"$log"
  if [ "$mode" = process ]; then
    (
      cd "$state"
      set -a
      # shellcheck disable=SC1090
      source "$ENV_FILE"
      set +a
      export LEPTOS_SITE_ADDR=${addr[$colour]} LEPTOS_SITE_ROOT=$SITE_DIR
      exec setsid "$NEW_BINARY" serve
    ) >>"$log" 2>&1 </dev/null &
    echo "$!" >"$state/$colour.pid"
  else
    pm rm -f -v -t 0 "$prefix-$colour" >/dev/null 2>&1 || true
    pm run -d --name "$prefix-$colour" --read-only --user 10001 --cap-drop ALL \
      --security-opt no-new-privileges --network host --health-interval disable --env-file "$ENV_FILE" \
      -e "LEPTOS_SITE_ADDR=${addr[$colour]}" "$NEW_IMAGE" >/dev/null 2>>"$log"
    echo "container" >"$state/$colour.pid"
  fi
}
running() {
  local colour=$1 p
  p=$(cat "$state/$colour.pid" 2>/dev/null || true)
  if [ "$p" = container ]; then
    [ "$(pm inspect --format '{{.State.Running}}' "$prefix-$colour" 2>/dev/null)" = true ]
  else
    [ -n "$p" ] && alive "$p"
  fi
}
# The last N lines of COLOUR's log, without terminal colours.
last_log() {
  if [ "$(cat "$state/$1.pid" 2>/dev/null)" = container ]; then pm logs "$prefix-$1" 2>&1 | tail -"${2:-5}"; else tail -"${2:-5}" "$state/$1.log"; fi |
    sed 's/\x1b\[[0-9;]*m//g'
}
# SIGTERM, then wait for the drain; SIGKILL after STOP_TIMEOUT.
stop_instance() {
  local colour=$1 p
  p=$(cat "$state/$colour.pid" 2>/dev/null || true)
  if [ "$p" = container ]; then
    pm stop -t "$stop_timeout" "$prefix-$colour" >/dev/null 2>&1 || true
    pm rm -f -v "$prefix-$colour" >/dev/null 2>&1 || true
  elif [ -n "$p" ] && alive "$p"; then
    kill -TERM "$p"
    local deadline=$((SECONDS + stop_timeout))
    while alive "$p" && [ "$SECONDS" -lt "$deadline" ]; do sleep 0.1; done
    if alive "$p"; then
      say "$colour did not exit within $stop_timeout s of SIGTERM: killing it"
      kill -KILL "$p" 2>/dev/null || true
    fi
  fi
  rm -f "$state/$colour.pid"
}

# Rolls back: traffic to the old colour only, the new one stopped; prints why, exits 1.
rollback() {
  local why=$1
  hap "$HAPROXY_SOCKET" "set server taskdeck/$old state ready" >/dev/null
  hap "$HAPROXY_SOCKET" "set server taskdeck/$old weight 1" >/dev/null
  hap "$HAPROXY_SOCKET" "set server taskdeck/$new state maint" >/dev/null
  stop_instance "$new"
  printf '\033[1;31m[%s] ROLLED BACK:\033[0m %s\n' "$tag" "$why" >&2
  printf '\033[1;31m[%s]\033[0m %s keeps serving (HAProxy: %s %s, %s %s); %s s after the deploy began\n' "$tag" "$old" \
    "$old" "$(hap_status "$HAPROXY_SOCKET" "$old")" "$new" "$(hap_status "$HAPROXY_SOCKET" "$new")" "$(elapsed)" >&2
  exit 1
}

say "deploying to $new (${addr[$new]}) beside $old (${addr[$old]}); $mode mode"
# The new colour takes no traffic until it has passed every check.
hap "$HAPROXY_SOCKET" "set server taskdeck/$new state maint" >/dev/null
if running "$new"; then
  say "stopping a leftover $new instance first"
  stop_instance "$new"
fi
start_instance "$new"

# 1. Ready, and staying ready.
deadline=$((SECONDS + ready_timeout))
while [ "$(http_status "$new_url/readyz" 2)" != 200 ]; do
  if ! running "$new"; then
    rollback "the new version ($new) exited before it became ready: $(last_log "$new" 1 | tr '\n' ' ')"
  fi
  if [ "$SECONDS" -ge "$deadline" ]; then
    rollback "the new version ($new) was not ready within $ready_timeout s: /readyz answered $(http_status "$new_url/readyz" 2) $(curl -s --max-time 2 "$new_url/readyz" 2>/dev/null | head -c 200)"
  fi
  sleep 0.2
done
say "$new answers /readyz 200 after $(elapsed) s; it must stay ready for $stable s"
hold=$((SECONDS + stable))
while [ "$SECONDS" -lt "$hold" ]; do
  code=$(http_status "$new_url/readyz" 2)
  [ "$code" = 200 ] || rollback "the new version ($new) stopped being ready: /readyz answered $code $(curl -s --max-time 2 "$new_url/readyz" 2>/dev/null | head -c 200)"
  running "$new" || rollback "the new version ($new) exited: $(last_log "$new" 3 | tr '\n' ' ')"
  sleep 0.2
done

# 2. The smoke test, against the new version directly.
# deploy/smoke-test.sh when it is there (sign up and in, create a project, open its board, delete
# it), else the same checks built in; SMOKE_TEST replaces both.
smoke_builtin() {
  local url=$1 dir ok=0
  dir=$(mktemp -d "${TMPDIR:-/tmp}/taskdeck-smoke.XXXXXX")
  (
    api_account "$url" "$dir/jar" "smoke-$(date +%s)-$RANDOM@example.com" || exit 1
    project=$(api_project "$url" "$dir/jar" "Deploy smoke test") || exit 1
    code=$(curl -s -o "$dir/board" -w '%{http_code}' --max-time 10 -b "$dir/jar" "$url/projects/$project")
    { [ "$code" = 200 ] && grep -q "Deploy smoke test" "$dir/board"; } || die "the board /projects/$project answered $code"
  ) || ok=1
  rm -rf "$dir"
  return $ok
}
smoke=${SMOKE_TEST:-}
if [ -z "$smoke" ] && [ -x "$here/smoke-test.sh" ]; then smoke=$here/smoke-test.sh; fi
if [ -n "$smoke" ]; then
  SMOKE_TIMEOUT=5 $smoke "$new_url" >"$state/$new.smoke.log" 2>&1 || rollback "the smoke test ($smoke) failed on $new: $(tail -2 "$state/$new.smoke.log" | sed 's/\x1b\[[0-9;]*m//g' | tr '\n' ' ')"
else
  smoke_builtin "$new_url" 2>"$state/$new.smoke.log" || rollback "the smoke test failed on $new: $(tail -2 "$state/$new.smoke.log" | sed 's/\x1b\[[0-9;]*m//g' | tr '\n' ' ')"
fi
say "smoke test passed on $new ($(elapsed) s)"

# 3. Switch: the new colour in, once HAProxy's own checks see it UP; then the old one gets only a
# trickle. Leaving maintenance, a server is UP at once, before any check: both colours serve
# while HAProxy's own checks pass twice (about 2 s); only then does the old one step back.
hap "$HAPROXY_SOCKET" "set server taskdeck/$new weight 1" >/dev/null
hap "$HAPROXY_SOCKET" "set server taskdeck/$new state ready" >/dev/null
# (inter 1s: at least two checks in 2.5 s.)
settle=$((SECONDS + 3))
while [ "$SECONDS" -lt "$settle" ]; do
  read -r status check < <(hap "$HAPROXY_SOCKET" "show stat" |
    awk -F, -v s="$new" '$1 == "taskdeck" && $2 == s { print $18, $37 }')
  [ "$status" = UP ] || rollback "HAProxy's health check took $new out right after the switch (status $status, check $check)"
  sleep 0.2
done
[ "$check" = L7OK ] || rollback "HAProxy's health check on $new did not pass after the switch (check '$check')"
# Weight 1 against 256, not `drain`: a draining server is never picked, so if the new one went
# down during the soak HAProxy would have no server until the rollback below set the old one
# ready again (a test lost 1,980 requests that way); a server of weight 1 takes everything at once.
hap "$HAPROXY_SOCKET" "set server taskdeck/$new weight 256" >/dev/null
hap "$HAPROXY_SOCKET" "set server taskdeck/$old weight 1" >/dev/null
serving=$(elapsed)
say "serving the new version ($new) $serving s after the deploy began; $old is kept for $soak s at weight 1 of 257"
echo "$serving" >"$state/last-deploy-to-serving-secs"

# 4. Soak: readiness, the process, and the share of 5xx answers, every second.
read -r total0 errors0 < <(hap_counts "$HAPROXY_SOCKET" "$new")
soak_end=$((SECONDS + soak))
while [ "$SECONDS" -lt "$soak_end" ]; do
  # Going back is instant, and HAProxy falls back on the old colour by itself meanwhile.
  sleep 0.2
  running "$new" || rollback "the new version ($new) exited during the soak: $(last_log "$new" 3 | tr '\n' ' ')"
  # Its own readiness too: a draining or failing instance says so at once, before HAProxy's
  # next check takes it out.
  code=$(http_status "$new_url/readyz" 2)
  [ "$code" = 200 ] || rollback "the new version ($new) stopped being ready during the soak: /readyz answered $code $(curl -s --max-time 2 "$new_url/readyz" 2>/dev/null | head -c 200)"
  status=$(hap_status "$HAPROXY_SOCKET" "$new")
  [ "$status" = UP ] || rollback "HAProxy sees the new version ($new) as '$status' during the soak (/readyz $(http_status "$new_url/readyz" 2))"
  read -r total errors < <(hap_counts "$HAPROXY_SOCKET" "$new")
  answered=$((total - total0))
  failed=$((errors - errors0))
  if [ "$answered" -gt 0 ] && [ $((failed * 100)) -gt $((answered * max_5xx)) ]; then
    rollback "the new version ($new) answered $failed of $answered requests with 5xx during the soak (limit $max_5xx %)"
  fi
done
read -r total errors < <(hap_counts "$HAPROXY_SOCKET" "$new")

# 5. Done: the old colour out of HAProxy and stopped.
hap "$HAPROXY_SOCKET" "set server taskdeck/$old state maint" >/dev/null
stop_instance "$old"
echo "$new" >"$state/colour"
say "DEPLOYED: $new serves ($((total - total0)) requests, $((errors - errors0)) 5xx during a $soak s soak); $old stopped; $(elapsed) s in all"
