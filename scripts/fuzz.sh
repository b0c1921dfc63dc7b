#!/usr/bin/env bash
# The full property-based run of the form handlers (tests/it/fuzz.rs):
# 10,000 generated bodies per POST handler, in a release build, on parallel
# workers that each have their own database. Prints what each handler
# answered and the total time.
#
#   bash scripts/fuzz.sh
#
# VESOC_FUZZ_CASES (default 10000) and VESOC_FUZZ_SHARDS (default: four
# workers per core, as a worker mostly waits on PostgreSQL) can be set.
# Like `cargo test`, it starts its own PostgreSQL cluster (or uses
# DATABASE_URL).
set -euo pipefail
cd "$(dirname "$0")/.."

cases=${VESOC_FUZZ_CASES:-10000}
shards=${VESOC_FUZZ_SHARDS:-$(( $(nproc) * 4 ))}
echo "fuzz: $(date -u "+%F %H:%M") UTC, $cases bodies per handler, $shards workers, release build, $(nproc) cores"
started=$(date +%s)
cargo test --release -q --test it --no-run
built=$(date +%s)
echo "fuzz: built in $(( built - started )) s"
VESOC_FUZZ_CASES=$cases VESOC_FUZZ_SHARDS=$shards \
  cargo test --release -q --test it fuzz::every_form_handler -- --nocapture
echo "fuzz: done in $(( $(date +%s) - built )) s after the build, $(( $(date +%s) - started )) s in all"
