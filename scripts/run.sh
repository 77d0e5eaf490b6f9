#!/usr/bin/env bash
# Builds and starts the server on the embedded defaults: SQLite in ./data, UI on
# http://localhost:3000. On first start it prints the one-time set-password link of the admin.
set -euo pipefail
. "$(dirname "$0")/env.sh"
"$ROOT/scripts/setup.sh"
cd "$ROOT"
build_site
export LEPTOS_SITE_ROOT="$ROOT/target/site"
exec "$CARGO_TARGET_DIR/release/apio-auth" "$@"
