#!/usr/bin/env bash
# Splits the release binary in two: OUT_DIR/taskdeck, without debug information or symbols (what
# the image carries), and OUT_DIR/taskdeck.debug, its line tables and symbols (what Sentry gets,
# `sentry-cli debug-files upload`, so a stack trace from production shows file and line). Both
# carry the same GNU build id, by which Sentry matches an event's addresses to the debug file.
# Used by the Dockerfile's build stage and by deploy/image/build.sh, so both images are alike.
#
# Usage: deploy/image/split-debug.sh BINARY OUT_DIR
set -euo pipefail
[ $# -eq 2 ] || { echo "usage: deploy/image/split-debug.sh BINARY OUT_DIR" >&2; exit 2; }
binary=$1
out=$2
[ -f "$binary" ] || { echo "split-debug: no binary at $binary" >&2; exit 1; }
# The release profile asks for line tables (Cargo.toml); without them Sentry could name
# functions but never a line, so a build that lost them is refused rather than shipped.
# (readelf's output is read whole first: `readelf | grep -q` under pipefail fails when grep stops
# reading at its first match and readelf dies of SIGPIPE.)
sections=$(readelf -S --wide "$binary")
notes=$(readelf -n "$binary" 2>/dev/null)
[[ $sections == *.debug_line* ]] ||
  { echo "split-debug: $binary has no line tables (.debug_line): build with the release profile in Cargo.toml" >&2; exit 1; }
[[ $notes == *"Build ID"* ]] ||
  { echo "split-debug: $binary has no GNU build id, so Sentry could not match its debug file" >&2; exit 1; }
mkdir -p "$out"
# Compressed (zlib, as ELF allows and Sentry reads): most of the size is names of inlined
# generic functions, about 800 MB raw and a tenth of it compressed.
objcopy --only-keep-debug --compress-debug-sections=zlib "$binary" "$out/taskdeck.debug"
objcopy --strip-all --add-gnu-debuglink="$out/taskdeck.debug" "$binary" "$out/taskdeck.tmp"
chmod 755 "$out/taskdeck.tmp"
mv "$out/taskdeck.tmp" "$out/taskdeck"
echo "split-debug: $(($(stat -c %s "$binary") / 1000000)) MB -> taskdeck $(($(stat -c %s "$out/taskdeck") / 1000000)) MB + taskdeck.debug $(($(stat -c %s "$out/taskdeck.debug") / 1000000)) MB" >&2
