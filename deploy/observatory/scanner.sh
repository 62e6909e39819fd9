# shellcheck shell=bash
# Sourced by deploy/observatory/check.sh and deploy/caddy/check.sh: installs Mozilla's HTTP
# Observatory scanner at the version in package-lock.json and sets $scanner to its scan.js.
# Its postinstall downloads the HSTS preload and TLD lists from the internet, so scripts are
# skipped and small local lists are written instead: an empty preload list (nothing is preloaded,
# so localhost earns no preload bonus) and the TLDs of the test host. The TLD list is read only by
# the scanner's web API, never by a CLI scan. Needs `say` from the sourcing script.
observatory_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
package=$observatory_dir/node_modules/@mdn/mdn-http-observatory
wanted=$(node -p 'require(process.argv[1]).packages["node_modules/@mdn/mdn-http-observatory"].version' "$observatory_dir/package-lock.json")
installed=$(node -p 'try { require(process.argv[1]).version } catch { "" }' "$package/package.json")
if [ "$installed" != "$wanted" ]; then
  say "installing @mdn/mdn-http-observatory $wanted"
  (cd "$observatory_dir" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >&2)
fi
[ -s "$package/conf/hsts-preload.json" ] || echo '{}' >"$package/conf/hsts-preload.json"
[ -s "$package/conf/tld-list.json" ] || echo '["localhost","test"]' >"$package/conf/tld-list.json"
# shellcheck disable=SC2034 # read by the sourcing script
scanner=$package/src/scan.js
