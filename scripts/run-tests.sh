#!/usr/bin/env bash
# Runs the whole suite. `make test` calls it with --all: dependencies and the three build trees
# first, each a timed step; without --all it runs against already-built trees:
#   0. (--all) install-deps, normal build, ASan+UBSan build, fuzz build
#   1. unit tests, normal and sanitizer builds
#   2. dev stack up (mosquitto + Ceph RGW), integration tests (sanitizer build), stack down
#   3. each libFuzzer target for FUZZ_SECONDS (default 60; 20 outside CI is fine too)
# The stack is torn down whatever happens. Exit status is non-zero if any step failed.
# The summary gives each step's time and the number of skipped tests; under CI=true a skipped
# test fails the run (every test must run there).
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
times=()        # "seconds name" per finished step, for the summary
STEP_NAME="" STEP_T0=0
step() {
  end_step
  STEP_NAME=$1 STEP_T0=$(date +%s)
  echo; echo "=== $* ==="
}
end_step() {
  [[ -n $STEP_NAME ]] && times+=("$(( $(date +%s) - STEP_T0 )) $STEP_NAME")
  STEP_NAME=""
}
T0=$(date +%s)
SKIPPED=()      # "tree: test: reason" of every skipped test or case

# Tests whose output shows a skip (gtest "[  SKIPPED ]", unittest "skipped '...'"), from a
# ctest run's LastTest.log; prints "test: first skip line".
skips_in_log() {
  "${MQTT2S3_PYTHON:-$ROOT/.venv/bin/python}" - "$1" <<'PY'
import re, sys
try:
    log = open(sys.argv[1], errors="replace").read()
except OSError:
    sys.exit(0)
for m in re.finditer(r"^\d+/\d+ Testing: (\S+)\n(.*?)(?=^\d+/\d+ Testing: |\Z)", log, re.S | re.M):
    name, out = m.group(1), m.group(2)
    hit = re.search(r"^\[  SKIPPED \] (?!\d+ tests?,).*$|^.*\.\.\. skipped .*$|^.*skipped=\d+.*$", out, re.M)
    if hit:
        print(f"{name}: {hit.group(0).strip()[:160]}")
PY
}
run_ctest() {  # tree, label, failure name, extra args
  local tree=$1 label=$2 name=$3; shift 3
  ctest --test-dir "$tree" -L "$label" --output-on-failure "$@" || failed+=("$name")
  local line
  while IFS= read -r line; do [[ -n $line ]] && SKIPPED+=("$tree: $line"); done \
    < <(skips_in_log "$tree/Testing/Temporary/LastTest.log")
}

if [[ ${1:-} == --all ]]; then
  step "dependencies (scripts/install-deps.sh)"
  scripts/install-deps.sh all || { echo "install-deps failed"; exit 1; }
  for t in build-tree build-asan-tree build-fuzz-tree; do
    step "$t"
    make --no-print-directory "$t" || { failed+=("$t"); break; }
  done
  if [[ ${#failed[@]} -ne 0 ]]; then end_step; echo "FAILED: ${failed[*]}"; exit 1; fi
fi

step "unit tests (RelWithDebInfo)"
run_ctest build unit unit -j "$JOBS"

step "unit tests (ASan+UBSan)"
run_ctest build-asan unit unit-asan -j "$JOBS"

step "dev stack script test (own ports and data dir)"
tests/devstack/dev_stack_test.sh || failed+=("dev-stack-script")

step "dev stack up"
cleanup() { scripts/dev-stack.sh down >/dev/null 2>&1 || true; }
trap cleanup EXIT
if scripts/dev-stack.sh up; then
  step "integration tests (ASan+UBSan build, real mosquitto + Ceph RGW)"
  run_ctest build-asan integration integration
  # What the fault and hostile-input tests verified (ctest shows output only on failure).
  step "verified by the fault and hostile-input tests"
  grep -hE '^\[(kill|S3 down|mosquitto restart|WAL budget|corrupt WAL|artemis)|^\| (fake broker|mosquitto)' \
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

end_step

echo
echo "=== summary: $(( $(date +%s) - T0 ))s ==="
for t in "${times[@]}"; do printf '  %6ss  %s\n' "${t%% *}" "${t#* }"; done
echo "  skipped tests: ${#SKIPPED[@]}"
for s in "${SKIPPED[@]}"; do echo "    $s"; done
if [[ ${#SKIPPED[@]} -ne 0 && ${CI:-} == true ]]; then
  failed+=("skips (CI=true: every test must run)")
fi
if [ ${#failed[@]} -ne 0 ]; then echo "FAILED: ${failed[*]}"; exit 1; fi
echo "all steps passed"
