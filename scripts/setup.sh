#!/usr/bin/env bash
# Installs everything the build and the tests need; each step is skipped when already done.
set -euo pipefail
. "$(dirname "$0")/env.sh"
cd "$ROOT"

step() { printf '\n==> %s\n' "$*"; }

# The toolchain and the wasm target come from rust-toolchain.toml.
step "Rust toolchain (rust-toolchain.toml)"
rustup show active-toolchain >/dev/null 2>&1 || rustup toolchain install
rustup target list --installed | grep -q wasm32-unknown-unknown || rustup target add wasm32-unknown-unknown

# SAML signatures are verified by samael over libxmlsec1 (a C library, bound with bindgen,
# which needs libclang at build time).
step "Debian packages of the SAML build (libxmlsec1, libxml2, OpenSSL, libclang)"
packages=(libxmlsec1-dev libxml2-dev libssl-dev pkg-config libclang-dev)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

step "cargo-leptos $CARGO_LEPTOS_VERSION"
if ! cargo leptos --version 2>/dev/null | grep -q "$CARGO_LEPTOS_VERSION"; then
  echo "compiling cargo-leptos (about 20 minutes on two cores, once per machine)"
  cargo install cargo-leptos --version "$CARGO_LEPTOS_VERSION" --locked
fi

# cargo-leptos would download wasm-bindgen from GitHub, which is unreachable here: it uses the
# one on PATH instead, and that must be exactly the version of the wasm-bindgen crate.
step "wasm-bindgen-cli $WASM_BINDGEN_VERSION"
if ! wasm-bindgen --version 2>/dev/null | grep -q "$WASM_BINDGEN_VERSION"; then
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force
fi

step "npm tools (binaryen's wasm-opt, playwright-core)"
if [ ! -x tools/node_modules/.bin/wasm-opt ] || [ tools/package.json -nt tools/node_modules/.stamp ]; then
  npm install --prefix tools --no-audit --no-fund --loglevel=error
  touch tools/node_modules/.stamp
fi

step "npm: samlify (the SAML IdP of the SSO tests, tools/saml-idp)"
if [ ! -d tools/saml-idp/node_modules/samlify ] || [ tools/saml-idp/package.json -nt tools/saml-idp/node_modules/.stamp ]; then
  npm install --prefix tools/saml-idp --no-audit --no-fund --loglevel=error
  touch tools/saml-idp/node_modules/.stamp
fi

step "npm: node-oidc-provider (the OpenID provider of the SSO tests, tools/oidc-idp)"
if [ ! -d tools/oidc-idp/node_modules/oidc-provider ] || [ tools/oidc-idp/package.json -nt tools/oidc-idp/node_modules/.stamp ]; then
  npm install --prefix tools/oidc-idp --no-audit --no-fund --loglevel=error
  touch tools/oidc-idp/node_modules/.stamp
fi
