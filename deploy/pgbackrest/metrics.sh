#!/usr/bin/env bash
# Turn `pgbackrest info --output=json` into Prometheus textfile metrics for node_exporter's
# textfile collector (kind="pgbackrest", one series per repository):
#
#   taskdeck_backup_last_success_timestamp_seconds{kind="pgbackrest",repo="repo1"}  stop time of the newest backup
#   taskdeck_backup_last_size_bytes{kind="pgbackrest",repo="repo1"}                 bytes it stored in the repository
#   taskdeck_backup_last_duration_seconds{kind="pgbackrest",repo="repo1"}           stop - start
#   taskdeck_backup_last_outcome{kind="pgbackrest",repo="repo1"}                    1 ok, 0 failed
#
#   deploy/pgbackrest/metrics.sh [--stanza taskdeck] [--output-dir DIR] [--last-exit CODE]
#
# Run it as the user that runs pgBackRest (postgres), right after each backup:
#   pgbackrest --stanza=taskdeck --type=diff backup; deploy/pgbackrest/metrics.sh --last-exit $?
# --last-exit passes the backup's exit status: a failed backup leaves nothing in `info`, so
# without it a failure only shows as the age of the last success. Without --last-exit the
# outcome is 0 when pgBackRest reports the stanza or the repository in error, or the newest
# backup flagged with errors (page checksum failures).
#
# Output: DIR/taskdeck_backup_pgbackrest.prom (default DIR: $BACKUP_METRICS_DIR, else
# /var/lib/prometheus/node-exporter), written to a temp file and renamed, so node_exporter
# never reads half a file. PGBACKREST_CONFIG selects another pgbackrest.conf.
set -euo pipefail

stanza=taskdeck
out_dir="${BACKUP_METRICS_DIR:-/var/lib/prometheus/node-exporter}"
last_exit=""
while [ $# -gt 0 ]; do
  case "$1" in
    --stanza) stanza="$2"; shift 2 ;;
    --output-dir) out_dir="$2"; shift 2 ;;
    --last-exit) last_exit="$2"; shift 2 ;;
    -h | --help) sed -n '2,/^set -euo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "metrics.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
case "$last_exit" in '' | [0-9] | [0-9][0-9] | [0-9][0-9][0-9]) ;; *) echo "metrics.sh: --last-exit needs a number" >&2; exit 2 ;; esac
command -v pgbackrest >/dev/null 2>&1 || { echo "metrics.sh: pgbackrest not found" >&2; exit 1; }
[ -d "$out_dir" ] || { echo "metrics.sh: output directory $out_dir does not exist" >&2; exit 1; }

config=()
[ -z "${PGBACKREST_CONFIG:-}" ] || config=("--config=$PGBACKREST_CONFIG")
json="$(pgbackrest "${config[@]}" --stanza="$stanza" --output=json info)" || {
  echo "metrics.sh: pgbackrest info failed for stanza $stanza" >&2
  exit 1
}

file="$out_dir/taskdeck_backup_pgbackrest.prom"
tmp="$file.tmp.$$"
trap 'rm -f "$tmp"' EXIT
PGBACKREST_INFO_JSON="$json" python3 - "$stanza" "$last_exit" >"$tmp" <<'PY'
import json
import os
import sys

stanza_name, last_exit = sys.argv[1], sys.argv[2]
stanzas = [s for s in json.loads(os.environ["PGBACKREST_INFO_JSON"]) if s.get("name") == stanza_name]
if not stanzas:
    sys.exit("metrics.sh: stanza %s not in pgbackrest info" % stanza_name)
stanza = stanzas[0]
stanza_ok = stanza.get("status", {}).get("code", 1) == 0
repo_ok = {r["key"]: r.get("status", {}).get("code", 1) == 0 for r in stanza.get("repo", [])}

newest = {}
for backup in stanza.get("backup", []):
    key = backup["database"]["repo-key"]
    if key not in newest or backup["timestamp"]["stop"] > newest[key]["timestamp"]["stop"]:
        newest[key] = backup

families = [
    ("taskdeck_backup_last_success_timestamp_seconds", "Unix time at which the last successful backup finished."),
    ("taskdeck_backup_last_size_bytes", "Size of the last successful backup, in bytes (pgbackrest: bytes stored in the repository)."),
    ("taskdeck_backup_last_duration_seconds", "Duration of the last successful backup, in seconds."),
    ("taskdeck_backup_last_outcome", "1 if the last backup attempt succeeded, 0 if it failed."),
]
values = {name: [] for name, _ in families}
for key in sorted(set(newest) | set(repo_ok)):
    labels = '{kind="pgbackrest",repo="repo%d"}' % key
    backup = newest.get(key)
    outcome = 1 if (stanza_ok and repo_ok.get(key, True) and backup and not backup.get("error", False)) else 0
    if last_exit not in ("", "0"):
        outcome = 0
    if backup:
        values["taskdeck_backup_last_success_timestamp_seconds"].append((labels, backup["timestamp"]["stop"]))
        values["taskdeck_backup_last_size_bytes"].append((labels, backup["info"]["repository"]["delta"]))
        values["taskdeck_backup_last_duration_seconds"].append(
            (labels, backup["timestamp"]["stop"] - backup["timestamp"]["start"]))
    values["taskdeck_backup_last_outcome"].append((labels, outcome))

for name, help_text in families:
    if not values[name]:
        continue
    print("# HELP %s %s" % (name, help_text))
    print("# TYPE %s gauge" % name)
    for labels, value in values[name]:
        print("%s%s %s" % (name, labels, value))
PY
chmod 644 "$tmp"
mv -f "$tmp" "$file"
echo "metrics.sh: wrote $file ($(grep -c '^taskdeck_' "$file") samples)"
