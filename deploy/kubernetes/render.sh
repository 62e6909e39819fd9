#!/usr/bin/env bash
# Renders a Taskdeck overlay (or the migration Job) for one deploy, to stdout: the image of the
# commit, the namespace, the public host and the release name set on top of the checked-in files.
# The deploy workflow pipes it into `kubectl apply -f -`; deploy/validate.sh renders it offline
# and validates the result.
#
# Usage: deploy/kubernetes/render.sh production|preview|migrate --image NAME:TAG
#          [--namespace NS] [--host HOST] [--release NAME]
# Needs kubectl (its built-in kustomize) or kustomize on PATH, or KUBECTL=path/to/kubectl.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
die() { printf 'render.sh: %s\n' "$*" >&2; exit 2; }

[ $# -ge 1 ] || die "usage: render.sh production|preview|migrate --image NAME:TAG [--namespace NS] [--host HOST] [--release NAME]"
target=$1
shift
case $target in
  production | preview) source_dir=$here/overlays/$target ;;
  migrate) source_dir=$here/migrate ;;
  *) die "unknown target '$target' (production, preview or migrate)" ;;
esac
image='' namespace='' host='' release=''
while [ $# -gt 0 ]; do
  case $1 in
    --image) image=${2:?--image needs a value}; shift 2 ;;
    --namespace) namespace=${2:?--namespace needs a value}; shift 2 ;;
    --host) host=${2:?--host needs a value}; shift 2 ;;
    --release) release=${2:?--release needs a value}; shift 2 ;;
    *) die "unknown option '$1'" ;;
  esac
done
[ -n "$image" ] || die "--image NAME:TAG is required"
# NAME:TAG, where NAME may hold a registry host with a port (host:5000/owner/repo:tag).
image_name=${image%:*}
image_tag=${image##*:}
case $image_tag in */* | "") die "--image '$image' has no tag (want NAME:TAG)" ;; esac
if [ -n "$namespace" ] && ! [[ $namespace =~ ^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$ ]]; then
  die "--namespace '$namespace' is not a valid namespace name"
fi
if [ -n "$host" ] && ! [[ $host =~ ^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$ ]]; then
  die "--host '$host' is not a host name"
fi
if [ -n "$release" ] && ! [[ $release =~ ^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$ ]]; then
  die "--release '$release' is not a valid label value (63 characters: letters, digits, - _ .)"
fi

if [ -n "${KUBECTL:-}" ]; then
  render=("$KUBECTL" kustomize)
elif command -v kustomize >/dev/null; then
  render=(kustomize build)
elif command -v kubectl >/dev/null; then
  render=(kubectl kustomize)
else
  die "neither kustomize nor kubectl is on PATH"
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/taskdeck-render.XXXXXX")
trap 'rm -rf "$work"' EXIT
relative=$(realpath --relative-to="$work" "$source_dir")
{
  echo "apiVersion: kustomize.config.k8s.io/v1beta1"
  echo "kind: Kustomization"
  [ -z "$namespace" ] || echo "namespace: $namespace"
  echo "resources:"
  echo "  - $relative"
  echo "images:"
  echo "  - name: taskdeck"
  echo "    newName: $image_name"
  echo "    newTag: \"$image_tag\""
  if [ -n "$release" ]; then
    echo "labels:"
    echo "  - pairs:"
    echo "      app.kubernetes.io/version: \"$release\""
    echo "    includeSelectors: false"
    echo "    includeTemplates: true"
  fi
  if [ "$target" != migrate ] && { [ -n "$host" ] || [ -n "$release" ]; }; then
    echo "configMapGenerator:"
    echo "  - name: taskdeck-config"
    echo "    behavior: merge"
    echo "    literals:"
    [ -z "$host" ] || echo "      - APP_URL=https://$host"
    [ -z "$release" ] || echo "      - SENTRY_RELEASE=taskdeck@$release"
  fi
  if [ "$target" != migrate ] && [ -n "$host" ]; then
    echo "patches:"
    echo "  - target:"
    echo "      kind: Ingress"
    echo "      name: taskdeck"
    echo "    patch: |-"
    echo "      - op: replace"
    echo "        path: /spec/rules/0/host"
    echo "        value: $host"
    echo "      - op: replace"
    echo "        path: /spec/tls/0/hosts/0"
    echo "        value: $host"
  fi
} >"$work/kustomization.yaml"
"${render[@]}" "$work"
