#!/usr/bin/env bash
# Benchmark of the main pages against reference routes, all in one run, on
# loopback, with a private PostgreSQL cluster in a temporary folder.
#
#   bash scripts/bench.sh                      # 3 rounds of 10 s per route
#   ROUNDS=1 DURATION=5 bash scripts/bench.sh  # a quick look
#   VESOC_BIN=/tmp/vesoc-old bash scripts/bench.sh   # another build, as is
#
# Builds the release binary (unless VESOC_BIN names one), generates 20 years
# of fake history (`vesoc generate --years 20 --seed 42`), starts vesoc with
# the benchmark's reference routes (VESOC_BENCH_ROUTES=true) twice on it: as
# in production, and with `--page-cache=false` (every request reads the
# database and renders: the cold path). Both run without the second factor
# (`--require-second-factor=`, as scripts/test.sh does), so that curl signs
# in a member of the working group and a secretariat account. Then wrk (64
# connections) runs against every route, round after round, so that drift on
# a shared machine hits every route alike. Per route: the medians over the
# rounds of requests/s, p50 and p99 latency, CPU time per request of vesoc
# and of PostgreSQL (utime+stime from /proc, the postmaster and all its
# children) and their sum, the throughput as a share of the reference
# routes (the one-query route of the same instance and the same sign-in is
# each row's own reference), and which of issue 20's targets the row meets.
# Then the peak RSS of vesoc (VmHWM) and the start-up time of a second
# instance on the migrated database. bash reads a script as it runs it:
# editing this file during a run breaks the run (run a copy meanwhile).
set -euo pipefail
cd "$(dirname "$0")/.."

ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-10}
CONNECTIONS=${CONNECTIONS:-64}
THREADS=${THREADS:-2}
PORT=${PORT:-3310}

if ! command -v wrk >/dev/null; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
fi
if [ -n "${VESOC_BIN:-}" ]; then
  bin=$(realpath "$VESOC_BIN")
else
  cargo build --release -q
  bin=$PWD/target/release/vesoc
fi
# Secretariat accounts sign in with a second factor unless told otherwise:
# curl cannot, so no role needs one here.
no_2fa=(--require-second-factor=)

work=$(mktemp -d /tmp/vesoc-bench.XXXXXX)
chmod 755 "$work"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

addr=127.0.0.1:$PORT
wait_ready() {
  for _ in $(seq 1 200); do
    curl -fs "http://$1/health/ready" >/dev/null && return 0
    sleep 0.05
  done
  echo "FAIL: $1 never became ready"; exit 1
}

echo "== generating the fake history"
RUST_LOG=warn "$bin" --data-dir "$work/data" generate --years 20 --seed 42

echo "== starting vesoc (private cluster in $work)"
VESOC_BENCH_ROUTES=true RUST_LOG=warn "$bin" --data-dir "$work/data" serve --addr "$addr" \
  "${no_2fa[@]}" >"$work/vesoc.log" 2>&1 &
vesoc_pid=$!
pids+=("$vesoc_pid")
wait_ready "$addr"
pgdata="$work/data/postgres"
postmaster=$(head -1 "$pgdata/postmaster.pid")
psql_() { psql -h "$pgdata" -U postgres -d vesoc -Atq "$@"; }

# A second instance on the already migrated database: its start-up time.
export DATABASE_URL="postgres://postgres@localhost/vesoc?host=$pgdata"
start_ns=$(date +%s%N)
RUST_LOG=warn "$bin" serve --addr 127.0.0.1:$((PORT + 1)) "${no_2fa[@]}" >"$work/second.log" 2>&1 &
second=$!
wait_ready 127.0.0.1:$((PORT + 1))
startup_ms=$(( ($(date +%s%N) - start_ns) / 1000000 ))
kill -TERM "$second"; wait "$second" 2>/dev/null || true
unset DATABASE_URL

