#!/usr/bin/env python3
"""Checks deny.toml's license allow-list against the dependency tree, offline.

Reads `cargo metadata --format-version 1` (every package of every platform, as cargo-deny sees
them) and each package's SPDX `license` expression, works out which licenses the tree needs
(for `A OR B`, the first of the alternatives in PREFERRED order that is allowed; for `A AND B`,
both) and compares that with `[licenses] allow` in deny.toml: a needed license that is not
allowed, or an allowed one nothing needs, is an error. Also checks that every package comes from
crates.io (deny.toml's [sources] rule). cargo-deny itself runs in GitHub's CI
(.github/workflows/test.yml); this keeps deny.toml honest here, where it is not installed.

Usage: licenses.py DENY_TOML METADATA_JSON      (prints what each license is needed for)
"""
import json
import re
import sys
import tomllib

CRATES_IO = "registry+https://github.com/rust-lang/crates.io-index"
# When a package offers a choice, the license picked is the first of these it offers.
PREFERRED = ["MIT", "Apache-2.0", "BSD-3-Clause", "ISC", "Zlib", "Unicode-3.0", "BSL-1.0",
             "CDLA-Permissive-2.0", "MPL-2.0", "CC0-1.0", "0BSD", "BSD-2-Clause", "MIT-0",
             "Unlicense", "BSD-1-Clause", "Apache-2.0 WITH LLVM-exception", "LGPL-2.1-or-later"]


def tokens(expression):
    spaced = expression.replace("(", " ( ").replace(")", " ) ")
    words = [w for w in re.split(r"\s+", spaced.replace("/", " OR ")) if w]
    out = []
    i = 0
    while i < len(words):
        if i + 2 < len(words) and words[i + 1] == "WITH":
            out.append(f"{words[i]} WITH {words[i + 2]}")
            i += 3
        else:
            out.append(words[i])
            i += 1
    return out


def parse(expression):
    """-> a tree: ('OR', [...]) / ('AND', [...]) / license name."""
    toks = tokens(expression)
    pos = 0

    def expr():
        nonlocal pos
        terms = [conj()]
        while pos < len(toks) and toks[pos] == "OR":
            pos += 1
            terms.append(conj())
        return terms[0] if len(terms) == 1 else ("OR", terms)

    def conj():
        nonlocal pos
        terms = [atom()]
        while pos < len(toks) and toks[pos] == "AND":
            pos += 1
            terms.append(atom())
        return terms[0] if len(terms) == 1 else ("AND", terms)

    def atom():
        nonlocal pos
        tok = toks[pos]
        pos += 1
        if tok == "(":
            inner = expr()
            if toks[pos] != ")":
                raise ValueError(f"unbalanced parentheses in {expression!r}")
            pos += 1
            return inner
        return tok

    tree = expr()
    if pos != len(toks):
        raise ValueError(f"cannot parse license {expression!r}")
    return tree


def satisfied(tree, allowed):
    if isinstance(tree, str):
        return tree in allowed
    op, terms = tree
    results = [satisfied(t, allowed) for t in terms]
    return any(results) if op == "OR" else all(results)


def needed(tree, allowed):
    """The licenses this package is taken under, given `allowed` (None if it cannot be)."""
    if isinstance(tree, str):
        return {tree} if tree in allowed else None
    op, terms = tree
    if op == "AND":
        parts = [needed(t, allowed) for t in terms]
        return None if any(p is None for p in parts) else set().union(*parts)
    options = [needed(t, allowed) for t in terms]
    options = [o for o in options if o is not None]
    if not options:
        return None
    rank = lambda o: max(PREFERRED.index(x) if x in PREFERRED else 99 for x in o)  # noqa: E731
    return min(options, key=rank)


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    with open(sys.argv[1], "rb") as f:
        deny = tomllib.load(f)
    with open(sys.argv[2]) as f:
        meta = json.load(f)
    allowed = set(deny.get("licenses", {}).get("allow", []))
    members = set(meta["workspace_members"])
    errors = []
    used = {}
    packages = [p for p in meta["packages"] if p["id"] not in members]
    for p in packages:
        name = f"{p['name']} {p['version']}"
        if p.get("source") != CRATES_IO:
            errors.append(f"{name} comes from {p.get('source') or 'a path'}, not crates.io")
        if not p.get("license"):
            errors.append(f"{name} has no SPDX license field (deny.toml needs a clarification)")
            continue
        taken = needed(parse(p["license"]), allowed)
        if taken is None:
            errors.append(f"{name} is licensed {p['license']!r}: none of that is in deny.toml's allow-list")
            continue
        for lic in taken:
            used.setdefault(lic, []).append(p["name"])
    for lic in sorted(allowed - set(used)):
        errors.append(f"deny.toml allows {lic}, which no dependency needs: remove it")
    for lic, names in sorted(used.items(), key=lambda kv: -len(kv[1])):
        print(f"  {lic:<22} {len(names):>4} packages, e.g. {', '.join(sorted(names)[:4])}")
    print(f"licenses: {len(packages)} packages from crates.io, {len(used)} licenses needed, all in deny.toml's allow-list"
          if not errors else f"licenses: {len(errors)} problems")
    for e in errors:
        print(f"ERROR {e}", file=sys.stderr)
    sys.exit(1 if errors else 0)


if __name__ == "__main__":
    main()
