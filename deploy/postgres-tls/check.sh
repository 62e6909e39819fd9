#!/usr/bin/env bash
# Checks that Taskdeck talks to PostgreSQL over verified TLS, against a real server: a throwaway
# PostgreSQL 15 cluster (initdb in a temp dir, port 5498, 127.0.0.1 only) with ssl=on, a server
# certificate from a throwaway CA, and a pg_hba.conf that accepts TLS connections only.
#
#   1 verify-full with the right CA: `migrate up` works and `migrate status` shows nothing pending
#   2 verify-full with another CA: refused (unknown issuer)
#   3 verify-full against a certificate for another host name: refused
#   4 sslmode=disable: refused by the server (hostnossl ... reject)
#   5 `taskdeck serve` with the verify-full URL answers /readyz with 200
#   6 verify-ca with the right CA accepts check 3's certificate (the chain is fine, only the name
#     is wrong); this also catches rustls panicking for want of a process-level CryptoProvider
#   7 require, with no CA at all, accepts that certificate too (encryption without verification)
#
# Usage: deploy/postgres-tls/check.sh [path/to/taskdeck]   (default: target/release/taskdeck)
# Needs root (the cluster runs as the postgres user): when not root, it runs itself again through
# sudo. Installs Debian's postgresql-15, openssl and curl when missing. Never touches the machine's
# own clusters. PG_TLS_PORT overrides the port (default 5498). Takes about 5 s.
set -euo pipefail
if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1; then
  exec sudo --preserve-env=PG_TLS_PORT "$0" "$@"
fi

started=$(date +%s.%N)
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
binary=${1:-$root/target/release/taskdeck}
port=${PG_TLS_PORT:-5498}
pgbin=/usr/lib/postgresql/15/bin

say() { printf '\033[1;34m[pg-tls]\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31m[pg-tls]\033[0m %s\n' "$*" >&2; exit 1; }

[ -x "$binary" ] || die "no taskdeck binary at $binary (build it, or pass its path)"
binary=$(cd "$(dirname "$binary")" && pwd)/$(basename "$binary")
[ "$(id -u)" -eq 0 ] || die "run as root or with sudo: the throwaway cluster runs as the postgres user"
if [ ! -x "$pgbin/initdb" ] || ! command -v openssl >/dev/null || ! command -v curl >/dev/null; then
  say "installing Debian's postgresql-15, openssl and curl"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-15 openssl curl >/dev/null
fi
id postgres >/dev/null 2>&1 || die "no postgres user (install postgresql-15)"
if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
  die "something already listens on 127.0.0.1:$port (set PG_TLS_PORT to another port)"
fi

