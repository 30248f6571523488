#!/usr/bin/env bash
# dev_stack_test.sh: end-to-end test of scripts/dev-stack.sh against real daemons.
#
#   tests/devstack/dev_stack_test.sh        (about 30 s; prints "N passed, M failed")
#
# Runs on its own ports and data dir, never the defaults, so it can run beside a developer's
# stack: MQTT 21883, aedes 21884, RGW 28000, mon 42000/42001, OSD 42010-42060,
# /tmp/devstack-test. Override with DEVSTACK_TEST_{MQTT,AEDES,RGW,MON,OSD_MIN}_PORT and
# DEVSTACK_TEST_DIR. Every command runs under `timeout`; the stack is taken down at the end
# whatever happens. Exit status is non-zero if any check failed.
set -uo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
S=$REPO/scripts/dev-stack.sh
export MQTT_PORT=${DEVSTACK_TEST_MQTT_PORT:-21883}
export AEDES_PORT=${DEVSTACK_TEST_AEDES_PORT:-21884}
export RGW_PORT=${DEVSTACK_TEST_RGW_PORT:-28000}
export MON_PORT=${DEVSTACK_TEST_MON_PORT:-42000}
export OSD_PORT_MIN=${DEVSTACK_TEST_OSD_MIN_PORT:-42010}
export MQTT2S3_STACK_DIR=${DEVSTACK_TEST_DIR:-/tmp/devstack-test}
export MQTT2S3_AEDES=1
unset S3_ACCESS_KEY S3_SECRET_KEY S3_ENDPOINT MQTT2S3_STACK_ENV
SECRET=testsecretkey0000000000000000000000000001   # the script's default test secret
PY=${MQTT2S3_PYTHON:-$(cd "$(dirname "$0")/../.." && pwd)/.venv/bin/python}
CMD_TIMEOUT=120

WORK=$(mktemp -d /tmp/dev-stack-test.XXXXXX)
ALL_OUTPUT=$WORK/all-output.log   # every byte dev-stack.sh printed, for the secret check
passed=0 failed=0 up_times=()
LISTENER_PID=""

cleanup() {
  [[ -n $LISTENER_PID ]] && kill "$LISTENER_PID" 2>/dev/null
  timeout "$CMD_TIMEOUT" "$S" down >/dev/null 2>&1
  rm -rf "$WORK"
}
trap cleanup EXIT

check() {
  local desc=$1; shift
  if "$@"; then passed=$((passed + 1)); echo "PASS: $desc"
  else failed=$((failed + 1)); echo "FAIL: $desc"; fi
}

# ds ARGS...: runs dev-stack.sh; sets RC, OUT (stdout), ERR (stderr), SECS (wall time).
ds() {
  local t0=$EPOCHREALTIME
  timeout "$CMD_TIMEOUT" "$S" "$@" >"$WORK/out" 2>"$WORK/err"
  RC=$?
  SECS=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.2f", b - a }')
  OUT=$(<"$WORK/out"); ERR=$(<"$WORK/err")
  # `env` prints the secret on purpose (it is for eval); everything else must never print it.
  [[ $1 == env ]] && return
  { echo "### dev-stack.sh $* (rc $RC, ${SECS}s)"; cat "$WORK/out" "$WORK/err"; } >>"$ALL_OUTPUT"
}

