#!/usr/bin/env bash
# Shows that deploy/validate.sh can fail: breaks each deploy file on purpose, one at a time, in a
# copy of the tree, and checks that validate.sh then fails, and fails for that reason (its output
# names the check that should catch it). The repository itself is never touched.
#
# Usage: deploy/validate/break-test.sh [CASE...]   (default: every case; `--list` lists them)
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
started=$SECONDS

# NAME|FILE|SED EXPRESSION|WHAT validate.sh MUST SAY (an extended regular expression)
cases=(
  "k8s-unknown-field|deploy/kubernetes/base/deployment.yaml|s/readOnlyRootFilesystem: true/readOnlyRootFileSystem: true/|readOnlyRootFileSystem' was unexpected"
  "k8s-wrong-type|deploy/kubernetes/base/deployment.yaml|s/replicas: 3/replicas: three/|FAIL  kubernetes-validate"
  "k8s-unknown-api|deploy/kubernetes/base/hpa.yaml|s#apiVersion: autoscaling/v2#apiVersion: autoscaling/v3#|Couldn't find schema for kind HorizontalPodAutoscaler"
  "k8s-missing-file|deploy/kubernetes/base/kustomization.yaml|s/  - pdb.yaml/  - pdbs.yaml/|FAIL  kubectl kustomize deploy/kubernetes/base"
  "k8s-short-grace|deploy/kubernetes/base/deployment.yaml|s/terminationGracePeriodSeconds: 45/terminationGracePeriodSeconds: 30/|terminationGracePeriodSeconds \\(30\\) > preStop"
  "k8s-probe-path|deploy/kubernetes/base/deployment.yaml|0,/path: \\/readyz/s//path: \\/ready/|startupProbe on /readyz"
  "k8s-liveness-on-readyz|deploy/kubernetes/base/deployment.yaml|s#path: /healthz#path: /readyz#|livenessProbe on /healthz"
  "k8s-surge|deploy/kubernetes/base/deployment.yaml|s/maxUnavailable: 0/maxUnavailable: 1/|maxUnavailable 0"
  "k8s-metrics-port|deploy/kubernetes/base/service.yaml|s/port: 9464/port: 9465/|Service port metrics"
  "k8s-privilege|deploy/kubernetes/migrate/job.yaml|s/allowPrivilegeEscalation: false/allowPrivilegeEscalation: true/|migrate Job: allowPrivilegeEscalation false"
  "k8s-unknown-variable|deploy/kubernetes/base/configmap.env|s/^LOG_LEVEL=info/LOGLEVEL=info/|every variable is one the server reads.*LOGLEVEL"
  "k8s-migrations-at-start|deploy/kubernetes/base/configmap.env|s/^RUN_MIGRATIONS=false/RUN_MIGRATIONS=true/|RUN_MIGRATIONS=false \\(the Job migrates\\)"
  "k8s-egress|deploy/kubernetes/base/networkpolicy.yaml|s/port: 5432/port: 3306/|egress DNS, PostgreSQL and HTTPS only"
  "k8s-servicemonitor|deploy/kubernetes/base/servicemonitor.yaml|s/interval: 30s/interval: 30 seconds/|FAIL  check-jsonschema ServiceMonitor"
  "k8s-preview-replicas|deploy/kubernetes/overlays/preview/kustomization.yaml|s/count: 1/count: 2/|preview Deployment: one replica"
  "render-script|deploy/kubernetes/render.sh|s/^\"\${render\[@\]}\" \"\$work\"$/\${render[@]} \$work/|FAIL  shellcheck: [0-9]+ deploy scripts"
  "compose-schema|deploy/compose/compose.yaml|0,/condition: service_healthy/s//condition: service_ready/|FAIL  check-jsonschema --builtin-schema vendor.compose-spec"
  "compose-optional-secret|deploy/compose/compose.yaml|s/\\\${SESSION_SECRET:?[^}]*}/\${SESSION_SECRET:-}/|password, session secret and domain are required"
  "compose-undocumented|deploy/compose/.env.example|/^SENTRY_ENVIRONMENT=/d|SENTRY_ENVIRONMENT\\} is in .env.example"
  "compose-root|deploy/compose/compose.yaml|s/user: \"10001:10001\"/user: \"0:0\"/|user 10001, cap_drop ALL"
  "fly-release|deploy/fly/fly.toml|s/release_command = \"migrate up\"/release_command = \"taskdeck migrate up\"/|release_command is .migrate up."
  "fly-syntax|deploy/fly/fly.toml|s/^app = \"taskdeck\"/app = \"taskdeck/|FAIL  fly.toml parses as TOML"
  "fly-kill-timeout|deploy/fly/fly.toml|s/kill_timeout = 45/kill_timeout = 10/|fly: kill_timeout >"
  "caddy-syntax|deploy/caddy/Caddyfile|s/^\\treverse_proxy {$/\\treverse_prox {/|FAIL  caddy validate"
  "caddy-buffered|deploy/caddy/Caddyfile|/flush_interval -1/d|flush_interval -1"
  "caddy-health|deploy/caddy/Caddyfile|s#health_uri /readyz#health_uri /ready#|health checks on /readyz"
  "workflow-expression|.github/workflows/deploy.yml|0,/github.event.pull_request.number/s//github.evnt.pull_request.number/|FAIL  actionlint"
  "workflow-schema|.github/workflows/deploy.yml|0,/runs-on: ubuntu-latest/s//run-on: ubuntu-latest/|FAIL  check-jsonschema --builtin-schema vendor.github-workflows"
  "workflow-shell|.github/workflows/deploy.yml|s#kubectl create namespace \"\$PR_NAMESPACE\"#kubectl create namespace \$PR_NAMESPACE#|FAIL  shellcheck: [0-9]+ run: scripts"
  "workflow-no-sbom|.github/workflows/deploy.yml|/sbom: true/d|pushes with provenance and an SBOM"
  "workflow-no-rollback|.github/workflows/deploy.yml|s/rollout undo deployment/rollout history deployment/|migrate Job, then apply, rollout status"
  "workflow-sentry-unguarded|.github/workflows/deploy.yml|0,/if: env.SENTRY_AUTH_TOKEN != ''/s//if: always()/|Sentry step is skipped without SENTRY_AUTH_TOKEN"
  "deny-license|deny.toml|/\"ISC\",/d|ISC.*none of that is in deny.toml's allow-list"
  "deny-unused|deny.toml|s/  \"CC0-1.0\",.*/  \"CC0-1.0\", \"GPL-3.0-only\",/|allows GPL-3.0-only, which no dependency needs"
)

