#!/usr/bin/env bash
# Grades Taskdeck with Mozilla's HTTP Observatory (the npm scanner, pinned in package.json), offline:
# starts the given release binary with a fresh SQLite database and an https APP_URL, puts a TLS
# terminator in front of it (tls-proxy.mjs, with a certificate from a throwaway CA the scanner is
# told to trust), scans https://localhost:PORT and prints the grade, the score and every test.
# Exits 0 only for an A+.
#
# Usage: deploy/observatory/check.sh [path/to/taskdeck]     (default: target/release/taskdeck)
#
# OBSERVATORY_HTTP chooses what plain http:// gets on the scanned port (see tls-proxy.mjs):
#   redirect (default) a 301 to https, as a deployment's port-80 listener should answer
#   closed             nothing, like a deployment with port 80 shut
#   proxy              Taskdeck itself, like a deployment that forgot the redirect (loses 20)
# The scanner's whole JSON answer is kept in target/observatory/scan.json.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
binary=${1:-$root/target/release/taskdeck}
http_mode=${OBSERVATORY_HTTP:-redirect}

say() { printf '\033[1;34m[observatory]\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31m[observatory]\033[0m %s\n' "$*" >&2; exit 1; }

[ -x "$binary" ] || die "no taskdeck binary at $binary (build it, or pass its path)"
binary=$(cd "$(dirname "$binary")" && pwd)/$(basename "$binary")
case $http_mode in redirect | closed | proxy) ;; *) die "OBSERVATORY_HTTP must be redirect, closed or proxy" ;; esac
command -v node >/dev/null || die "node is needed"
if ! command -v openssl >/dev/null; then
  say "installing Debian's openssl for the throwaway certificates"
  sudo=()
  [ "$(id -u)" -eq 0 ] || sudo=(sudo)
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openssl >/dev/null
fi

# shellcheck source=deploy/observatory/scanner.sh
source "$here/scanner.sh"