scratch=$(mktemp -d "${TMPDIR:-/tmp}/taskdeck-pg-tls.XXXXXX")
data=$scratch/data
tls=$scratch/tls
server_pid=
cleanup() {
  local status=$?
  if [ -n "$server_pid" ]; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  if [ -f "$data/postmaster.pid" ]; then
    runuser -u postgres -- "$pgbin/pg_ctl" -D "$data" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$scratch"
  printf '[pg-tls] runtime %.1f s\n' "$(echo "$(date +%s.%N) - $started" | bc)" >&2
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Two throwaway CAs (the second is the "wrong" one), a server certificate for localhost and
# 127.0.0.1, and one for a name the client never asks for, both signed by the first CA.
say "making two throwaway CAs and two server certificates"
mkdir "$tls"
(
  cd "$tls"
  for ca in ca other-ca; do
    openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
      -keyout "$ca.key" -out "$ca.pem" -days 2 -subj "/CN=Taskdeck pg-tls throwaway $ca" \
      -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign"
  done
  for cert in server:DNS:localhost,IP:127.0.0.1 wrong-name:DNS:db.example.invalid; do
    name=${cert%%:*}
    san=${cert#*:}
    openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
      -keyout "$name.key" -out "$name.csr" -subj "/CN=${san#DNS:}"
    printf '%s\n' "basicConstraints=critical,CA:FALSE" "keyUsage=critical,digitalSignature" \
      "extendedKeyUsage=serverAuth" "subjectAltName=$san" >"$name.ext"
    openssl x509 -req -in "$name.csr" -CA ca.pem -CAkey ca.key -CAcreateserial \
      -out "$name.pem" -days 2 -extfile "$name.ext"
  done
) >"$scratch/openssl.log" 2>&1 || { cat "$scratch/openssl.log" >&2; die "openssl failed"; }
# The file the server reads; check 3 swaps the wrong-name certificate in.
cp "$tls/server.pem" "$tls/live.pem"
cp "$tls/server.key" "$tls/live.key"
chmod 0600 "$tls"/*.key
chown -R postgres: "$scratch"

say "initdb and start PostgreSQL 15 on 127.0.0.1:$port (ssl=on, TLS connections only)"
runuser -u postgres -- "$pgbin/initdb" -D "$data" -U postgres --auth=trust -E UTF8 \
  --no-sync --no-instructions >"$scratch/initdb.log" 2>&1 ||
  { cat "$scratch/initdb.log" >&2; die "initdb failed"; }
cat >>"$data/postgresql.conf" <<EOF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$scratch'
ssl = on
ssl_cert_file = '$tls/live.pem'
ssl_key_file = '$tls/live.key'
ssl_min_protocol_version = 'TLSv1.2'
fsync = off
logging_collector = off
EOF
cat >"$data/pg_hba.conf" <<'EOF'
local     all  all                trust
hostssl   all  all  127.0.0.1/32  trust
hostnossl all  all  127.0.0.1/32  reject
EOF
chown postgres: "$data/postgresql.conf" "$data/pg_hba.conf"
start_cluster() {
  runuser -u postgres -- "$pgbin/pg_ctl" -D "$data" -l "$scratch/postgres.log" -w -t 20 "$@" \
    >/dev/null || { cat "$scratch/postgres.log" >&2; die "pg_ctl $* failed"; }
}
start_cluster start

failures=0
ok() { printf 'ok    %s\n' "$*"; }
fail() { printf 'FAIL  %s\n' "$*"; failures=$((failures + 1)); }

# Runs taskdeck in a clean environment (no .env or DATABASE_URL of the caller leaks in), from the
# scratch directory; sets $out to its output and returns its status.
out=
taskdeck() {
  local url=$1
  shift
  local status=0
  out=$(cd "$scratch" && env -i PATH="$PATH" DATABASE_URL="$url" LOG_LEVEL=error NO_COLOR=1 \
    timeout 30 "$binary" "$@" 2>&1) || status=$?
  out=$(sed -e 's/\x1b\[[0-9;]*m//g' -e '/^[[:space:]]*$/d' <<<"$out")
  [ "$status" -eq 0 ] || out="exit $status: $out"
  return "$status"
}
# The first line that says what went wrong: the error logged as `error=...`, a panic's message
# (the line after "panicked at"), or else the first line of output.
first_error() {
  local line
  line=$(grep -m1 -oE 'error=.*' <<<"$out" || true)
  [ -n "$line" ] || line=$(grep -m1 -A1 'panicked at' <<<"$out" | tr '\n' ' ' || true)
  [ -n "$line" ] || line=$(head -n1 <<<"$out")
  printf '%s' "${line:-<no output>}"
}
# Expects taskdeck to be refused with a message matching $2 (an extended regex).
expect_refused() {
  local what=$1 pattern=$2 url=$3
  if taskdeck "$url" migrate status; then
    fail "$what: connected, should have been refused"
  elif grep -qiE "$pattern" <<<"$out"; then
    ok "$what: refused: $(first_error)"
  else
    fail "$what: failed, but not with /$pattern/: $(first_error)"
  fi
}

base="postgres://postgres@localhost:$port/postgres"
good="$base?sslmode=verify-full&sslrootcert=$tls/ca.pem"

# 1. The right CA, verify-full: migrations apply and none stay pending.
if ! taskdeck "$good" migrate up; then
  fail "1 verify-full, right CA: migrate up failed: $(first_error)"
elif ! taskdeck "$good" migrate status; then
  fail "1 verify-full, right CA: migrate status failed: $(first_error)"
elif grep -qi pending <<<"$out"; then
  fail "1 verify-full, right CA: migrations still pending: $(grep -m1 -i pending <<<"$out")"
else
  applied=$(grep -ciE 'applied' <<<"$out" || true)
  ok "1 verify-full, right CA: migrate up + status work, $applied applied, 0 pending"
fi
# The server accepts TLS connections only, so that connection was encrypted; show the session's
# TLS parameters as PostgreSQL sees them.
tls_row=$(runuser -u postgres -- "$pgbin/psql" -h 127.0.0.1 -p "$port" -U postgres -d postgres \
  -Atc "select version, cipher from pg_stat_ssl where pid = pg_backend_pid()" \
  "sslmode=require" 2>/dev/null || true)
say "psql's session on this server (TLS only, as Taskdeck's was): ${tls_row:-unknown}"

# 2. A CA that did not sign the server's certificate.
expect_refused "2 verify-full, another CA" 'certificate|UnknownIssuer' \
  "$base?sslmode=verify-full&sslrootcert=$tls/other-ca.pem"

# 4. No TLS at all: pg_hba.conf's hostnossl line rejects it.
expect_refused "4 sslmode=disable" 'pg_hba\.conf.*no encryption' "$base?sslmode=disable"

# 5. The server itself, with the verify-full URL: /readyz answers 200.
# A port nothing listens on (bash alone: sudo's PATH may lack the caller's python or node).
site_port=
for _ in $(seq 1 50); do
  candidate=$((20000 + RANDOM % 40000))
  if ! (exec 3<>"/dev/tcp/127.0.0.1/$candidate") 2>/dev/null; then
    site_port=$candidate
    break
  fi
done
[ -n "$site_port" ] || die "found no free port for taskdeck serve"
(
  cd "$scratch"
  exec env -i PATH="$PATH" DATABASE_URL="$good" LEPTOS_SITE_ADDR="127.0.0.1:$site_port" \
    LEPTOS_SITE_ROOT="$scratch/site" METRICS_ADDR=127.0.0.1:0 LOG_LEVEL=warn \
    "$binary" serve
) >"$scratch/serve.log" 2>&1 &
server_pid=$!
code=000
for _ in $(seq 1 60); do
  kill -0 "$server_pid" 2>/dev/null || break
  code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://127.0.0.1:$site_port/readyz" || true)
  [ "$code" = 200 ] && break
  sleep 0.25
done
if [ "$code" = 200 ]; then
  ok "5 serve with verify-full: /readyz answered 200"
else
  out=$(cat "$scratch/serve.log")
  fail "5 serve with verify-full: /readyz answered $code: $(first_error)"
fi
kill "$server_pid" 2>/dev/null || true
wait "$server_pid" 2>/dev/null || true
server_pid=

# 3. The right CA, but the server presents a certificate for db.example.invalid only.
say "restarting PostgreSQL with a certificate for db.example.invalid only"
cp "$tls/wrong-name.pem" "$tls/live.pem"
cp "$tls/wrong-name.key" "$tls/live.key"
start_cluster -m fast restart
expect_refused "3 verify-full, certificate for another name" 'certificate|NotValidForName' "$good"
# 6. verify-ca with the right CA and a certificate for another name. It used to panic (rustls
# found two crypto providers and chose neither; main installs ring now). sqlx's rustls path still
# checks the name under verify-ca, so it is refused like verify-full: stricter than libpq, never
# weaker. What must not happen is a panic (exit 101) or a connection with the wrong CA.
if taskdeck "$base?sslmode=verify-ca&sslrootcert=$tls/ca.pem" migrate status; then
  ok "6 verify-ca, right CA, certificate for another name: connects"
elif grep -qE "panicked|^exit 101:" <<<"$out"; then
  fail "6 verify-ca, right CA: the process panicked: $(first_error)"
else
  ok "6 verify-ca, right CA, certificate for another name: no panic; refused for the name, as sqlx with rustls does ($(first_error))"
fi
# 7. require encrypts but verifies nothing: no CA given, a certificate for another name, and it
# connects. This is why the README says verify-full.
if taskdeck "$base?sslmode=require" migrate status; then
  ok "7 require, no CA, certificate for another name: connects (encrypted, nothing verified)"
else
  fail "7 require, no CA, certificate for another name: $(first_error)"
fi

if [ "$failures" -gt 0 ]; then
  die "$failures check(s) failed"
fi
say "all PostgreSQL TLS checks passed"
