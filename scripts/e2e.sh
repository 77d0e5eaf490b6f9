#!/usr/bin/env bash
# Browser tests: builds the release site, starts the server on a fresh SQLite database,
# and drives it with Debian's Chromium through playwright-core.
set -euo pipefail
. "$(dirname "$0")/env.sh"
cd "$ROOT"
build_site
# The splitter keeps all constant data in the main module when its repacking comes out longer
# (see frontend/src/lib.rs); the login page then loads every page's texts. A text of the
# profile page only tells.
if grep -q "Edit profile" target/site/pkg/apio.wasm; then
  echo "e2e: the main WASM module holds the profile page's texts (frontend/src/lib.rs: SPLIT_DATA_SLACK)" >&2
  exit 1
fi
(cd end2end && npm install --no-audit --no-fund --loglevel=error)

work="$(mktemp -d)"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
port=$(free_port)
# The tests run the SMTP server that receives the mails (end2end/tests/mailbox.mjs).
smtp_port=$(free_port)
# localhost, not 127.0.0.1: an IP address cannot be a WebAuthn relying party.
url="http://localhost:$port"
export APIO_DATABASE_URL="sqlite://$work/apio.db" APIO_TOKENS_SIGNING_KEY_FILE="$work/signing.key" \
  APIO_SECRETS_KEY_FILE="$work/secret.key" APIO_SERVER_LISTEN="127.0.0.1:$port" \
  APIO_SERVER_PUBLIC_URL="$url" LEPTOS_SITE_ROOT="$ROOT/target/site" \
  APIO_SMTP_URL="smtp://127.0.0.1:$smtp_port" APIO_SMTP_RETRY_DELAY=200ms
# Waits until the server at $1 (process $2, log $3) is ready.
wait_ready() {
  for _ in $(seq 1 100); do
    curl -fs "$1/readyz" >/dev/null 2>&1 && return 0
    kill -0 "$2" 2>/dev/null || { cat "$3"; echo "e2e: the server of $1 died" >&2; exit 1; }
    sleep 0.2
  done
  cat "$3"; echo "e2e: the server of $1 is not ready after 20 s" >&2; exit 1
}
"$CARGO_TARGET_DIR/release/apio-auth" > "$work/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; wait $server 2>/dev/null || true' EXIT
wait_ready "$url" $server "$work/server.log"
# A second instance on the same database whose re-authentication window is one second: the
# browser test of "confirm it is you" needs a sign-in older than the window.
short_port=$(free_port)
short_url="http://localhost:$short_port"
APIO_SERVER_LISTEN="127.0.0.1:$short_port" APIO_SERVER_PUBLIC_URL="$short_url" APIO_TOKENS_REAUTH_WINDOW=1s \
  "$CARGO_TARGET_DIR/release/apio-auth" > "$work/short.log" 2>&1 &
short=$!
trap 'kill $server $short 2>/dev/null || true; wait $server $short 2>/dev/null || true' EXIT
wait_ready "$short_url" $short "$work/short.log"
link=$(grep -o "$url/set-password#token=[A-Za-z0-9_-]*" "$work/server.log" | head -n 1)
[ -n "$link" ] || { cat "$work/server.log"; echo "e2e: no set-password link printed" >&2; exit 1; }
export APIO_E2E_URL="$url" APIO_E2E_SET_PASSWORD_LINK="$link" APIO_E2E_SMTP_PORT="$smtp_port" \
  APIO_E2E_SHORT_REAUTH_URL="$short_url"
status=0
(cd end2end && node --test tests/) || status=$?
if [ $status -ne 0 ]; then
  echo "--- server log ---"; tail -n 50 "$work/server.log"
  echo "--- second server log ---"; tail -n 20 "$work/short.log"
fi
exit $status
