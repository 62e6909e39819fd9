#!/usr/bin/env bash
# Puts deploy/caddy/Caddyfile (Debian's Caddy, with its internal CA) in front of a release build
# of Taskdeck on a fresh SQLite database, as a deployment would with a real domain, and checks
# what the proxy is there for:
#   1. plain http is redirected to https (on the http port, and on the https port too);
#   2. a page loads over TLS, trusting only Caddy's root certificate (curl --cacert), and not
#      without it;
#   3. a board's live-update stream passes through unbuffered: its first event arrives at once,
#      and the event for a task created through the form arrives within 2 s of the change;
#   4. X-Forwarded-For is honoured: the per-address rate limit counts each client address that
#      Caddy forwards (not Caddy's own), and a client cannot spoof it;
#   5. deploy/smoke-test.sh (the deploy workflow's smoke test) passes against it;
#   6. Mozilla's HTTP Observatory grades Taskdeck through Caddy A+.
# Prints each result and the seconds taken; exits non-zero naming the first check that failed.
#
# Usage: deploy/caddy/check.sh BINARY SITE_DIR    (e.g. target/release/taskdeck target/site)
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
started=$SECONDS

say() { printf '\033[1;34m[caddy]\033[0m %s\n' "$*" >&2; }
pass() { printf '\033[1;32m[caddy] pass\033[0m %s\n' "$*" >&2; passed=$((passed + 1)); }
die() { printf '\033[1;31m[caddy] FAIL\033[0m %s\n' "$*" >&2; exit 1; }
passed=0

