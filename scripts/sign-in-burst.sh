#!/usr/bin/env bash
# Peak memory of vesoc under a burst of concurrent sign-ins. Every sign-in
# checks a password with argon2id, which takes 19 MiB while it runs.
#
#   bash scripts/sign-in-burst.sh             # 200 sign-ins at once
#   BURST=50 bash scripts/sign-in-burst.sh
#
# Builds the release binary, starts vesoc on a private PostgreSQL cluster in
# a temporary folder (as scripts/bench.sh does), creates an account, opens
# BURST sessions with curl (each with its CSRF token), then sends the BURST
# sign-ins all at once and reads the peak RSS of vesoc (VmHWM in /proc)
# before and after. Twice, each time on a fresh server on the same database:
#
#   bounded:    the default, one password hash per processor at once;
#   unbounded:  VESOC_PASSWORD_HASHERS=BURST, every sign-in hashes at once,
#               as vesoc did before the bound (issue 15).
#
# The sign-ins are BURST different accounts (copies of one, with the same
# password hash) from BURST different addresses (X-Forwarded-For, with
# --trust-proxy), all with the right password: every attempt counts as a
# failure until its password is found right, so 200 sign-ins of one login
# from one address would be throttled after five, and never hashed. The
# second factor is switched off for the run.
set -euo pipefail
cd "$(dirname "$0")/.."

BURST=${BURST:-200}
PORT=${PORT:-3320}

cargo build --release -q
bin=$PWD/target/release/vesoc

work=$(mktemp -d /tmp/vesoc-burst.XXXXXX)
chmod 755 "$work"
server=""
cleanup() {
  if [ -n "$server" ]; then kill -TERM "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

addr=127.0.0.1:$PORT
email=burst@serv.be
pgdata=$work/data/postgres
password='een lang wachtwoord voor de aanmeldgolf'

start_server() { # $1: VESOC_PASSWORD_HASHERS, or empty for the default
  local hashers=()
  [ -n "$1" ] && hashers=(--password-hashers "$1")
  RUST_LOG=warn "$bin" --data-dir "$work/data" serve --addr "$addr" --trust-proxy \
    --require-second-factor= "${hashers[@]}" >"$work/vesoc.log" 2>&1 &
  server=$!
  for _ in $(seq 1 400); do
    curl -fs "http://$addr/health/ready" >/dev/null && return 0
    sleep 0.05
  done
  echo "FAIL: vesoc never became ready"; cat "$work/vesoc.log"; exit 1
}

stop_server() {
  kill -TERM "$server"
  wait "$server" 2>/dev/null || true
  server=""
}

hwm() { awk '/VmHWM/ { print $2 }' "/proc/$server/status"; }

burst() { # $1: label, $2: hashers
  start_server "$2"
  # The sessions first, one by one: the burst is the sign-ins alone.
  for i in $(seq 1 "$BURST"); do
    curl -fs -c "$work/jar$i" "http://$addr/aanmelden" \
      | grep -o 'name="_csrf" value="[^"]*"' | head -1 | sed 's/.*value="//; s/"//' >"$work/token$i"
  done
  local before after started took pids=()
  before=$(hwm)
  : >"$work/codes"
  started=$(date +%s%N)
  for i in $(seq 1 "$BURST"); do
    curl -s -o /dev/null -w '%{http_code}\n' -b "$work/jar$i" \
      -H "X-Forwarded-For: 10.77.$((i / 250)).$((i % 250 + 1))" \
      --data-urlencode "_csrf=$(cat "$work/token$i")" --data-urlencode "email=burst$i@serv.be" \
      --data-urlencode "password=$password" --data-urlencode "terug=/" \
      "http://$addr/aanmelden" >>"$work/codes" &
    pids+=($!)
  done
  wait "${pids[@]}"
  took=$(( ($(date +%s%N) - started) / 1000000 ))
  after=$(hwm)
  local ok
  ok=$(grep -c '^303$' "$work/codes" || true)
  awk -v run="$1" -v hashers="${2:-default ($(nproc))}" -v ok="$ok" -v n="$BURST" \
    -v took="$took" -v before="$before" -v after="$after" 'BEGIN {
      printf "| %s | %s | %d/%d | %.1f s | %.0f MiB | %.0f MiB |\n",
        run, hashers, ok, n, took / 1000, before / 1024, after / 1024 }' >>"$work/results"
  if [ "$ok" != "$BURST" ]; then
    echo "WARNING: $1: only $ok of $BURST sign-ins succeeded:"; sort "$work/codes" | uniq -c
  fi
  stop_server
}

echo "== preparing (private cluster in $work)"
start_server ""
printf '%s\n' "$password" | RUST_LOG=warn DATABASE_URL="postgres://postgres@localhost/vesoc?host=$pgdata" \
  "$bin" create-admin --email "$email" --name "Aanmeldgolf" >/dev/null
psql -h "$pgdata" -U postgres -d vesoc -Atq -c "
  INSERT INTO account (email, display_name, role, password_hash)
  SELECT 'burst' || i || '@serv.be', 'Aanmeldgolf ' || i, role, password_hash
  FROM account, generate_series(1, $BURST) i WHERE email = '$email'"
stop_server

: >"$work/results"
echo "== $BURST sign-ins at once, bounded"
burst bounded ""
echo "== $BURST sign-ins at once, unbounded"
burst unbounded "$BURST"

echo
echo "== $(date -u +%F) on $(nproc) cores, $BURST concurrent sign-ins (release build)"
echo "| run | hashers | signed in | burst took | VmHWM before | VmHWM after |"
echo "|---|---|---|---|---|---|"
cat "$work/results"