# The same pages rendered every time: an instance without the page cache,
# on the same database.
nocache_addr=127.0.0.1:$((PORT + 2))
VESOC_BENCH_ROUTES=true RUST_LOG=warn DATABASE_URL="postgres://postgres@localhost/vesoc?host=$pgdata" \
  "$bin" serve --addr "$nocache_addr" --page-cache=false "${no_2fa[@]}" >"$work/nocache.log" 2>&1 &
nocache_pid=$!
pids+=("$nocache_pid")
wait_ready "$nocache_addr"

echo "== accounts and sign-in"
password='een lang wachtwoord voor de benchmark'
printf '%s\n' "$password" | RUST_LOG=warn DATABASE_URL="postgres://postgres@localhost/vesoc?host=$pgdata" \
  "$bin" create-admin --email bench-lid@serv.be --name "Benchmark lid" >/dev/null
# A member of the working group and the (in)formal VESOC: a social partner (ACV).
psql_ -c "UPDATE account SET role = 'social_partner',
            organisation_id = (SELECT id FROM organisation WHERE slug = 'acv')
          WHERE email = 'bench-lid@serv.be'"
sign_in() {
  local jar="$work/jar" t
  rm -f "$jar"
  t=$(curl -fs -b "$jar" -c "$jar" "http://$addr/aanmelden" | grep -o 'name="_csrf" value="[^"]*"' | head -1 | sed 's/.*value="//; s/"//')
  curl -fs -o /dev/null -b "$jar" -c "$jar" --data-urlencode "_csrf=$t" \
    --data-urlencode "email=$1" --data-urlencode "password=$password" "http://$addr/aanmelden"
  awk '$6 == "vesoc" { print "vesoc=" $7 }' "$jar"
}
member_cookie=$(sign_in bench-lid@serv.be)
[ -n "$member_cookie" ] || { echo "FAIL: no session cookie"; exit 1; }
# A secretariat account, for the pages the secretariat works in all day.
printf '%s\n' "$password" | RUST_LOG=warn DATABASE_URL="postgres://postgres@localhost/vesoc?host=$pgdata" \
  "$bin" create-admin --email bench-secretariaat@serv.be --name "Benchmark secretariaat" >/dev/null
psql_ -c "UPDATE account SET role = 'secretariat' WHERE email = 'bench-secretariaat@serv.be'"
staff_cookie=$(sign_in bench-secretariaat@serv.be)
[ -n "$staff_cookie" ] || { echo "FAIL: no session cookie for the secretariat"; exit 1; }

