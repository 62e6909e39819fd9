# shellcheck shell=bash
# Installs, when missing, every build tool Taskdeck needs, at the versions that fit the lockfile.
# Sourced by scripts/run and scripts/test; safe to run again (it only installs what is absent).
#
# cargo-leptos downloads its helpers from GitHub when they are not on PATH; these machines cannot
# reach GitHub, so every helper it asks for is provided here first.
set -euo pipefail

CARGO_LEPTOS_VERSION=0.3.11
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export PATH="$HOME/.cargo/bin:$ROOT/end2end/node_modules/.bin:$PATH"

log() { printf '\033[1;34m[tools]\033[0m %s\n' "$*" >&2; }

# The wasm-bindgen CLI must equal the wasm-bindgen crate in Cargo.lock exactly.
wasm_bindgen_version() {
  awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' "$ROOT/Cargo.lock"
}

# The tools' own release profiles use fat LTO and one codegen unit, which made building them from
# source most of a fresh machine's first half hour; they need not be fast, so they are built with
# light optimisation and many codegen units (cargo's config beats the package's manifest).
install_tool() {
  CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=256 \
    CARGO_PROFILE_RELEASE_OPT_LEVEL=1 CARGO_PROFILE_RELEASE_DEBUG=false \
    CARGO_PROFILE_RELEASE_INCREMENTAL=false CARGO_PROFILE_RELEASE_STRIP=true \
    cargo install --quiet --path "$1" --locked
}

# Unpacks a crate's published source into a scratch directory and prints its path.
crate_source() {
  local name=$1 version=$2 scratch
  scratch=$(mktemp -d)
  mkdir -p "$scratch/probe/src"
  printf '[package]\nname = "probe"\nversion = "0.0.0"\nedition = "2021"\n[dependencies]\n%s = "=%s"\n' \
    "$name" "$version" > "$scratch/probe/Cargo.toml"
  touch "$scratch/probe/src/lib.rs"
  (cd "$scratch/probe" && cargo fetch -q >/dev/null 2>&1) || true
  local archive
  archive=$(ls "$HOME"/.cargo/registry/cache/*/"$name-$version.crate" 2>/dev/null | head -1)
  [ -n "$archive" ] || { echo "could not download $name $version" >&2; return 1; }
  tar -xzf "$archive" -C "$scratch"
  echo "$scratch/$name-$version"
}

ensure_wasm_target() {
  if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    log "adding the wasm32-unknown-unknown target"
    rustup target add wasm32-unknown-unknown
  fi
}

ensure_cargo_leptos() {
  if cargo leptos --version 2>/dev/null | grep -q "$CARGO_LEPTOS_VERSION"; then return; fi
  log "building cargo-leptos $CARGO_LEPTOS_VERSION (a few minutes, once)"
  local src
  src=$(crate_source cargo-leptos "$CARGO_LEPTOS_VERSION")
  # Its lockfile pins a cargo-util-schemas that needs a newer rustc than stable 1.95.
  (cd "$src" && cargo update -q -p cargo-util-schemas --precise 0.14.1)
  without_project_templates "$src"
  install_tool "$src"
}

# `cargo leptos new` (project templates) is all that cargo-generate is there for, and it brings
# 161 of cargo-leptos's 730 crates (git, template engines); Taskdeck never uses it, so it is built
# without: `new` says so and every other command is unchanged. Fails loudly if the source moved.
without_project_templates() {
  local src=$1
  perl -0pi -e 's/\[dependencies\.cargo-generate\]\nversion = "[^"]*"\n\n//' "$src/Cargo.toml"
  perl -0pi -e 's/use cargo_generate::\{generate, GenerateArgs, TemplatePath\};\n//; s/let args = GenerateArgs \{.*?generate\(args\)\.dot_anyhow\(\)\?;\n\n        Ok\(\(\)\)/let _ = (absolute_git_url(git), branch, tag, path, name, force, verbose, init);\n        bail!("this cargo-leptos was built without project templates (scripts\/tools.sh)")/s' "$src/src/command/new.rs"
  if grep -q cargo-generate "$src/Cargo.toml" || grep -qE 'cargo_generate|GenerateArgs' "$src/src/command/new.rs"; then
    echo "could not take cargo-generate out of cargo-leptos $CARGO_LEPTOS_VERSION" >&2
    return 1
  fi
  # Drops the unused crates from the lockfile and changes no other version.
  (cd "$src" && cargo tree -q >/dev/null)
}

ensure_wasm_bindgen() {
  local want
  want=$(wasm_bindgen_version)
  if wasm-bindgen --version 2>/dev/null | grep -q " $want"; then return; fi
  log "building wasm-bindgen-cli $want (a minute or two, once)"
  local src
  src=$(crate_source wasm-bindgen-cli "$want")
  # The published lockfile pins a webpki-roots release that is no longer in the index.
  (cd "$src" && { cargo update -q -p webpki-roots --precise 1.0.10 2>/dev/null || true; })
  install_tool "$src"
}

ensure_node_packages() {
  if ! command -v npm >/dev/null; then
    log "installing Node.js and npm from Debian"
    apt_install nodejs npm
  fi
  if [ ! -x "$ROOT/end2end/node_modules/.bin/wasm-opt" ] || [ ! -d "$ROOT/end2end/node_modules/@playwright/test" ] || [ ! -d "$ROOT/end2end/node_modules/oidc-provider" ] || [ ! -d "$ROOT/end2end/node_modules/lighthouse" ]; then
    log "installing npm packages for end2end/ (Playwright without its browser, binaryen's wasm-opt, Lighthouse)"
    (cd "$ROOT/end2end" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error)
  fi
}

apt_install() {
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "$@" >/dev/null
}

ensure_chromium() {
  if [ ! -x /usr/bin/chromium ]; then
    log "installing Chromium from Debian"
    apt_install chromium
  fi
}

# The benchmarks' load generator and the CLIs they seed and read databases with.
ensure_bench_tools() {
  local missing=() tool
  for tool in wrk sqlite3 pgbench; do command -v "$tool" >/dev/null || missing+=("$tool"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  log "installing Debian's ${missing[*]} for the benchmarks"
  local packages=("${missing[@]/pgbench/postgresql-client}")
  apt_install "${packages[@]}"
}

ensure_build_tools() {
  ensure_wasm_target
  ensure_wasm_bindgen
  ensure_cargo_leptos
  ensure_node_packages
}
