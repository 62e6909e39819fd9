#!/usr/bin/env bash
# Smoke-tests a running Taskdeck the way a person would first use it, with curl only:
# /healthz and /readyz answer 200, an account signs in (a throwaway one signed up now, or the one
# in SMOKE_EMAIL / SMOKE_PASSWORD), a project is created and its board opens, and the project is
# deleted again. Exits non-zero with the reason at the first thing that fails.
#
# Usage: deploy/smoke-test.sh URL        (e.g. https://tasks.example.com)
# Environment:
#   SMOKE_EMAIL, SMOKE_PASSWORD  an existing account to use instead of signing up a new one
#   SMOKE_CACERT                 a CA certificate to trust (a test CA); default: the system's
#   SMOKE_TIMEOUT                seconds to keep retrying /readyz before giving up (default 60)
set -euo pipefail

die() { printf 'smoke test FAILED: %s\n' "$*" >&2; exit 1; }
say() { printf 'smoke test: %s\n' "$*" >&2; }

[ $# -eq 1 ] || die "usage: deploy/smoke-test.sh URL"
url=${1%/}
case $url in http://* | https://*) ;; *) die "URL must start with http:// or https:// (got '$1')" ;; esac
command -v curl >/dev/null || die "curl is needed"
started=$SECONDS

work=$(mktemp -d "${TMPDIR:-/tmp}/taskdeck-smoke.XXXXXX")
trap 'rm -rf "$work"' EXIT
jar=$work/cookies.txt
curl_opts=(-s --max-time 15 -b "$jar" -c "$jar")
[ -z "${SMOKE_CACERT:-}" ] || curl_opts+=(--cacert "$SMOKE_CACERT")

# curl prints 000 itself when it gets no answer at all.
status_of() { curl "${curl_opts[@]}" -o "$work/body" -w '%{http_code}' "$url$1" || true; }

code=$(status_of /healthz)
[ "$code" = 200 ] || die "GET $url/healthz answered $code (wanted 200: the server is not up)"
say "/healthz 200"
deadline=$((SECONDS + ${SMOKE_TIMEOUT:-60}))
while :; do
  code=$(status_of /readyz)
  [ "$code" = 200 ] && break
  [ "$SECONDS" -lt "$deadline" ] || die "GET $url/readyz answered $code for ${SMOKE_TIMEOUT:-60} s (wanted 200: not ready, e.g. no database)"
  sleep 2
done
say "/readyz 200"

# POSTs a form the way the pages do; prints "STATUS LOCATION".
post() {
  local path=$1
  shift
  local args=() field
  for field in "$@"; do args+=(--data-urlencode "$field"); done
  curl "${curl_opts[@]}" -o "$work/body" -w '%{http_code} %header{location}' \
    -H "Origin: $url" "${args[@]}" "$url$path" || true
}
ok() { case $1 in 2* | 3*) return 0 ;; *) return 1 ;; esac; }

if [ -n "${SMOKE_EMAIL:-}" ]; then
  email=$SMOKE_EMAIL
  password=${SMOKE_PASSWORD:?SMOKE_PASSWORD is required with SMOKE_EMAIL}
else
  email="smoke-$(date +%s)-$RANDOM@example.com"
  password="smoke $(head -c 18 /dev/urandom | od -An -tx1 | tr -d ' \n')"
  answer=$(post /api/sign_up "email=$email" "password=$password")
  ok "$answer" || die "signing up $email answered '$answer': $(head -c 300 "$work/body")"
  say "signed up $email"
fi
answer=$(post /api/sign_in "email=$email" "password=$password")
ok "$answer" || die "signing in as $email answered '$answer'"
grep -q 'taskdeck_session' "$jar" || die "signing in as $email set no session cookie (wrong password, or APP_URL's scheme differs from $url's?)"
say "signed in as $email"

name="Smoke test $(date -u +%Y-%m-%dT%H:%M:%SZ)"
answer=$(post /api/create_project "name=$name")
project=$(sed -n 's|.*/projects/\([0-9][0-9]*\)$|\1|p' <<<"$answer")
[ -n "$project" ] || die "creating a project answered '$answer' (wanted a redirect to /projects/ID)"
code=$(status_of "/projects/$project")
[ "$code" = 200 ] || die "opening the board $url/projects/$project answered $code"
grep -qF "$name" "$work/body" || die "the board $url/projects/$project does not show the project's name"
say "opened the board /projects/$project"
answer=$(post /api/delete_project "id=$project")
ok "$answer" || die "deleting the smoke-test project $project answered '$answer'"
say "passed in $((SECONDS - started)) s ($url)"
