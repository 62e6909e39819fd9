#!/usr/bin/env bash
# Validate the Taskdeck Prometheus rules and run their unit tests.
#
#   deploy/monitoring/check.sh        (works from any directory)
#
# Installs Debian's `prometheus` package (which ships promtool) when promtool
# is missing, then runs `promtool check rules` and `promtool test rules`.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here"

rule_files=(rules.yml alerts.yml backup-alerts.yml)
test_files=(alerts_test.yml backup-alerts_test.yml)

if ! command -v promtool >/dev/null 2>&1; then
  echo "check.sh: promtool not found; installing Debian package 'prometheus'" >&2
  sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    if ! command -v sudo >/dev/null 2>&1; then
      echo "check.sh: not root and sudo is unavailable; install promtool (Debian package 'prometheus') first" >&2
      exit 1
    fi
    sudo=(sudo)
  fi
  # The package index may be missing or stale on a fresh machine.
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq prometheus
  hash -r
  if ! command -v promtool >/dev/null 2>&1; then
    echo "check.sh: promtool still not found after installing 'prometheus'" >&2
    exit 1
  fi
fi

echo "== promtool version"
promtool --version 2>&1 | head -n 1

echo "== promtool check rules ${rule_files[*]}"
promtool check rules "${rule_files[@]}"

echo "== promtool check config prometheus.yml (also checks the rule files it loads)"
promtool check config prometheus.yml

echo "== promtool test rules ${test_files[*]}"
promtool test rules "${test_files[@]}"

if command -v python3 >/dev/null 2>&1; then
  echo "== python3 -m json.tool grafana-dashboard.json"
  python3 -m json.tool grafana-dashboard.json >/dev/null
  echo "  SUCCESS: grafana-dashboard.json is valid JSON"

  # Parse every dashboard query with promtool: turn them into recording rules
  # (Grafana variables replaced by plain values) and check that file.
  echo "== promtool check rules <queries of grafana-dashboard.json>"
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' EXIT
  python3 - grafana-dashboard.json "$tmp/dashboard_queries.yml" <<'PY'
import json, re, sys

with open(sys.argv[1]) as f:
    dashboard = json.load(f)

exprs = []
def walk(node):
    if isinstance(node, dict):
        if isinstance(node.get("expr"), str):
            exprs.append(node["expr"])
        for value in node.values():
            walk(value)
    elif isinstance(node, list):
        for value in node:
            walk(value)
walk(dashboard)

def plain(expr):
    expr = re.sub(r"\$__(rate_interval|interval|range)\b", "5m", expr)
    return re.sub(r"\$\{?[A-Za-z_][A-Za-z0-9_]*\}?", ".*", expr)

with open(sys.argv[2], "w") as f:
    f.write("groups:\n  - name: dashboard-queries\n    rules:\n")
    for i, expr in enumerate(exprs):
        f.write("      - record: dashboard:query_%d\n        expr: %s\n" % (i, json.dumps(plain(expr))))
print("  %d queries extracted" % len(exprs))
PY
  promtool check rules "$tmp/dashboard_queries.yml"
else
  echo "== SKIPPED: python3 not found, grafana-dashboard.json not validated" >&2
fi

echo "check.sh: all monitoring checks passed"