rc_is() { [[ $RC == "$1" ]]; }
rc_not_zero() { [[ $RC != 0 ]]; }
contains() { [[ $1 == *"$2"* ]]; }
pids() { cat "$MQTT2S3_STACK_DIR"/run/*.pid 2>/dev/null | sort | paste -sd' '; }
pid_of() { cat "$MQTT2S3_STACK_DIR/run/$1.pid" 2>/dev/null; }
alive() { local st; st=$(ps -o stat= -p "$1" 2>/dev/null) && [[ -n $st && ${st:0:1} != Z ]]; }
none_alive() { local p; for p in "$@"; do alive "$p" && return 1; done; return 0; }
# No live process mentions the stack dir in its command line (every daemon of ours does).
no_stack_process() {
  local d cmd st found=0
  for d in /proc/[0-9]*; do
    cmd=$( { tr '\0' ' ' <"$d/cmdline"; } 2>/dev/null) || continue
    [[ $cmd == *"$MQTT2S3_STACK_DIR/"* ]] || continue
    st=$(ps -o stat= -p "${d#/proc/}" 2>/dev/null) || continue
    [[ ${st:0:1} == Z ]] && continue
    echo "  still running: ${d#/proc/} $cmd" >&2; found=1
  done
  (( found == 0 ))
}
port_free() { [[ -z $(ss -ltnH "sport = :$1") ]]; }
stack_ports_free() {
  local p
  for p in "$MQTT_PORT" "$AEDES_PORT" "$RGW_PORT" "$MON_PORT" "$((MON_PORT + 1))"; do port_free "$p" || return 1; done
}
env_file_ok() {
  local f=$MQTT2S3_STACK_DIR/stack.env k
  [[ $(stat -c %a "$f" 2>/dev/null) == 600 ]] || return 1
  for k in MQTT_HOST MQTT_PORT AEDES_PORT S3_ENDPOINT S3_REGION S3_ACCESS_KEY S3_SECRET_KEY MQTT2S3_STACK_DIR CEPH_CONF; do
    grep -q "^$k=." "$f" || { echo "  missing $k" >&2; return 1; }
  done
}

# S3 through boto3 with the values `dev-stack.sh env` prints; $1 = put|get, $2 = expected body.
s3() {
  ( eval "$(timeout 10 "$S" env 2>/dev/null)" && export S3_ENDPOINT S3_REGION S3_ACCESS_KEY S3_SECRET_KEY &&
    timeout 30 "$PY" - "$1" "$2" <<'EOF'
import os, sys
import boto3
from botocore.config import Config
s3 = boto3.client("s3", endpoint_url=os.environ["S3_ENDPOINT"], region_name=os.environ["S3_REGION"],
                  aws_access_key_id=os.environ["S3_ACCESS_KEY"],
                  aws_secret_access_key=os.environ["S3_SECRET_KEY"],
                  config=Config(retries={"max_attempts": 2}, connect_timeout=5, read_timeout=10))
action, body = sys.argv[1], sys.argv[2].encode()
if action == "put":
    s3.create_bucket(Bucket="devstack-test")
    s3.put_object(Bucket="devstack-test", Key="hello/object.txt", Body=body)
got = s3.get_object(Bucket="devstack-test", Key="hello/object.txt")["Body"].read()
sys.exit(0 if got == body else 1)
EOF
  )
}

# QoS 1 round trip with mosquitto_sub/mosquitto_pub. The publisher repeats (bounded) until the
# subscriber, which exits after one message, has it: no sleep-and-hope for the SUBSCRIBE.
mqtt_round_trip() {
  local port=$1 topic="mqtt2s3/devstack-test/$$/$1" msg="hello-$1-$RANDOM" out=$WORK/sub.$1 i
  : >"$out"
  timeout 15 mosquitto_sub -h 127.0.0.1 -p "$port" -q 1 -t "$topic" -C 1 -W 12 >"$out" 2>/dev/null &
  local sub=$!
  for _ in $(seq 1 50); do
    timeout 5 mosquitto_pub -h 127.0.0.1 -p "$port" -q 1 -t "$topic" -m "$msg" 2>/dev/null
    sleep 0.1
    grep -qx "$msg" "$out" && break
  done
  wait "$sub"
  grep -qx "$msg" "$out"
}

# A persistent session's QoS 1 message, queued while the client is away, survives a mosquitto
# restart (persistence file + autosave). $1: phase "queue" or "receive".
mosquitto_persistent() {
  local id=devstack-test-persist-$$ topic=mqtt2s3/devstack-test/persist/$$
  if [[ $1 == queue ]]; then
    timeout 10 mosquitto_sub -h 127.0.0.1 -p "$MQTT_PORT" -i "$id" -c -q 1 -t "$topic" -E >/dev/null 2>&1 &&
      timeout 10 mosquitto_pub -h 127.0.0.1 -p "$MQTT_PORT" -q 1 -t "$topic" -m kept-over-restart
  else
    [[ $(timeout 10 mosquitto_sub -h 127.0.0.1 -p "$MQTT_PORT" -i "$id" -c -q 1 -t "$topic" -C 1 -W 5 2>/dev/null) == kept-over-restart ]]
  fi
}

echo "dev_stack_test: stack dir $MQTT2S3_STACK_DIR, ports mqtt $MQTT_PORT aedes $AEDES_PORT rgw $RGW_PORT mon $MON_PORT osd $OSD_PORT_MIN+"
ds down   # leftovers from an interrupted run

# ---- up, idempotent up, status, env ---------------------------------------------------------
ds up; up_times+=("$SECS")
check "up starts the whole stack (took ${SECS}s)" rc_is 0
check "up prints how long it took" contains "$OUT" "dev stack up in"
check "env file has every key and mode 0600" env_file_ok
first_pids=$(pids)
check "five daemons are recorded" [ "$(wc -w <<<"$first_pids")" = 5 ]
ds up
check "up when up exits 0" rc_is 0
check "up when up says it is already up" contains "$OUT" "already up"
check "up when up keeps the same pids" [ "$(pids)" = "$first_pids" ]
ds status
check "status exits 0 when everything is up" rc_is 0
ds env
check "env prints S3_ENDPOINT" contains "$OUT" "S3_ENDPOINT=http://127.0.0.1:$RGW_PORT"
check "env prints the secret key, for machines" contains "$OUT" "S3_SECRET_KEY=$SECRET"

# ---- real traffic ---------------------------------------------------------------------------
body="dev-stack object $$"
check "boto3 PUT then GET returns the same bytes" s3 put "$body"
check "QoS 1 round trip through mosquitto" mqtt_round_trip "$MQTT_PORT"
check "QoS 1 round trip through aedes" mqtt_round_trip "$AEDES_PORT"

# ---- component restarts keep data -----------------------------------------------------------
mon_pid=$(pid_of mon) osd_pid=$(pid_of osd) rgw_pid=$(pid_of rgw)
ds restart rgw
check "restart rgw exits 0" rc_is 0
check "restart rgw gives radosgw a new pid" [ "$(pid_of rgw)" != "$rgw_pid" ]
check "restart rgw leaves mon and osd running" [ "$(pid_of mon) $(pid_of osd)" = "$mon_pid $osd_pid" ]
check "the object is still there after restart rgw" s3 get "$body"

check "a persistent session has a QoS 1 message queued" mosquitto_persistent queue
mosq_pid=$(pid_of mosquitto)
ds restart mosquitto
check "restart mosquitto exits 0" rc_is 0
check "restart mosquitto gives it a new pid" [ "$(pid_of mosquitto)" != "$mosq_pid" ]
check "the queued message survives restart mosquitto" mosquitto_persistent receive
check "QoS 1 round trip through mosquitto after its restart" mqtt_round_trip "$MQTT_PORT"

ds stop aedes
ds status
check "status is non-zero with aedes stopped" rc_not_zero
check "status names aedes as down" contains "$OUT" "aedes     DOWN"
ds start aedes
check "start aedes exits 0" rc_is 0
check "QoS 1 round trip through aedes after its restart" mqtt_round_trip "$AEDES_PORT"

# ---- partially up: up restarts everything ---------------------------------------------------
ds stop rgw
before=$(pids)
ds up; up_times+=("$SECS")
check "up when partially up exits 0 (took ${SECS}s)" rc_is 0
check "up when partially up names the missing part" contains "$OUT" "down: rgw"
check "up when partially up stopped the old daemons" none_alive $before
ds status
check "status exits 0 after the restart from scratch" rc_is 0

# ---- down, idempotent down ------------------------------------------------------------------
last_pids=$(pids)
ds down
check "down exits 0" rc_is 0
check "down stops every daemon it started" none_alive $last_pids
check "down leaves no process of the stack" no_stack_process
check "down frees every port" stack_ports_free
check "down removes the env file" [ ! -e "$MQTT2S3_STACK_DIR/stack.env" ]
ds status
check "status is non-zero (3) when down" rc_is 3
ds env
check "env exits 1 when down" rc_is 1
ds down
check "down when down exits 0" rc_is 0
check "down when down says so" contains "$OUT" "not running"

# ---- refusals and failed starts leave nothing running ---------------------------------------
"$PY" -c 'import socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(1); time.sleep(60)' "$RGW_PORT" &
LISTENER_PID=$!
for _ in $(seq 1 50); do port_free "$RGW_PORT" || break; sleep 0.05; done
ds up
check "up refuses a port held by a foreign process" rc_not_zero
check "the refusal names the port" contains "$ERR" "RGW_PORT port $RGW_PORT is already in use"
check "the foreign process is left alone" alive "$LISTENER_PID"
check "a refused up starts nothing" bash -c "[ -z \"\$(ss -ltnH 'sport = :$MQTT_PORT or sport = :$AEDES_PORT or sport = :$MON_PORT')\" ]"
check "a refused up leaves no process of the stack" no_stack_process
kill "$LISTENER_PID" 2>/dev/null; wait "$LISTENER_PID" 2>/dev/null; LISTENER_PID=""

mkdir -p "$WORK/fakebin"
printf '#!/bin/sh\necho "fake radosgw: simulated start failure" >&2\nsleep 0.3\nexit 1\n' >"$WORK/fakebin/radosgw"
chmod +x "$WORK/fakebin/radosgw"
PATH="$WORK/fakebin:$PATH" ds up
check "up fails when radosgw dies" rc_not_zero
check "a failed up prints the daemons' log tails" contains "$ERR" "simulated start failure"
check "a failed up leaves no process of the stack" no_stack_process
check "a failed up frees every port" stack_ports_free
ds status
check "status is 3 after a failed up" rc_is 3

# SIGTERM in the middle of `up` (once the mon runs): the trap stops what was started.
timeout "$CMD_TIMEOUT" "$S" up >"$WORK/int.out" 2>"$WORK/int.err" &
up_pid=$!
for _ in $(seq 1 200); do [[ -s $MQTT2S3_STACK_DIR/run/mon.pid ]] && break; sleep 0.05; done
sleep 0.3
kill -TERM "$up_pid" 2>/dev/null   # timeout(1) passes the signal on to dev-stack.sh
wait "$up_pid"; RC=$?
cat "$WORK/int.out" "$WORK/int.err" >>"$ALL_OUTPUT"
check "SIGTERM during up makes it fail (rc $RC)" rc_not_zero
check "SIGTERM during up reports the interruption" grep -q "interrupted" "$WORK/int.err"
check "SIGTERM during up leaves no process of the stack" no_stack_process
check "SIGTERM during up frees every port" stack_ports_free

# ---- up again works -------------------------------------------------------------------------
ds up; up_times+=("$SECS")
check "up after down works (took ${SECS}s)" rc_is 0
check "boto3 PUT then GET on the new cluster" s3 put "second $body"
ds down
check "final down exits 0" rc_is 0

check "dev-stack.sh output was captured" [ -s "$ALL_OUTPUT" ]
check "the S3 secret never appears in dev-stack.sh output (but env)" bash -c "! grep -qF '$SECRET' '$ALL_OUTPUT'"
[[ -n ${DEVSTACK_TEST_KEEP_OUTPUT:-} ]] && cp "$ALL_OUTPUT" "$DEVSTACK_TEST_KEEP_OUTPUT"

echo "up times (s): ${up_times[*]}"
echo "$passed passed, $failed failed"
(( failed == 0 ))
