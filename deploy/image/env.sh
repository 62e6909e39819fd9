# shellcheck shell=bash
# Sourced by deploy/image/*.sh: podman with the project's own configuration and storage, so a
# build or test touches nothing of the machine's (no /var/lib/containers, no /etc/containers
# changes). Installs Debian's podman and mmdebstrap when missing.
#
#   TASKDECK_PODMAN_DIR  where images, containers and the cached base rootfs live
#                        (default ~/.cache/taskdeck-podman)

image_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
podman_dir=${TASKDECK_PODMAN_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/taskdeck-podman}
mkdir -p "$podman_dir/tmp" "$podman_dir/rootfs"
podman_dir=$(cd "$podman_dir" && pwd)
# storage.conf reads its graphroot and runroot from TASKDECK_PODMAN_DIR.
export TASKDECK_PODMAN_DIR=$podman_dir
export CONTAINERS_CONF="$image_dir/containers.conf"
export CONTAINERS_STORAGE_CONF="$image_dir/storage.conf"

# TMPDIR and --tmpdir: buildah's scratch files and podman's own state stay in the cache too.
pm() { TMPDIR="$podman_dir/tmp" podman --tmpdir "$podman_dir/tmp/libpod" "$@"; }

# Debian's podman (and runc, the runtime containers.conf names), and mmdebstrap for the base.
ensure_podman() {
  local missing=() tool
  for tool in podman runc mmdebstrap; do
    command -v "$tool" >/dev/null || missing+=("$tool")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  local sudo=()
  [ "$(id -u)" -eq 0 ] || sudo=(sudo)
  printf '[image] installing %s from Debian\n' "podman buildah runc mmdebstrap" >&2
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    podman buildah runc mmdebstrap uidmap fuse-overlayfs containernetworking-plugins >/dev/null
}
