#!/usr/bin/env bash
# The benchmark of the README: builds the release, then prints the figures (no verdict).
set -euo pipefail
. "$(dirname "$0")/env.sh"
"$ROOT/scripts/setup.sh"
cd "$ROOT"
for tool in wrk brotli; do
  command -v $tool >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $tool >/dev/null; }
done
build_site
cargo build --release -p apio-auth --bin apio-bench
"$CARGO_TARGET_DIR/release/apio-bench" "$CARGO_TARGET_DIR/release/apio-auth" "$ROOT/target/site"
