#!/usr/bin/env python3
"""Turns what PostgreSQL logged for one request into a pgbench script of the same statements.

    capture.py LOG_FILE OFFSET DATABASE [VALUE=VARIABLE ...] > script.sql

Reads LOG_FILE from byte OFFSET (PostgreSQL's own log, written with `log_statement = all` for
DATABASE only, and Debian's `log_line_prefix = '%m [%p] %q%u@%d '`) and prints, in the order the
server ran them, every statement Taskdeck's connections sent to DATABASE, with the logged
parameter values written in as literals. A parameter whose value is VALUE is written as pgbench's
`:VARIABLE` instead (a task id the benchmark picks at random), and the script then starts with
`\\set VARIABLE random(...)` lines given by the caller through the environment (SET_LINES).

Both sides then do the same work: pgbench prepares each statement once per connection
(`-M prepared`) and sends the values as untyped text, which is what writing them as literals
means to PostgreSQL; Taskdeck's driver prepares each statement once per connection too.
"""

import os
import re
import sys

RECORD = re.compile(
    r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d+)? \S+ \[(\d+)\] (?:(\S*)@(\S*) )?([A-Z]+):  (.*)$"
)
# Background processes (the checkpointer) log without user@database: such a record starts, and is
# then dropped as another database's. Listeners and the connection check are not part of any
# request.
SKIP = re.compile(r"^\s*(LISTEN|UNLISTEN|SELECT 1\s*$)", re.IGNORECASE)


def records(text, database):
    """(pid, level, message) for each log record of DATABASE; continuation lines joined."""
    current = None
    for line in text.splitlines():
        match = RECORD.match(line)
        if match:
            if current:
                yield current
            pid, _user, db, level, message = match.groups()
            current = (pid, level, message) if db == database else None
        elif current:
            current = (current[0], current[1], current[2] + "\n" + line)
    if current:
        yield current


def parse_parameters(detail):
    """`$1 = '5', $2 = NULL` -> {1: "'5'", 2: "NULL"}; quotes inside values are doubled."""
    values = {}
    position = 0
    pattern = re.compile(r"\s*\$(\d+) = ('(?:[^']|'')*'|NULL)\s*(,|$)", re.DOTALL)
    while position < len(detail):
        match = pattern.match(detail, position)
        if not match:
            raise ValueError(f"cannot read the parameters {detail!r}")
        values[int(match.group(1))] = match.group(2)
        position = match.end()
    return values


def literal(value):
    """A logged value as SQL pgbench leaves alone: pgbench reads any `:name` in a script as a
    variable, even inside quotes, so a colon (a timestamp's) is written as a Unicode escape."""
    if ":" not in value or value == "NULL":
        return value
    inner = value[1:-1].replace("\\", "\\\\").replace(":", "\\003A")
    return "U&'" + inner + "'"


def main():
    log_file, offset, database, *mappings = sys.argv[1:]
    variables = {}
    for mapping in mappings:
        value, name = mapping.split("=", 1)
        variables["'" + value.replace("'", "''") + "'"] = ":" + name
    with open(log_file, "rb") as f:
        f.seek(int(offset))
        text = f.read().decode("utf-8", "replace")

    statements = []  # [sql, parameters or None]
    for _pid, level, message in records(text, database):
        if level == "LOG":
            match = re.match(r"(?:execute [^:]*|statement): (.*)$", message, re.DOTALL)
            if match and not SKIP.match(match.group(1)):
                statements.append([match.group(1).strip(), None])
        elif level == "DETAIL" and message.startswith("parameters: ") and statements:
            statements[-1][1] = parse_parameters(message[len("parameters: "):])

    if not statements:
        sys.exit(f"PostgreSQL logged no statement for {database} after byte {offset} of {log_file}")
    out = [line for line in os.environ.get("SET_LINES", "").splitlines() if line.strip()]
    for sql, parameters in statements:
        if parameters:
            sql = re.sub(
                r"\$(\d+)\b",
                lambda m: variables.get(parameters[int(m.group(1))]) or literal(parameters[int(m.group(1))]),
                sql,
            )
        out.append(sql.rstrip(";") + ";")
    print("\n".join(out))


if __name__ == "__main__":
    main()
