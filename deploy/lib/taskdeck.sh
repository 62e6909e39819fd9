# shellcheck shell=bash
# Helpers shared by the deploy tests (deploy/image, deploy/rolling, deploy/blue-green): free
# ports, waiting for readiness, throwaway PostgreSQL databases, and Taskdeck's own forms driven
# with curl the way deploy/smoke-test.sh and bench/board do (server functions under /api/).
# Callers set `tag` (the prefix of messages) before sourcing.

say() { printf '\033[1;34m[%s]\033[0m %s\n' "${tag:-deploy}" "$*" >&2; }
die() { printf '\033[1;31m[%s] FAILED:\033[0m %s\n' "${tag:-deploy}" "$*" >&2; exit 1; }

# Prints N free TCP ports on 127.0.0.1.
free_ports() {
  python3 - "$1" <<'PY'
import socket, sys
socks = [socket.socket() for _ in range(int(sys.argv[1]))]
for s in socks:
    s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in socks))
PY
}

# The HTTP status of GET URL (000 when nothing answered).
http_status() { curl -s -o /dev/null --max-time "${2:-5}" -w '%{http_code}' "$1" 2>/dev/null || true; }

# Waits until URL/readyz answers 200; gives up after SECS seconds, or when PID (optional) exits.
wait_ready() {
  local url=$1 pid=${3:-} deadline=$((SECONDS + $2))
  while [ "$(http_status "$url/readyz" 2)" != 200 ]; do
    if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then
      return 2
    fi
    [ "$SECONDS" -lt "$deadline" ] || return 1
    sleep 0.2
  done
}

pg_admin_url=${TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}
# The URL of database NAME on the admin server.
pg_url() { printf '%s/%s' "${pg_admin_url%/*}" "$1"; }
pg_create() { psql -qX -v ON_ERROR_STOP=1 "$pg_admin_url" -c "CREATE DATABASE $1" >/dev/null; }
pg_drop() { psql -qX "$pg_admin_url" -c "DROP DATABASE IF EXISTS $1 WITH (FORCE)" >/dev/null 2>&1 || say "could not drop the database $1"; }
pg_query() { psql -qXAt -v ON_ERROR_STOP=1 "$(pg_url "$1")" -c "$2"; }

# api_post BASE JAR PATH FIELD=VALUE... -> prints "STATUS LOCATION", the body in $JAR.body.
api_post() {
  local base=$1 jar=$2 path=$3
  shift 3
  local args=() field
  for field in "$@"; do args+=(--data-urlencode "$field"); done
  curl -s --max-time 15 -b "$jar" -c "$jar" -o "$jar.body" -w '%{http_code} %header{location}' \
    -H 'Accept: application/json' "${args[@]}" "$base$path" || echo "000 "
}

# Signs up and in a new account; the session cookie ends up in JAR.
api_account() {
  local base=$1 jar=$2 email=$3 answer
  answer=$(api_post "$base" "$jar" /api/sign_up "email=$email" "password=correct horse battery staple")
  [[ $answer == 2* ]] || die "sign-up of $email at $base answered '$answer': $(head -c 300 "$jar.body" 2>/dev/null)"
  answer=$(api_post "$base" "$jar" /api/sign_in "email=$email" "password=correct horse battery staple")
  [[ $answer == 2* ]] || die "sign-in of $email at $base answered '$answer'"
  grep -q taskdeck_session "$jar" || die "sign-in at $base set no session cookie"
}

# Creates a project; prints its id.
api_project() {
  local base=$1 jar=$2 name=$3 answer
  answer=$(api_post "$base" "$jar" /api/create_project "name=$name")
  [[ $answer =~ /projects/([0-9]+)$ ]] || die "create_project at $base answered '$answer'"
  echo "${BASH_REMATCH[1]}"
}

# Creates a task; prints its id.
api_task() {
  local base=$1 jar=$2 project=$3 title=$4 answer
  answer=$(api_post "$base" "$jar" /api/create_task "project_id=$project" "title=$title")
  [[ $answer == 200* ]] || die "create_task at $base answered '$answer': $(head -c 300 "$jar.body" 2>/dev/null)"
  python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["id"])' "$jar.body"
}

# The session cookie's value from a curl cookie jar.
jar_session() { awk '$6 == "taskdeck_session" { print $7 }' "$1" | tail -1; }

# --- HAProxy's runtime API -----------------------------------------------------------------
# hap SOCKET COMMAND... : one runtime API command (socat), its answer on stdout.
hap() {
  local socket=$1
  shift
  printf '%s\n' "$*" | socat -t 2 - "UNIX-CONNECT:$socket"
}
# hap_status SOCKET SERVER : the server's status in backend taskdeck (UP, DOWN, MAINT, DRAIN,
# "UP 1/2"...).
hap_status() {
  hap "$1" "show stat" | awk -F, -v s="$2" '$1 == "taskdeck" && $2 == s { print $18 }'
}
# hap_wait SOCKET SERVER STATUS SECS : waits until SERVER's status is STATUS.
hap_wait() {
  local deadline=$((SECONDS + $4))
  while [ "$(hap_status "$1" "$2")" != "$3" ]; do
    [ "$SECONDS" -lt "$deadline" ] || return 1
    sleep 0.2
  done
}
# hap_counts SOCKET SERVER : "responses 5xx" that HAProxy has counted for SERVER.
hap_counts() {
  hap "$1" "show stat" | awk -F, -v s="$2" '$1 == "taskdeck" && $2 == s { print $40 + $41 + $42 + $43 + $44 + $45, $44 }'
}
ensure_socat() {
  command -v socat >/dev/null && return 0
  local sudo=()
  [ "$(id -u)" -eq 0 ] || sudo=(sudo)
  say "installing Debian's socat (for HAProxy's runtime API)"
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq socat >/dev/null
}
ensure_haproxy_wrk() {
  local missing=() tool
  for tool in haproxy wrk socat; do command -v "$tool" >/dev/null || missing+=("$tool"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  local sudo=()
  [ "$(id -u)" -eq 0 ] || sudo=(sudo)
  say "installing Debian's ${missing[*]}"
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
}

# alive PID: the process exists and is not a zombie (an exited child not yet waited for).
alive() {
  local s
  s=$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null) || return 1
  [ -n "$s" ] && [ "$s" != Z ]
}
