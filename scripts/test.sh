#!/usr/bin/env bash
# Runs every test: formatting and lints, unit tests, the integration suite on SQLite and on
# PostgreSQL (127.0.0.1:5432, user postgres), and the browser tests in Chromium.
set -euo pipefail
. "$(dirname "$0")/env.sh"
"$ROOT/scripts/setup.sh"
"$ROOT/scripts/setup-browser.sh"
cd "$ROOT"

echo "==> format and lints"
cargo fmt --all -- --check
# The server side and the WASM side are linted apart: built together, cargo would unify
# the `ssr` and `hydrate` features of the app crate.
cargo clippy -p engine -p app -p apio-auth --all-targets -- -D warnings
cargo clippy -p frontend --target wasm32-unknown-unknown -- -D warnings

skip=()
if pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null || psql -h 127.0.0.1 -U postgres -c 'select 1' >/dev/null 2>&1; then
  echo "==> PostgreSQL found on 127.0.0.1:5432: the PostgreSQL tests run too"
else
  cat >&2 <<'MSG'

  ###################################################################################
  #  WARNING: no PostgreSQL on 127.0.0.1:5432 (user postgres).                      #
  #  The PostgreSQL half of the integration suite is SKIPPED on this machine.        #
  #  Start PostgreSQL (trust auth for user postgres) to run every test.             #
  ###################################################################################

MSG
  skip=(--skip postgres)
fi

echo "==> unit and integration tests"
cargo test -p engine -p app -p apio-auth -- "${skip[@]}"

echo "==> browser tests"
"$ROOT/scripts/e2e.sh"