[ $# -eq 2 ] || die "usage: deploy/caddy/check.sh BINARY SITE_DIR"
binary=$1
site_root=$2
[ -x "$binary" ] || die "no taskdeck binary at $binary"
[ -d "$site_root" ] || die "no site directory at $site_root"
binary=$(cd "$(dirname "$binary")" && pwd)/$(basename "$binary")
site_root=$(cd "$site_root" && pwd)

sudo=()
[ "$(id -u)" -eq 0 ] || sudo=(sudo)
missing=()
command -v caddy >/dev/null || missing+=(caddy)
command -v curl >/dev/null || missing+=(curl)
command -v node >/dev/null || missing+=(nodejs npm)
if [ ${#missing[@]} -gt 0 ]; then
  say "installing Debian's ${missing[*]}"
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
say "$(caddy version | cut -d' ' -f1), $(curl --version | head -1 | cut -d' ' -f1-2)"

# The Observatory scanner, installed as deploy/observatory/check.sh installs it.
observatory=$root/deploy/observatory
# shellcheck source=deploy/observatory/scanner.sh
source "$observatory/scanner.sh"

scratch=$(mktemp -d "${TMPDIR:-/tmp}/taskdeck-caddy.XXXXXX")
pids=()
cleanup() {
  local pid
  for pid in "${pids[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in "${pids[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
  rm -rf "$scratch"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# The site is localhost:PORT (a domain with its port, so Caddy's redirects keep the port; with
# TASKDECK_HTTPS_PORT instead, Caddy takes the port for an internal one behind 443 and drops it).
# Four free loopback ports: Taskdeck, its metrics, Caddy's http and https.
read -r site_port metrics_port http_port https_port < <(node -e '
  const net = require("node:net");
  const servers = [0, 1, 2, 3].map(() => net.createServer().listen(0, "127.0.0.1"));
  Promise.all(servers.map((s) => new Promise((ok) => s.on("listening", ok)))).then(() => {
    console.log(servers.map((s) => s.address().port).join(" "));
    servers.forEach((s) => s.close());
  });')
origin=https://localhost:$https_port
# localhost may resolve to ::1 first; Caddy listens on 127.0.0.1 only.
curl() { command curl --resolve "localhost:$https_port:127.0.0.1" --resolve "localhost:$http_port:127.0.0.1" "$@"; }
# Low enough to reach in one burst, high enough for everything else this script sends from one
# address (the scanner, the stream check).
limit=40

say "starting $binary on 127.0.0.1:$site_port (APP_URL $origin, TRUSTED_PROXY_HEADER X-Forwarded-For)"
(
  cd "$scratch"
  exec env -i PATH="$PATH" \
    DATABASE_URL="sqlite://$scratch/caddy-check.db?mode=rwc" \
    LEPTOS_SITE_ADDR="127.0.0.1:$site_port" \
    LEPTOS_SITE_ROOT="$site_root" \
    LEPTOS_OUTPUT_NAME=taskdeck \
    METRICS_ADDR="127.0.0.1:$metrics_port" \
    APP_URL="$origin" \
    SESSION_SECRET="$("$binary" gen-secret)" \
    TRUSTED_PROXY_HEADER=X-Forwarded-For \
    RATE_LIMIT_REQUESTS_PER_MINUTE=$limit \
    LOG_LEVEL=warn \
    "$binary" serve
) >"$scratch/server.log" 2>&1 &
pids+=("$!")
server_pid=$!

say "starting Caddy on http://localhost:$http_port and $origin (tls internal)"
mkdir -p "$scratch/caddy-data" "$scratch/caddy-config"
env HOME="$scratch" XDG_DATA_HOME="$scratch/caddy-data" XDG_CONFIG_HOME="$scratch/caddy-config" \
  TASKDECK_DOMAIN="localhost:$https_port" TASKDECK_TLS=internal TASKDECK_BIND=loopback \
  TASKDECK_UPSTREAM="127.0.0.1:$site_port" TASKDECK_HTTP_PORT="$http_port" TASKDECK_CADDY_ADMIN=off \
  caddy run --adapter caddyfile --config "$here/Caddyfile" >"$scratch/caddy.log" 2>&1 &
pids+=("$!")
caddy_pid=$!

ca=$scratch/caddy-data/caddy/pki/authorities/local/root.crt
ready=
for _ in $(seq 1 120); do
  kill -0 "$server_pid" 2>/dev/null || { cat "$scratch/server.log" >&2; die "taskdeck stopped"; }
  kill -0 "$caddy_pid" 2>/dev/null || { cat "$scratch/caddy.log" >&2; die "caddy stopped"; }
  if [ -s "$ca" ] && [ "$(curl -s -o /dev/null -w '%{http_code}' --cacert "$ca" "$origin/readyz")" = 200 ]; then
    ready=yes
    break
  fi
  sleep 0.25
done
[ -n "$ready" ] || { cat "$scratch/server.log" "$scratch/caddy.log" >&2; die "taskdeck did not become ready behind caddy"; }
say "ready through Caddy after $((SECONDS - started)) s"
if grep -qi 'installing root certificate' "$scratch/caddy.log"; then
  die "caddy tried to install its root into the system trust store"
fi

# 1. http -> https.
answer=$(curl -s -o /dev/null -w '%{http_code} %{redirect_url}' "http://localhost:$http_port/login?next=%2F")
[ "$answer" = "308 $origin/login?next=%2F" ] || die "http://localhost:$http_port/login answered '$answer', wanted a 308 to $origin/login?next=%2F"
pass "http://localhost:$http_port/login?next=%2F -> 308 $origin/login?next=%2F"
answer=$(curl -s -o /dev/null -w '%{http_code} %{redirect_url}' "http://localhost:$https_port/")
case $answer in
  30[178]" https://localhost:$https_port/") pass "plain http on the https port -> ${answer%% *} to https" ;;
  *) die "plain http to the https port answered '$answer', wanted a redirect to $origin/" ;;
esac

# 2. A page over TLS, trusted through Caddy's root only.
curl -s -o "$scratch/page.html" -w '%{http_code} %{ssl_verify_result} %{http_version}' --cacert "$ca" "$origin/login" >"$scratch/page.status" \
  || die "curl --cacert could not load $origin/login"
read -r code verify version <"$scratch/page.status" || true # no trailing newline
{ [ "$code" = 200 ] && [ "$verify" = 0 ]; } || die "$origin/login answered $code (certificate verification result $verify)"
grep -q '<form' "$scratch/page.html" || die "$origin/login did not render the sign-in form"
if curl -s -o /dev/null --capath /nonexistent --cacert /etc/ssl/certs/ca-certificates.crt "$origin/login" 2>/dev/null; then
  die "$origin was trusted without Caddy's root certificate"
fi
issuer=$(openssl s_client -connect "127.0.0.1:$https_port" -servername localhost </dev/null 2>/dev/null | openssl x509 -noout -issuer 2>/dev/null || true)
pass "$origin/login: 200 over HTTP/$version, certificate verified against Caddy's root only (${issuer:-issuer unknown}), untrusted without it"

# 3. Live updates through Caddy, unbuffered. Sign up and in, make a project, follow its stream,
# then create a task through the form the board page posts, and time the event.
jar=$scratch/cookies.txt
password="correct horse battery staple"
email="caddy-$(date +%s)-$$@example.com"
form() { # PATH FIELD=VALUE... -> prints the HTTP status and the Location header
  local path=$1
  shift
  local args=() field
  for field in "$@"; do args+=(--data-urlencode "$field"); done
  curl -s -o /dev/null -w '%{http_code} %header{location}' --cacert "$ca" -b "$jar" -c "$jar" \
    -H "Origin: $origin" "${args[@]}" "$origin$path"
}
answer=$(form /api/sign_up "email=$email" "password=$password")
case $answer in 2* | 3*) ;; *) die "signing up answered '$answer'" ;; esac
answer=$(form /api/sign_in "email=$email" "password=$password")
case $answer in 2* | 3*) ;; *) die "signing in answered '$answer'" ;; esac
grep -q 'taskdeck_session' "$jar" || die "signing in through Caddy set no session cookie"
answer=$(form /api/create_project "name=Caddy check")
project=$(sed -n 's|.* /projects/\([0-9][0-9]*\)$|\1|p' <<<"$answer")
[ -n "$project" ] || die "creating a project answered '$answer' (wanted a redirect to /projects/ID)"

events=$scratch/events.txt
: >"$events"
stream_started=$(date +%s%N)
curl -s -N --cacert "$ca" -b "$jar" -D "$scratch/events.headers" -o "$events" --max-time 30 "$origin/projects/$project/events" &
pids+=("$!")
wait_for_events() { # COUNT -> waits up to 5 s for COUNT change events, prints the nanoseconds
  local count=$1 n
  for _ in $(seq 1 250); do
    n=$(grep -c '^event: change' "$events" || true)
    [ "$n" -ge "$count" ] && { date +%s%N; return 0; }
    sleep 0.02
  done
  return 1
}
first_at=$(wait_for_events 1) || { cat "$scratch/events.headers" "$events" >&2; die "no event arrived on /projects/$project/events within 5 s (buffered?)"; }
first_ms=$(((first_at - stream_started) / 1000000))
grep -qi '^content-type: text/event-stream' "$scratch/events.headers" || die "the stream's content type is not text/event-stream"
[ "$first_ms" -le 2000 ] || die "the stream's first event took $first_ms ms through Caddy (buffered?)"
changed=$(date +%s%N)
answer=$(form /api/create_task "project_id=$project" "title=Streamed through Caddy")
case $answer in 2* | 3*) ;; *) die "creating a task answered '$answer'" ;; esac
second_at=$(wait_for_events 2) || { cat "$events" >&2; die "the change event for the new task did not arrive within 5 s"; }
change_ms=$(((second_at - changed) / 1000000))
[ "$change_ms" -le 2000 ] || die "the change event arrived $change_ms ms after the change (wanted within 2000)"
pass "live updates through Caddy: first event after $first_ms ms, the new task's event $change_ms ms after the form was posted"