scratch=$(mktemp -d "${TMPDIR:-/tmp}/taskdeck-observatory.XXXXXX")
pids=()
cleanup() {
  local pid
  for pid in "${pids[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in "${pids[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
  rm -rf "$scratch"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# A throwaway CA and a certificate for localhost signed by it; the scanner trusts the CA through
# NODE_EXTRA_CA_CERTS, so its "verified" checks (HSTS, redirection) pass honestly, and nothing
# needs NODE_TLS_REJECT_UNAUTHORIZED=0.
say "making a throwaway CA and a certificate for localhost"
(
  cd "$scratch"
  openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout ca.key -out ca.pem -days 2 -subj "/CN=Taskdeck Observatory throwaway CA" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign"
  openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout server.key -out server.csr -subj "/CN=localhost"
  printf '%s\n' "basicConstraints=critical,CA:FALSE" \
    "keyUsage=critical,digitalSignature" "extendedKeyUsage=serverAuth" \
    "subjectAltName=DNS:localhost,IP:127.0.0.1" >server.ext
  openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial \
    -out server.pem -days 2 -extfile server.ext
) >"$scratch/openssl.log" 2>&1 || { cat "$scratch/openssl.log" >&2; die "openssl failed"; }

# Three free ports: Taskdeck, its metrics listener, and the TLS proxy the scanner talks to.
read -r site_port metrics_port tls_port < <(node -e '
  const net = require("node:net");
  const servers = [0, 1, 2].map(() => net.createServer().listen(0, "127.0.0.1"));
  Promise.all(servers.map((s) => new Promise((ok) => s.on("listening", ok)))).then(() => {
    console.log(servers.map((s) => s.address().port).join(" "));
    servers.forEach((s) => s.close());
  });')

site_root=$(dirname "$binary")/../site
if [ -d "$site_root/pkg" ]; then
  site_root=$(cd "$site_root" && pwd)
else
  say "no browser assets next to the binary; pages still render, without their WASM and CSS"
  site_root=$scratch/site
  mkdir -p "$site_root"
fi

# A clean environment (no .env, Sentry DSN or database URL from the caller leaks in), run from the
# scratch directory so dotenvy finds no .env either.
say "starting $binary on 127.0.0.1:$site_port behind https://localhost:$tls_port"
(
  cd "$scratch"
  exec env -i PATH="$PATH" \
    DATABASE_URL="sqlite://$scratch/obs.db?mode=rwc" \
    LEPTOS_SITE_ADDR="127.0.0.1:$site_port" \
    LEPTOS_SITE_ROOT="$site_root" \
    LEPTOS_OUTPUT_NAME=taskdeck \
    METRICS_ADDR="127.0.0.1:$metrics_port" \
    APP_URL="https://localhost:$tls_port" \
    SESSION_SECRET="$("$binary" gen-secret)" \
    LOG_LEVEL=warn \
    "$binary" serve
) >"$scratch/server.log" 2>&1 &
pids+=("$!")
server_pid=$!

node "$here/tls-proxy.mjs" --listen "127.0.0.1:$tls_port" --upstream "127.0.0.1:$site_port" \
  --cert "$scratch/server.pem" --key "$scratch/server.key" --http "$http_mode" \
  >"$scratch/proxy.log" 2>&1 &
pids+=("$!")
proxy_pid=$!

# Ready when /readyz answers 200 through the proxy, with the certificate verified against the CA.
ready=
for _ in $(seq 1 120); do
  kill -0 "$server_pid" 2>/dev/null || { cat "$scratch/server.log" >&2; die "taskdeck stopped"; }
  kill -0 "$proxy_pid" 2>/dev/null || { cat "$scratch/proxy.log" >&2; die "the TLS proxy stopped"; }
  if NODE_EXTRA_CA_CERTS="$scratch/ca.pem" node -e '
      fetch(process.argv[1]).then((r) => process.exit(r.status === 200 ? 0 : 1), () => process.exit(1));
    ' "https://localhost:$tls_port/readyz" 2>/dev/null; then
    ready=yes
    break
  fi
  sleep 0.5
done
[ -n "$ready" ] || { cat "$scratch/server.log" "$scratch/proxy.log" >&2; die "taskdeck did not become ready"; }

# scan.js directly, not the package's bin wrapper: the wrapper overwrites NODE_EXTRA_CA_CERTS
# with Mozilla's CA bundle, which would leave our CA untrusted.
say "scanning localhost:$tls_port (plain http on that port: $http_mode)"
mkdir -p "$root/target/observatory"
report=$root/target/observatory/scan.json
if ! NODE_EXTRA_CA_CERTS="$scratch/ca.pem" node "$scanner" "localhost:$tls_port" >"$report"; then
  cat "$report" >&2
  cat "$scratch/proxy.log" >&2
  die "the scanner failed"
fi

node - "$report" <<'EOF'
const { readFileSync } = require("node:fs");
const { scan, tests } = JSON.parse(readFileSync(process.argv[2], "utf8"));
const rows = Object.entries(tests).map(([name, t]) => [
  t.pass ? "pass" : "FAIL",
  (t.scoreModifier > 0 ? "+" : "") + t.scoreModifier,
  name,
  t.result,
  t.pass ? "" : t.expectation,
]);
const head = ["", "score", "test", "result", "wanted"];
const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
const line = (r) => r.map((c, i) => String(c).padEnd(widths[i])).join("  ").trimEnd();
console.log(line(head));
console.log(widths.map((w) => "-".repeat(w)).join("  "));
rows.forEach((r) => console.log(line(r)));
console.log();
console.log(`response headers of ${tests.redirection.destination ?? "/"}:`);
for (const [name, value] of Object.entries(scan.responseHeaders)) {
  console.log(`  ${name}: ${value}`);
}
console.log();
console.log(`grade ${scan.grade}, score ${scan.score} (${scan.testsPassed}/${scan.testsQuantity} tests passed, HTTP ${scan.statusCode}, algorithm v${scan.algorithmVersion})`);
EOF

grade=$(node -p 'require(process.argv[1]).scan.grade' "$report")
say "full scanner output: $report"
[ "$grade" = "A+" ] || die "grade $grade, wanted A+"
