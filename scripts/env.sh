# Sourced by the other scripts: the shared paths and the tool versions, in one place.
# shellcheck shell=bash
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export ROOT
# One cargo target directory outside the clone, so a fresh clone (CI) reuses earlier builds.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/apio/target}"
CARGO_LEPTOS_VERSION="0.3.11"
# Must equal the wasm-bindgen pin in Cargo.toml ([workspace.dependencies]).
WASM_BINDGEN_VERSION="0.2.130"
# npm tools (wasm-opt from binaryen, playwright-core) live in tools/node_modules; they go first on
# PATH so that Debian's binaryen 108, whose wasm-opt breaks hydration, is never picked.
export PATH="$ROOT/tools/node_modules/.bin:$HOME/.cargo/bin:$PATH"

# The release site (target/site): server, WASM split into chunks, and then the chunk loader
# minified, which cargo-leptos leaves as wasm-split writes it (comments and all; every page
# loads it).
build_site() {
  cargo leptos build --release --split
  local loader="$ROOT/target/site/pkg/__wasm_split.______________________.js"
  esbuild "$loader" --minify --format=esm --log-level=warning --allow-overwrite --outfile="$loader"
}