# 4. X-Forwarded-For: every connection reaches Taskdeck from Caddy (127.0.0.1), yet the limit of
# $limit requests a minute is counted per client address: from 127.0.0.2 the request after
# $limit is refused, while 127.0.0.3 is still served. Both claim to be 203.0.113.9 in an
# X-Forwarded-For of their own, which Caddy must replace.
burst() { # SOURCE COUNT -> the status codes, one a line
  local source=$1 count=$2 urls=()
  for _ in $(seq 1 "$count"); do urls+=(-o /dev/null "$origin/login"); done
  curl -s --interface "$source" --cacert "$ca" -H "X-Forwarded-For: 203.0.113.9" \
    -w '%{http_code}\n' "${urls[@]}"
}
codes=$(burst 127.0.0.2 $((limit + 1)))
served=$(grep -c '^200$' <<<"$codes" || true)
last=$(tail -1 <<<"$codes")
{ [ "$served" -eq "$limit" ] && [ "$last" = 429 ]; } || die "from 127.0.0.2: $served of $((limit + 1)) requests served, the last answered $last (wanted $limit served, then 429)"
other=$(burst 127.0.0.3 1)
[ "$other" = 200 ] || die "127.0.0.3 answered $other after 127.0.0.2 was limited: Taskdeck counted them as one address"
pass "X-Forwarded-For honoured: 127.0.0.2 got $served x 200 then 429, 127.0.0.3 still 200 (a spoofed X-Forwarded-For was replaced)"

# 5. The deploy smoke test (what deploy.yml runs after a rollout) against this site.
SMOKE_CACERT=$ca SMOKE_TIMEOUT=10 "$root/deploy/smoke-test.sh" "$origin" >"$scratch/smoke.log" 2>&1 \
  || { cat "$scratch/smoke.log" >&2; die "deploy/smoke-test.sh $origin failed"; }
pass "deploy/smoke-test.sh $origin: $(tail -1 "$scratch/smoke.log" | sed 's/^smoke test: //')"

# 6. The HTTP Observatory through Caddy.
report=$scratch/scan.json
if ! NODE_EXTRA_CA_CERTS="$ca" node "$scanner" "localhost:$https_port" >"$report"; then
  cat "$report" >&2
  die "the Observatory scanner failed"
fi
# shellcheck disable=SC2016 # JavaScript template literals, not shell
summary=$(node -e '
  const { scan, tests } = require(process.argv[1]);
  const failed = Object.entries(tests).filter(([, t]) => !t.pass).map(([n, t]) => `${n}: ${t.result}`);
  console.log(`${scan.grade} ${scan.score} ${scan.testsPassed}/${scan.testsQuantity}${failed.length ? " failed: " + failed.join(", ") : ""}`);
' "$report")
grade=${summary%% *}
[ "$grade" = A+ ] || die "Observatory grade through Caddy: $summary (wanted A+)"
pass "HTTP Observatory through Caddy: grade $summary tests passed"

say "$passed checks passed in $((SECONDS - started)) s"