# A held working-group meeting from the middle of the history, with its agenda.
meeting=$(psql_ -c "SELECT m.id FROM meeting m JOIN body b ON b.id = m.body_id
                    WHERE b.slug = 'vesoc-werkgroep' AND m.status = 'held'
                      AND m.starts_at >= '2016-01-01' ORDER BY m.starts_at LIMIT 1")
page=$(curl -s -w '\n%{http_code}' -H "Cookie: $member_cookie" "http://$addr/vergaderingen/$meeting")
if [ "$(tail -1 <<<"$page")" != 200 ] || ! grep -q 'gegenereerd' <<<"$page"; then
  echo "FAIL: the member does not see the agenda of meeting $meeting: $(tail -1 <<<"$page")"
  grep -o '<h1>[^<]*' <<<"$page" || true
  exit 1
fi

# The working group's next meeting (the one whose agenda the secretariat
# builds), else the held one.
coming=$(psql_ -c "SELECT m.id FROM meeting m JOIN body b ON b.id = m.body_id
                   WHERE b.slug = 'vesoc-werkgroep' AND m.status IN ('planned', 'convened')
                   ORDER BY m.starts_at LIMIT 1")
coming=${coming:-$meeting}

# name|path|cookie|address|reference[|writes per second]: the reference is
# the one-query route of the same instance and the same sign-in. The public
# pages both from the page cache and rendered each time (the second
# instance, without any cache: `cold:`); the secretariat's pages as served
# (never a shared page, their data kept per change) and cold; the last rows
# while something is written all the time (each write empties the caches of
# every instance).
ref=ref:\ one\ query
routes=(
  "ref: hello (static)|/bench/hello||$addr|"
  "ref: one query|/bench/query||$addr|"
  "ref: one query (member)|/bench/query|$member_cookie|$addr|"
  "ref: one query (secretariat)|/bench/query|$staff_cookie|$addr|"
  "composition on a past date|/organen/vesoc-overleg?op=2015-06-01||$addr|$ref"
  "agreement|/akkoorden/gegenereerd-42-akkoord-1||$addr|$ref"
  "calendar (a past year)|/vergaderingen?jaar=2016||$addr|$ref"
  "calendar (this year)|/vergaderingen||$addr|$ref"
  "home|/||$addr|$ref"
  "search|/zoeken?q=arbeidsmarkt||$addr|$ref"
  "yearly overview|/jaaroverzicht/2016||$addr|$ref"
  "meeting + agenda (public)|/vergaderingen/$meeting||$addr|$ref"
  "meeting + agenda (member)|/vergaderingen/$meeting|$member_cookie|$addr|$ref (member)"
  "review queue|/beheer/agendapunten|$staff_cookie|$addr|$ref (secretariat)"
  "agenda builder|/vergaderingen/$coming/agenda|$staff_cookie|$addr|$ref (secretariat)"
  "meeting edit page|/vergaderingen/$coming/bewerken|$staff_cookie|$addr|$ref (secretariat)"
  "composition editor|/beheer/organen/vesoc-werkgroep|$staff_cookie|$addr|$ref (secretariat)"
  "agreement editor|/beheer/akkoorden/gegenereerd-42-akkoord-1|$staff_cookie|$addr|$ref (secretariat)"
  "people register|/beheer/personen|$staff_cookie|$addr|$ref (secretariat)"
  "cold: ref one query|/bench/query||$nocache_addr|"
  "cold: ref one query (member)|/bench/query|$member_cookie|$nocache_addr|"
  "cold: ref one query (secretariat)|/bench/query|$staff_cookie|$nocache_addr|"
  "cold: composition on a past date|/organen/vesoc-overleg?op=2015-06-01||$nocache_addr|cold: ref one query"
  "cold: agreement|/akkoorden/gegenereerd-42-akkoord-1||$nocache_addr|cold: ref one query"
  "cold: calendar (a past year)|/vergaderingen?jaar=2016||$nocache_addr|cold: ref one query"
  "cold: calendar (this year)|/vergaderingen||$nocache_addr|cold: ref one query"
  "cold: home|/||$nocache_addr|cold: ref one query"
  "cold: search|/zoeken?q=arbeidsmarkt||$nocache_addr|cold: ref one query"
  "cold: yearly overview|/jaaroverzicht/2016||$nocache_addr|cold: ref one query"
  "cold: meeting + agenda (public)|/vergaderingen/$meeting||$nocache_addr|cold: ref one query"
  "cold: meeting + agenda (member)|/vergaderingen/$meeting|$member_cookie|$nocache_addr|cold: ref one query (member)"
  "cold: review queue|/beheer/agendapunten|$staff_cookie|$nocache_addr|cold: ref one query (secretariat)"
  "cold: agenda builder|/vergaderingen/$coming/agenda|$staff_cookie|$nocache_addr|cold: ref one query (secretariat)"
  "cold: meeting edit page|/vergaderingen/$coming/bewerken|$staff_cookie|$nocache_addr|cold: ref one query (secretariat)"
  "cold: composition editor|/beheer/organen/vesoc-werkgroep|$staff_cookie|$nocache_addr|cold: ref one query (secretariat)"
  "cold: agreement editor|/beheer/akkoorden/gegenereerd-42-akkoord-1|$staff_cookie|$nocache_addr|cold: ref one query (secretariat)"
  "cold: people register|/beheer/personen|$staff_cookie|$nocache_addr|cold: ref one query (secretariat)"
  "composition, 10 writes/s|/organen/vesoc-overleg?op=2015-06-01||$addr|$ref|10"
  "meeting + agenda (member), 10 writes/s|/vergaderingen/$meeting|$member_cookie|$addr|$ref (member)|10"
  # The read models while something they read is written all the time (each
  # write makes the composition's and the agreement's models stale), and a
  # search for new words on every request (no model to read: the cost of a
  # first search, and the bound on stored searches under load).
  "cold: composition, 10 writes/s|/organen/vesoc-overleg?op=2015-06-01||$nocache_addr|cold: ref one query|10"
  "cold: agreement, 10 writes/s|/akkoorden/gegenereerd-42-akkoord-1||$nocache_addr|cold: ref one query|10"
  "cold: search, new words each request|/zoeken?q=arbeidsmarkt||$nocache_addr|cold: ref one query||new-words"
)
# ONLY=regex keeps the rows whose name matches (and the references).
if [ -n "${ONLY:-}" ]; then
  kept=()
  for r in "${routes[@]}"; do
    name=${r%%|*}
    if [[ $name == *"ref"* || $name =~ $ONLY ]]; then kept+=("$r"); fi
  done
  routes=("${kept[@]}")
fi
for r in "${routes[@]}"; do
  IFS='|' read -r name path cookie host _ <<<"$r"
  code=$(curl -s -o /dev/null -w '%{http_code}' ${cookie:+-H "Cookie: $cookie"} "http://$host$path")
  [ "$code" = 200 ] || { echo "FAIL: $name ($path) answered $code"; exit 1; }
done

# Every request other words, matching what the path's query matches
# ("arbeidsmarkt or w17t2": no item has the second word), so that each is
# a first search of its words that ranks as many results.
cat >"$work/new-words.lua" <<'LUA'
-- Globals: setup() runs in the main state and numbers each thread's own.
n = 0
tid = 0
function setup(thread) tid = tid + 1; thread:set("tid", tid) end
function request()
  n = n + 1
  return wrk.format(nil, wrk.path .. "+or+w" .. n .. "t" .. tid)
end
LUA

ticks() { # utime+stime of one process, in clock ticks
  awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$1/stat" 2>/dev/null || echo 0
}
pg_ticks() { # the postmaster (with its reaped children) and its live children
  local sum total
  sum=$(awk '{ sub(/^.*\) /, ""); print $12 + $13 + $14 + $15 }' "/proc/$postmaster/stat")
  for c in $(ps -o pid= --ppid "$postmaster"); do
    sum=$((sum + $(ticks "$c")))
  done
  echo "$sum"
}
hz=$(getconf CLK_TCK)

load_before=$(cut -d" " -f1-3 /proc/loadavg)
results="$work/results.tsv"
: >"$results"
for round in $(seq 1 "$ROUNDS"); do
  echo "== round $round of $ROUNDS"
  for r in "${routes[@]}"; do
    IFS='|' read -r name path cookie host reference writes script <<<"$r"
    server=$vesoc_pid
    [ "$host" = "$nocache_addr" ] && server=$nocache_pid
    # A short warm-up, so that every round starts with warm connections.
    wrk -t "$THREADS" -c "$CONNECTIONS" -d 1s ${cookie:+-H "Cookie: $cookie"} "http://$host$path" >/dev/null
    writer=
    if [ -n "$writes" ]; then
      # One psql session (one backend) writing as an editor would, for as
      # long as wrk runs: every statement notifies vesoc_changed.
      pause=$(awk -v w="$writes" 'BEGIN { print 1 / w }')
      (for _ in $(seq 1 $((writes * DURATION))); do
        echo "UPDATE body SET description = description WHERE slug = 'vesoc-werkgroep';"
        sleep "$pause"
      done | psql -h "$pgdata" -U postgres -d vesoc -Atq >/dev/null) &
      writer=$!
    fi
    v0=$(ticks "$server"); p0=$(pg_ticks)
    out=$(wrk -t "$THREADS" -c "$CONNECTIONS" -d "${DURATION}s" --latency \
      ${script:+-s "$work/$script.lua"} ${cookie:+-H "Cookie: $cookie"} "http://$host$path")
    v1=$(ticks "$server"); p1=$(pg_ticks)
    if [ -n "$writer" ]; then wait "$writer"; fi
    echo "$out" | grep -q 'Non-2xx' && { echo "FAIL: $path answered non-2xx under load"; echo "$out"; exit 1; }
    requests=$(echo "$out" | awk '/requests in/ { print $1 }')
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$round" "$name" \
      "$(echo "$out" | awk '/Requests\/sec/ { print $2 }')" \
      "$(echo "$out" | awk '$1 == "50%" { print $2 }')" \
      "$(echo "$out" | awk '$1 == "99%" { print $2 }')" \
      "$(awk -v d=$((v1 - v0)) -v n="$requests" -v hz="$hz" 'BEGIN { printf "%.0f", d / hz * 1e6 / n }')" \
      "$(awk -v d=$((p1 - p0)) -v n="$requests" -v hz="$hz" 'BEGIN { printf "%.0f", d / hz * 1e6 / n }')" \
      "$reference" >>"$results"
    printf '  %-42s %s req/s\n' "$name" "$(tail -1 "$results" | cut -f3)"
  done
done

hwm=$(awk '/VmHWM/ { print $2 }' "/proc/$vesoc_pid/status")
hwm_nocache=$(awk '/VmHWM/ { print $2 }' "/proc/$nocache_pid/status")
echo
echo "== $(date -u +%F) on $(nproc) cores, $ROUNDS rounds x ${DURATION}s, $CONNECTIONS connections, wrk -t $THREADS"
echo "load average before and after: $load_before / $(cut -d' ' -f1-3 /proc/loadavg)"
python3 - "$results" "$hwm" "$startup_ms" "$hwm_nocache" <<'PY'
import sys, statistics
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1]) if l.strip()]
def ms(v):
    for unit, f in (("us", 1e-3), ("ms", 1.0), ("s", 1e3)):
        if v.endswith(unit) and (unit != "s" or not v.endswith(("us", "ms"))):
            return float(v[: -len(unit)]) * f
    return float(v)
