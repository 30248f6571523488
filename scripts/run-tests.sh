#!/usr/bin/env bash
# Runs the whole suite against already-built trees (make test builds them first):
#   1. unit tests, normal and sanitizer builds
#   2. dev stack up (mosquitto + Ceph RGW), integration tests (sanitizer build), stack down
#   3. each libFuzzer target for FUZZ_SECONDS (default 60; 20 outside CI is fine too)
# The stack is torn down whatever happens. Exit status is non-zero if any step failed.
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
JOBS=${JOBS:-$(nproc)}
FUZZ_SECONDS=${FUZZ_SECONDS:-60}
# A fixed seed keeps CI's bounded fuzzing reproducible; explore with FUZZ_SEED=0 (random) and a
# larger FUZZ_SECONDS, and add what it finds to fuzz/corpus/<target>/ with the fix.
FUZZ_SEED=${FUZZ_SEED:-1}
export MQTT2S3_STACK_DIR=${MQTT2S3_STACK_DIR:-$ROOT/.dev-stack}
export MQTT2S3_STACK_ENV=$MQTT2S3_STACK_DIR/stack.env

failed=()
step() { echo; echo "=== $* ==="; }
T0=$(date +%s)

step "unit tests (RelWithDebInfo)"
ctest --test-dir build -L unit --output-on-failure -j "$JOBS" || failed+=("unit")

step "unit tests (ASan+UBSan)"
ctest --test-dir build-asan -L unit --output-on-failure -j "$JOBS" || failed+=("unit-asan")

step "dev stack script test (own ports and data dir)"
tests/devstack/dev_stack_test.sh || failed+=("dev-stack-script")

step "dev stack up"
cleanup() { scripts/dev-stack.sh down >/dev/null 2>&1 || true; }
trap cleanup EXIT
if scripts/dev-stack.sh up; then
  step "integration tests (ASan+UBSan build, real mosquitto + Ceph RGW)"
  ctest --test-dir build-asan -L integration --output-on-failure || failed+=("integration")
  # What the fault and hostile-input tests verified (ctest shows output only on failure).
  step "verified by the fault and hostile-input tests"
  grep -hE '^\[(kill|S3 down|mosquitto restart|WAL budget|corrupt WAL)|^\| (fake broker|mosquitto)' \
    build-asan/Testing/Temporary/LastTest.log 2>/dev/null | cut -c1-240 || true
else
  failed+=("dev-stack")
fi
cleanup

step "fuzzing (${FUZZ_SECONDS}s per target, seed ${FUZZ_SEED})"
shopt -s nullglob
for f in build-fuzz/fuzz/fuzz_*; do
  [ -x "$f" ] || continue
  name=$(basename "$f")
  corpus=$(mktemp -d)
  [ -d "fuzz/corpus/$name" ] && cp -r "fuzz/corpus/$name/." "$corpus/"
  if "$f" -max_total_time="$FUZZ_SECONDS" -print_final_stats=1 -seed="$FUZZ_SEED" -artifact_prefix=build-fuzz/ \
      "$corpus" >"build-fuzz/$name.log" 2>&1; then
    echo "$name: $(grep -E 'stat::number_of_executed_units' "build-fuzz/$name.log" | awk '{print $2}') executions, no crash"
  else
    echo "$name: FAILED"; tail -40 "build-fuzz/$name.log"; failed+=("$name")
  fi
  rm -rf "$corpus"
done

echo
echo "=== summary: $(( $(date +%s) - T0 ))s ==="
if [ ${#failed[@]} -ne 0 ]; then echo "FAILED: ${failed[*]}"; exit 1; fi
echo "all steps passed"
