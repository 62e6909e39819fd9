#!/usr/bin/env bash
# Makes the base root filesystem of Taskdeck's image from Debian's own packages (no registry
# needed): mmdebstrap's minbase of bookworm with ca-certificates and tini, cut down by trim.py to
# the packages a Rust server needs at run time (libc, libgcc, CA certificates, tini, dash for
# `podman exec`, dpkg's database so scanners can list what is inside). Documentation is never
# unpacked; manuals, translations, apt's lists and glibc's iconv modules (gconv, 8 MB: Rust never
# calls iconv) are removed. It adds the `taskdeck` user (uid and gid
# 10001) and /data owned by it: what the Dockerfile's `slim-base` stage does on GitHub.
#
# Usage: deploy/image/rootfs.sh OUT.tar [DEB_CACHE_DIR]
# deploy/image/build.sh caches OUT.tar under a key made of this file's, trim.py's and the suite's
# contents, so a rerun takes no time. DEB_CACHE_DIR keeps the downloaded .deb files between
# recipe changes. MIRROR (default http://deb.debian.org/debian) and SUITE (default bookworm).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
out=${1:?usage: rootfs.sh OUT.tar [DEB_CACHE_DIR]}
debs=${2:-}
suite=${SUITE:-bookworm}
mirror=${MIRROR:-http://deb.debian.org/debian}

# What stays. Everything else minbase installed (apt, perl, debconf, bash, coreutils, util-linux,
# PAM, systemd's libraries...) goes.
keep=(base-files base-passwd netbase dash libc6 libgcc-s1 gcc-12-base ca-certificates tini
  dpkg libbz2-1.0 liblzma5 libzstd1 libmd0 libselinux1 libpcre2-8-0 zlib1g tar)

# shellcheck disable=SC2016 # the hooks' $1 is the new root, expanded by mmdebstrap
hooks=(
  --customize-hook="python3 '$here/trim.py' \"\$1\" ${keep[*]}"
  --customize-hook='rm -rf "$1"/var/cache/* "$1"/var/log/* "$1"/tmp/* "$1"/usr/share/man "$1"/usr/share/info "$1"/usr/share/locale "$1"/usr/share/lintian "$1"/usr/share/common-licenses "$1"/var/lib/dpkg/*-old "$1"/etc/*- "$1"/usr/lib/x86_64-linux-gnu/gconv && find "$1"/var/lib/apt/lists -type f -delete'
  --customize-hook='echo "taskdeck:x:10001:10001:Taskdeck:/app:/usr/sbin/nologin" >>"$1"/etc/passwd && echo "taskdeck:x:10001:" >>"$1"/etc/group && mkdir -p "$1"/data "$1"/app && chown 10001:10001 "$1"/data'
)
if [ -n "$debs" ]; then
  mkdir -p "$debs"
  debs=$(cd "$debs" && pwd)
  # Downloaded packages are reused: copied in before apt runs, copied out after.
  hooks=(
    --skip=essential/unlink
    --setup-hook="mkdir -p \"\$1\"/var/cache/apt/archives && find '$debs' -name '*.deb' -exec cp -t \"\$1\"/var/cache/apt/archives/ {} + "
    --customize-hook="find \"\$1\"/var/cache/apt/archives -name '*.deb' -exec cp -t '$debs'/ {} + "
    "${hooks[@]}"
  )
fi

# netbase: /etc/services and /etc/protocols, read by getaddrinfo.
mmdebstrap --variant=minbase --include=ca-certificates,tini,netbase --format=tar \
  --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-include=/usr/share/doc/*/copyright' \
  "${hooks[@]}" "$suite" "$out" "$mirror"