names = list(dict.fromkeys(r[1] for r in rows))
med, refs = {}, {}
for n in names:
    rs = [r for r in rows if r[1] == n]
    refs[n] = rs[0][7] if len(rs[0]) > 7 else ""
    med[n] = dict(
        rps=statistics.median(float(r[2]) for r in rs),
        p50=statistics.median(ms(r[3]) for r in rs),
        p99=statistics.median(ms(r[4]) for r in rs),
        app=statistics.median(float(r[5]) for r in rs),
        pg=statistics.median(float(r[6]) for r in rs),
    )
hello, query = med[names[0]]["rps"], med[names[1]]["rps"]
# Issue 20: at least 40 % of the one-query route (of the same instance and
# sign-in), at most 250 µs of vesoc + PostgreSQL CPU per request, p99 under
# 15 ms at 64 connections.
print("| route | req/s | p50 ms | p99 ms | vesoc CPU µs/req | PostgreSQL CPU µs/req | vesoc+PG µs/req "
      "| vs hello | vs one query | vs own reference | targets (40 % · 250 µs · p99) |")
print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
met = {}
for n in names:
    m, ref = med[n], refs[n]
    cpu = m["app"] + m["pg"]
    own, targets = "", ""
    if ref in med:
        share = m["rps"] / med[ref]["rps"]
        own = f"{share:.0%}"
        ok = (share >= 0.40, cpu <= 250, m["p99"] < 15)
        met[n] = all(ok)
        targets = " · ".join("✓" if o else "✗" for o in ok)
    print(f"| {n} | {m['rps']:.0f} | {m['p50']:.2f} | {m['p99']:.2f} | {m['app']:.0f} | {m['pg']:.0f} "
          f"| {cpu:.0f} | {m['rps'] / hello:.0%} | {m['rps'] / query:.0%} | {own} | {targets} |")
print()
print(f"all three targets met by {sum(met.values())} of {len(met)} rows")
print(f"peak RSS of vesoc (VmHWM): {int(sys.argv[2]) / 1024:.1f} MiB with the page cache, "
      f"{int(sys.argv[4]) / 1024:.1f} MiB without")
print(f"start-up of a second instance on the migrated database, until /health/ready: {sys.argv[3]} ms")
PY
