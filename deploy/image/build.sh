#!/usr/bin/env bash
# Builds Taskdeck's container image with podman, from the Dockerfile's runtime stage (the same
# recipe GitHub builds), on a base made from Debian's packages (rootfs.sh), with the server
# binary and browser assets built on this machine: no registry, no Docker engine, no Rust inside
# a container.
#
# Usage: deploy/image/build.sh BINARY SITE_DIR
#   e.g. deploy/image/build.sh target/release/taskdeck target/site
# Environment:
#   IMAGE                the tag to build (default localhost/taskdeck:local)
#   TASKDECK_PODMAN_DIR  podman's storage and the cached base (default ~/.cache/taskdeck-podman)
#   STRIP_BINARY=1       put the binary in the image without debug information or symbols, as the
#                        Dockerfile does (split-debug.sh); they go to DEBUG_DIR/taskdeck.debug
#                        (default $TASKDECK_PODMAN_DIR/debug), the file to upload to Sentry
# The base root filesystem is cached under a key made of rootfs.sh, trim.py and the suite, so
# only the first build (or one after a recipe change) runs mmdebstrap (about 3 minutes).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
say() { printf '\033[1;34m[image]\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31m[image]\033[0m %s\n' "$*" >&2; exit 1; }

[ $# -eq 2 ] || die "usage: deploy/image/build.sh BINARY SITE_DIR"
binary=$1
site=$2
image=${IMAGE:-localhost/taskdeck:local}
[ -x "$binary" ] || die "no taskdeck binary at $binary"
# Which content-hashed names in SITE_DIR are this build's: the release build writes it beside the
# binary (scripts/build-release).
hash_file=$(dirname "$binary")/hash.txt
[ -f "$hash_file" ] || die "no hash.txt beside $binary: build it with scripts/build-release"
# shellcheck source=deploy/image/env.sh
source "$here/env.sh"
ensure_podman
started=$SECONDS

# The base: Debian minbase, cut down, cached by recipe.
key=$(cat "$here/rootfs.sh" "$here/trim.py" <(echo "${SUITE:-bookworm} ${MIRROR:-}") | sha256sum | cut -c1-16)
base=localhost/taskdeck-base:$key
tarball=$podman_dir/rootfs/base-$key.tar
if [ ! -s "$tarball" ]; then
  say "making the base root filesystem with mmdebstrap (recipe $key; cached afterwards)"
  partial=$tarball.partial
  "$here/rootfs.sh" "$partial" "$podman_dir/debs" >"$podman_dir/rootfs/mmdebstrap.log" 2>&1 ||
    { tail -30 "$podman_dir/rootfs/mmdebstrap.log" >&2; rm -f "$partial"; die "mmdebstrap failed (log: $podman_dir/rootfs/mmdebstrap.log)"; }
  mv "$partial" "$tarball"
  find "$podman_dir/rootfs" -name 'base-*.tar' ! -name "base-$key.tar" -delete
fi
if ! pm image exists "$base"; then
  say "importing the base as $base ($(($(stat -c %s "$tarball") / 1000000)) MB)"
  pm import --quiet --change 'ENV PATH=/usr/local/bin:/usr/bin:/bin' "$tarball" "$base" >/dev/null
fi

# The build context: just the three things the runtime stage copies.
context=$(mktemp -d "$podman_dir/tmp/context.XXXXXX")
trap 'rm -rf "$context"' EXIT
if [ "${STRIP_BINARY:-0}" = 1 ]; then
  # As the Dockerfile's build stage does: the image gets the binary without debug information,
  # DEBUG_DIR gets taskdeck.debug (its line tables and symbols) for Sentry.
  debug_dir=${DEBUG_DIR:-$podman_dir/debug}
  "$here/split-debug.sh" "$binary" "$context"
  mkdir -p "$debug_dir"
  mv "$context/taskdeck.debug" "$debug_dir/taskdeck.debug"
  say "the binary without debug information is in the image; its debug file is $debug_dir/taskdeck.debug"
else
  cp "$binary" "$context/taskdeck"
fi
cp "$hash_file" "$context/hash.txt"
if [ -d "$site" ]; then
  cp -r "$site" "$context/site"
else
  say "no site directory at $site: the image serves pages without their WASM, JS and CSS"
  mkdir "$context/site"
fi

say "building $image (Dockerfile, target runtime, BASE=$base)"
pm build --quiet --format docker --target runtime \
  --build-arg "BASE=$base" --build-arg ARTIFACTS=prebuilt \
  -f "$root/Dockerfile" -t "$image" "$context" >/dev/null
# The intermediate stage (the prebuilt files) is left untagged: drop it.
pm image prune -f >/dev/null
size=$(pm image inspect --format '{{.Size}}' "$image")
say "built $image: $((size / 1000000)) MB ($size bytes) in $((SECONDS - started)) s"