if [ "${1:-}" = --list ]; then
  printf '%s\n' "${cases[@]}" | cut -d'|' -f1-2 | tr '|' '\t'
  exit 0
fi
wanted=("$@")

scratch=$(mktemp -d "${TMPDIR:-/tmp}/taskdeck-break.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
# The files validate.sh reads, once; each case starts from a fresh copy of them.
pristine=$scratch/pristine
mkdir -p "$pristine/server"
cp -a "$repo/deploy" "$repo/.github" "$repo/deny.toml" "$repo/Dockerfile" "$pristine/"
cp -a "$repo/server/src" "$pristine/server/src"
rm -rf "$pristine/deploy/validate/node_modules" "$pristine/deploy/observatory/node_modules"

say() { printf '\033[1;34m[break-test]\033[0m %s\n' "$*" >&2; }
say "validate.sh on the unbroken copy first"
"$repo/deploy/validate.sh" "$pristine" >"$scratch/pristine.log" 2>&1 || {
  cat "$scratch/pristine.log" >&2
  say "validate.sh fails on the unbroken tree: fix that first"
  exit 1
}

caught=0
missed=()
ran=0
for entry in "${cases[@]}"; do
  IFS='|' read -r name file expression expected <<<"$entry"
  if [ ${#wanted[@]} -gt 0 ] && ! printf '%s\n' "${wanted[@]}" | grep -qx "$name"; then
    continue
  fi
  ran=$((ran + 1))
  tree=$scratch/$name
  cp -a "$pristine" "$tree"
  sed -i -e "$expression" "$tree/$file"
  if cmp -s "$pristine/$file" "$tree/$file"; then
    missed+=("$name: the sed expression changed nothing in $file (the case is stale)")
    printf '  STALE   %-28s %s\n' "$name" "$file" >&2
    rm -rf "$tree"
    continue
  fi
  status=0
  "$repo/deploy/validate.sh" "$tree" >"$scratch/$name.log" 2>&1 || status=$?
  if [ "$status" -ne 0 ] && grep -Eq -- "$expected" "$scratch/$name.log"; then
    caught=$((caught + 1))
    printf '  caught  %-28s %s\n' "$name" "$(grep -E -m1 -- "$expected" "$scratch/$name.log" | sed 's/\x1b\[[0-9;]*m//g; s/^ *//' | cut -c1-110)" >&2
  elif [ "$status" -ne 0 ]; then
    missed+=("$name: validate.sh failed, but not with /$expected/")
    printf '  WRONG   %-28s failed for another reason:\n' "$name" >&2
    grep -E 'FAIL|ERROR' "$scratch/$name.log" | head -5 | sed 's/^/            /' >&2
  else
    missed+=("$name: validate.sh passed with $file broken")
    printf '  MISSED  %-28s %s still passed\n' "$name" "$file" >&2
  fi
  rm -rf "$tree"
done

say "$caught of $ran breakages caught in $((SECONDS - started)) s"
if [ ${#missed[@]} -gt 0 ]; then
  printf '  - %s\n' "${missed[@]}" >&2
  exit 1
fi
