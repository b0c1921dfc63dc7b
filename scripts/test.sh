#!/usr/bin/env bash
# All tests: the Rust tests (cargo test), then the end-to-end journeys in a
# real browser (tests/e2e/, node's built-in test runner) against the debug
# binary on a private PostgreSQL cluster of its own.
#
#   bash scripts/test.sh
#
# VESOC_E2E_ONLY=1 skips cargo test and VESOC_E2E_BIN=path uses that binary
# instead of building one (both for working on the browser tests).
# Screenshots and the axe-core results go to target/screenshots/.
set -euo pipefail
cd "$(dirname "$0")/.."

# 1. What a fresh machine lacks: Chromium and poppler-utils (Debian's) and the
#    node modules.
if [ ! -x /usr/bin/chromium ]; then
  echo "Chromium missing: installing it with apt-get"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
# pdftotext and pdfinfo (Debian's poppler-utils): the PDF tests read the
# agenda's text with them, and fail without them.
if ! command -v pdftotext >/dev/null 2>&1 || ! command -v pdfinfo >/dev/null 2>&1; then
  echo "pdftotext missing: installing poppler-utils with apt-get"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq poppler-utils >/dev/null
fi
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi

# 2. The Rust tests.
if [ -z "${VESOC_E2E_ONLY:-}" ]; then
  cargo test
fi

# 3. The browser tests against the debug binary.
bin=${VESOC_E2E_BIN:-}
if [ -z "$bin" ]; then
  cargo build -q
  bin=./target/debug/vesoc
fi
work=$(mktemp -d /tmp/vesoc-e2e.XXXXXX)
# World-readable, so that the cluster (run as postgres when we are root)
# lives in the data folder itself, with its socket.
chmod 755 "$work"
pid=
cleanup() {
  if [ -n "$pid" ]; then
    # SIGTERM: vesoc stops, and stops the private cluster it started.
    kill -TERM "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null \
  || node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
addr=127.0.0.1:$port
# Admin and secretariat normally need a second factor (TOTP) to sign in. The
# journeys are about the work, not the authenticator app (its own tests are
# in tests/it/second_factor.rs): switch the requirement off for this run.
extra=()
if "$bin" serve --help | grep -q -- '--require-second-factor'; then
  extra+=(--require-second-factor=)
fi
# Mail goes to the journeys' own SMTP server (tests/e2e/smtp-sink.js).
smtp_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null \
  || node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
if "$bin" serve --help | grep -q -- '--smtp-url'; then
  extra+=(--smtp-url "smtp://127.0.0.1:$smtp_port")
fi
"$bin" --data-dir "$work/data" serve --addr "$addr" "${extra[@]}" >"$work/server.log" 2>&1 &
pid=$!
ready=
for _ in $(seq 1 150); do
  if curl -fs "http://$addr/health/ready" >/dev/null 2>&1; then ready=1; break; fi
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.2
done
if [ -z "$ready" ]; then
  echo "FAIL: vesoc never became ready on $addr"; cat "$work/server.log"; exit 1
fi

admin_email=beheer.e2e@serv.be
admin_password="oranje lamp boven de deur $RANDOM$RANDOM"
printf '%s\n' "$admin_password" | DATABASE_URL="postgres://postgres@localhost/vesoc?host=$work/data/postgres" \
  "$bin" create-admin --email "$admin_email" --name "Beheerder (e2e)" >/dev/null

status=0
VESOC_E2E_SMTP_PORT="$smtp_port" VESOC_E2E_BASE="http://$addr" VESOC_E2E_ADMIN_EMAIL="$admin_email" VESOC_E2E_ADMIN_PASSWORD="$admin_password" \
  node --test tests/e2e/ || status=$?
if [ "$status" -ne 0 ]; then
  echo "--- last lines of the server log ---"; tail -n 40 "$work/server.log"
fi
exit "$status"
