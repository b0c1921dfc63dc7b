#!/usr/bin/env bash
# Two vesoc instances against one PostgreSQL, behind nginx, all on loopback.
# Proves that no state that matters lives in an instance: a session made
# through one instance continues through the other, a CSRF token of one is
# accepted by the other, a sign-out through one ends the session (which the
# other keeps in memory) on the other, and sign-in throttling counts across
# both. Then
# stops everything with SIGTERM and checks that it stops within 30 s.
#
#   bash scripts/scale-out.sh
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v nginx >/dev/null; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light >/dev/null
fi
cargo build --release -q
bin=./target/release/vesoc

work=$(mktemp -d /tmp/vesoc-scale.XXXXXX)
chmod 755 "$work"
a=127.0.0.1:3201 b=127.0.0.1:3202 lb=127.0.0.1:3200
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  [ -f "$work/nginx.pid" ] && kill -QUIT "$(cat "$work/nginx.pid" 2>/dev/null)" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

wait_ready() {
  for _ in $(seq 1 100); do
    curl -fs "http://$1/health/ready" >/dev/null && return 0
    sleep 0.2
  done
  echo "FAIL: $1 never became ready"; exit 1
}

# Instance A starts the private cluster and seeds it; B uses the same database.
# No second factor here: this script tests sessions across instances, and
# tests/it/second_factor.rs tests the second factor.
VESOC_REQUIRE_SECOND_FACTOR= VESOC_TRUST_PROXY=true "$bin" --data-dir "$work/data" serve --addr $a >"$work/a.log" 2>&1 &
pids+=($!)
wait_ready $a
# The work folder is world-readable, so the cluster (and its socket) is in
# the data folder itself.
socket="$work/data/postgres"
export DATABASE_URL="postgres://postgres@localhost/vesoc?host=$socket"
VESOC_REQUIRE_SECOND_FACTOR= VESOC_TRUST_PROXY=true "$bin" serve --addr $b >"$work/b.log" 2>&1 &
pids+=($!)
wait_ready $b

printf 'een lang wachtwoord voor de proef\n' | "$bin" create-admin --email lb-beheer@serv.be --name "Proef" >/dev/null

cat >"$work/nginx.conf" <<NGINX
daemon off;
pid $work/nginx.pid;
error_log $work/nginx-error.log;
events {}
http {
  access_log off;
  client_body_temp_path $work/body;
  proxy_temp_path $work/proxy;
  upstream vesoc { server $a; server $b; }
  server {
    listen $lb;
    location / {
      proxy_pass http://vesoc;
      proxy_set_header Host \$host;
      proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
    }
  }
}
NGINX
nginx -c "$work/nginx.conf" -p "$work" &
pids+=($!)
for _ in $(seq 1 50); do curl -fs "http://$lb/health/live" >/dev/null && break; sleep 0.1; done

fail() { echo "FAIL: $*"; exit 1; }
token() { curl -fs -b "$1" -c "$1" "http://$2/aanmelden" | grep -o 'name="_csrf" value="[^"]*"' | head -1 | sed 's/.*value="//; s/"//'; }

# 1. Sign in through A, continue through B and through the load balancer.
jar="$work/jar"
t=$(token "$jar" $a)
code=$(curl -s -o /dev/null -w '%{http_code}' -b "$jar" -c "$jar" --data-urlencode "_csrf=$t" \
  --data-urlencode "email=lb-beheer@serv.be" --data-urlencode "password=een lang wachtwoord voor de proef" "http://$a/aanmelden")
[ "$code" = 303 ] || fail "sign-in through A answered $code"
curl -fs -b "$jar" "http://$b/account" | grep -q 'lb-beheer@serv.be' || fail "B does not know the session made on A"
for _ in 1 2 3 4; do
  curl -fs -b "$jar" "http://$lb/account" | grep -q 'lb-beheer@serv.be' || fail "the load balancer lost the session"
done
echo "ok: a session made on A continues on B and behind nginx"

# 2. A form fetched from B is accepted by A (the CSRF token lives in the session).
t=$(curl -fs -b "$jar" "http://$b/account" | grep -o 'name="_csrf" value="[^"]*"' | head -1 | sed 's/.*value="//; s/"//')
code=$(curl -s -o /dev/null -w '%{http_code}' -b "$jar" -c "$jar" --data-urlencode "_csrf=$t" "http://$a/afmelden")
[ "$code" = 303 ] || fail "sign-out on A with B's token answered $code"
echo "ok: CSRF token of B accepted by A"
# B kept the session in memory: the sign-out on A reaches it (NOTIFY) at once.
for i in $(seq 1 20); do
  code=$(curl -s -o /dev/null -w '%{http_code}' -b "$jar" "http://$b/account")
  [ "$code" = 303 ] && break
  [ "$i" = 20 ] && fail "B still accepts the session 1 s after the sign-out on A ($code)"
  sleep 0.05
done
echo "ok: the sign-out on A ends the session on B"

# 3. Five failures through the load balancer (alternating instances), then
#    the right password is refused too, on either instance.
jar2="$work/jar2"
for i in 1 2 3 4 5; do
  t=$(token "$jar2" $lb)
  code=$(curl -s -o /dev/null -w '%{http_code}' -b "$jar2" -c "$jar2" --data-urlencode "_csrf=$t" \
    --data-urlencode "email=lb-beheer@serv.be" --data-urlencode "password=fout $i" "http://$lb/aanmelden")
  [ "$code" = 401 ] || fail "failure $i answered $code"
done
for inst in $a $b; do
  t=$(token "$jar2" $inst)
  code=$(curl -s -o /dev/null -w '%{http_code}' -b "$jar2" -c "$jar2" --data-urlencode "_csrf=$t" \
    --data-urlencode "email=lb-beheer@serv.be" --data-urlencode "password=een lang wachtwoord voor de proef" "http://$inst/aanmelden")
  [ "$code" = 429 ] || fail "after 5 failures, $inst answered $code instead of 429"
done
echo "ok: throttling counts across both instances"

# 4. SIGTERM: both stop within 30 s; A stops the cluster it started.
start=$(date +%s)
kill -TERM "${pids[0]}" "${pids[1]}"
wait "${pids[0]}" "${pids[1]}" 2>/dev/null || true
took=$(( $(date +%s) - start ))
[ "$took" -le 30 ] || fail "stopping took ${took}s"
if curl -fs "http://$a/health/live" >/dev/null 2>&1; then fail "A still answers"; fi
pgdir=$(dirname "$socket")/$(basename "$socket")
if [ -f "$pgdir/postmaster.pid" ]; then fail "the private cluster still runs"; fi
pids=("${pids[2]}")
echo "ok: both instances stopped in ${took}s and the cluster was stopped"
echo "5 passed, 0 failed"
