#!/usr/bin/env python3
"""Cuts a Debian root filesystem down to the packages named, for Taskdeck's image base.

Usage: trim.py ROOT PACKAGE...

Every other package's files are deleted and its entries dropped from dpkg's database
(var/lib/dpkg/status and info/), so the image's package list stays true for scanners. Nothing
inside ROOT is run: purging through dpkg would run maintainer scripts that need the very
utilities (rm, awk, basename) being purged. A file that a kept package also lists stays.
"""
import os
import sys


def main() -> int:
    root, keep = sys.argv[1], set(sys.argv[2:])
    admin = os.path.join(root, "var/lib/dpkg")
    with open(os.path.join(admin, "status"), encoding="utf-8") as f:
        stanzas = [s for s in f.read().split("\n\n") if s.strip()]

    def field(stanza: str, name: str) -> str:
        for line in stanza.splitlines():
            if line.startswith(name + ":"):
                return line.split(":", 1)[1].strip()
        return ""

    def listed(package: str, arch: str) -> list[str]:
        for name in (f"{package}:{arch}", package):
            path = os.path.join(admin, "info", name + ".list")
            if os.path.exists(path):
                with open(path, encoding="utf-8") as f:
                    return [line.rstrip("\n") for line in f if line.strip()]
        return []

    packages = [(field(s, "Package"), field(s, "Architecture"), s) for s in stanzas]
    missing = keep - {p for p, _, _ in packages}
    if missing:
        print(f"trim.py: not installed, cannot keep: {' '.join(sorted(missing))}", file=sys.stderr)
        return 1
    kept_paths = set()
    for package, arch, _ in packages:
        if package in keep:
            kept_paths.update(listed(package, arch))

    removed, freed = [], 0
    for package, arch, _ in packages:
        if package in keep:
            continue
        for path in listed(package, arch):
            if path in kept_paths:
                continue
            full = root + path
            if os.path.islink(full) or os.path.isfile(full):
                if not os.path.islink(full):
                    freed += os.path.getsize(full)
                os.remove(full)
        info = os.path.join(admin, "info")
        for name in os.listdir(info):
            if name.split(".", 1)[0] in (package, f"{package}:{arch}"):
                os.remove(os.path.join(info, name))
        removed.append(package)

    with open(os.path.join(admin, "status"), "w", encoding="utf-8") as f:
        f.write("\n\n".join(s for p, _, s in packages if p in keep) + "\n\n")
    # Directories left empty by the removed packages.
    for top in ("usr/share", "usr/lib"):
        for dirpath, dirnames, filenames in os.walk(os.path.join(root, top), topdown=False):
            if not dirnames and not filenames and not os.listdir(dirpath):
                try:
                    os.rmdir(dirpath)
                except OSError:
                    pass
    print(f"trim.py: kept {len(keep)} packages, removed {len(removed)} ({freed / 1e6:.1f} MB of files): {' '.join(removed)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
