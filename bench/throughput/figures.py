#!/usr/bin/env python3
"""Figures for bench/throughput/run.sh, as JSON lines in and a table out.

    figures.py pgbench BACKEND SERIES CONNECTIONS PGBENCH_OUTPUT LOG_FILE...  -> one JSON line
    figures.py last RESULTS     -> the last series of RESULTS, one line for a person
    figures.py table RESULTS    -> Taskdeck against raw, with ratios, and the server's figures
"""

import json
import re
import sys


def percentile(sorted_values, q):
    if not sorted_values:
        return 0
    return sorted_values[min(len(sorted_values) - 1, max(0, int(round(q * len(sorted_values))) - 1))]


def pgbench(backend, series, connections, output, logs):
    text = open(output).read()
    tps = re.search(r"^tps = ([\d.]+)", text, re.MULTILINE)
    failed = re.search(r"number of failed transactions: (\d+)", text)
    duration = re.search(r"^duration: (\d+) s", text, re.MULTILINE)
    if not tps:
        sys.exit(f"pgbench printed no tps:\n{text}")
    # Per-transaction log lines: client_id transaction_no time_us script_no epoch epoch_us ...;
    # a failed transaction says "failed" where the time is (counted from the output above).
    latencies = sorted(
        int(fields[2])
        for path in logs
        for fields in (line.split() for line in open(path))
        if len(fields) > 2 and fields[2].isdigit()
    )
    print(json.dumps({
        "kind": "throughput",
        "backend": backend,
        "series": series,
        "side": "raw",
        "connections": int(connections),
        "requests": len(latencies),
        "duration_us": int(duration.group(1)) * 1_000_000 if duration else 0,
        "rate": float(tps.group(1)),
        "socket_errors": 0,
        "http_errors": int(failed.group(1)) if failed else 0,
        "p50_us": percentile(latencies, 0.50),
        "p99_us": percentile(latencies, 0.99),
    }))


def load(path):
    rows = [json.loads(line) for line in open(path) if line.strip()]
    for row in rows:
        if "rate" not in row and row.get("duration_us"):
            row["rate"] = row["requests"] / (row["duration_us"] / 1e6)
    return rows


def ms(us):
    return f"{us / 1000:.1f}"


def describe(row):
    errors = row["socket_errors"] + row["http_errors"]
    return (f"{row['rate']:.0f}/s, p50 {ms(row['p50_us'])} ms, p99 {ms(row['p99_us'])} ms"
            + (f", {errors} failed" if errors else ""))


def last(path):
    rows = [r for r in load(path) if r.get("kind") == "throughput"]
    series = rows[-1]["series"]
    for row in rows:
        if row["series"] == series and row["backend"] == rows[-1]["backend"]:
            print(f"  {row['backend']} {row['series']:<10} {row['side']:<9} {describe(row)}")


def table(path):
    rows = load(path)
    out = [["database", "series", "Taskdeck /s", "p50 ms", "p99 ms", "failed", "raw /s", "raw p50", "raw p99", "Taskdeck / raw"]]
    for row in rows:
        if row.get("kind") != "throughput" or row["side"] != "taskdeck":
            continue
        raw = next((r for r in rows if r.get("kind") == "throughput" and r["side"] == "raw" and r["backend"] == row["backend"] and r["series"] == row["series"]), None)
        out.append([
            row["backend"], row["series"], f"{row['rate']:.0f}", ms(row["p50_us"]), ms(row["p99_us"]),
            str(row["socket_errors"] + row["http_errors"]),
            f"{raw['rate']:.0f}" if raw else "-", ms(raw["p50_us"]) if raw else "-", ms(raw["p99_us"]) if raw else "-",
            f"{100 * row['rate'] / raw['rate']:.0f} %" if raw and raw["rate"] else "-",
        ])
    widths = [max(len(r[c]) for r in out) for c in range(len(out[0]))]
    for r in out:
        print("  ".join(cell.ljust(widths[c]) if c < 2 else cell.rjust(widths[c]) for c, cell in enumerate(r)))
    print()
    for row in rows:
        if row.get("kind") == "server-resources":
            print(f"{row['backend']}: cold start to the first page {row['cold_start_fresh_ms']} ms on a fresh database "
                  f"(migrations included), {row['cold_start_migrated_ms']} ms on a migrated one; "
                  f"memory (RSS) {row['idle_rss_kb'] / 1024:.1f} MB idle, {row['peak_rss_kb'] / 1024:.1f} MB at most under load")


if __name__ == "__main__":
    command, *args = sys.argv[1:]
    if command == "pgbench":
        pgbench(args[0], args[1], args[2], args[3], args[4:])
    elif command == "last":
        last(args[0])
    elif command == "table":
        table(args[0])
    else:
        sys.exit(f"unknown command {command}")
