#!/usr/bin/env bash
# profile_converter.sh: perf profile of `mqtt2s3 run` (on-wal, QoS 1) while `mqtt2s3 simulate`
# publishes N welding messages; prints the top symbols (docs/BENCHMARKS.md, "Profile").
#
#   MQTT2S3_STACK_ENV=/path/stack.env bench/profile_converter.sh [N] [mqtt2s3 binary]
#
# Needs a running dev stack (scripts/dev-stack.sh up) and `perf` (linux-perf); uses the
# cpu-clock software event, so it also works in VMs without hardware counters. Bounded: the
# publisher by 5 min, the wait for S3 by 2 min.
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
N=${1:-100000}
BIN=$(realpath "${2:-$REPO/build/apps/mqtt2s3/mqtt2s3}")
[[ -r ${MQTT2S3_STACK_ENV:-} ]] || { echo "profile_converter.sh: set MQTT2S3_STACK_ENV" >&2; exit 1; }
set -a
# shellcheck disable=SC1090
. "$MQTT2S3_STACK_ENV"
set +a
WORK=$(mktemp -d "${TMPDIR:-/tmp}/m2s-prof-XXXXXX")
PERF_PID=
cleanup() { [[ -n $PERF_PID ]] && kill "$PERF_PID" 2>/dev/null; rm -rf "$WORK/wal"; }
trap cleanup EXIT
ROOT=P$(date +%H%M%S)
"${MQTT2S3_PYTHON:-$REPO/.venv/bin/python}" - "$WORK" "$ROOT" "$REPO" <<'PY'
import os, sys, yaml
work, root, repo = sys.argv[1], sys.argv[2], sys.argv[3]
with open(os.path.join(repo, "examples", "welding.yaml")) as f:
    c = yaml.safe_load(f)
c["broker"].update({"port": int(os.environ["MQTT_PORT"]), "client_id": "prof-" + root.lower()})
c["subscriptions"] = [{"filter": root + "/#", "qos": 1}]
c["s3"]["endpoint"] = os.environ["S3_ENDPOINT"]
c["routes"][0]["filter"] = root + "/+/+/+/+/+/+"
c["flush"] = {"control_topic": root + "/flush"}
c["delivery"] = {"ack_mode": "on-wal"}
c["wal"] = {"dir": os.path.join(work, "wal")}
with open(os.path.join(work, "config.yaml"), "w") as f:
    yaml.safe_dump(c, f, sort_keys=False)
PY
cd "$WORK"
perf record -e cpu-clock -F 1999 -g -o perf.data -- "$BIN" run -c config.yaml >run.log 2>&1 &
PERF_PID=$!
for _ in $(seq 100); do grep -q subscribed run.log 2>/dev/null && break; sleep 0.1; done
timeout 300 "$BIN" simulate --port "$MQTT_PORT" --root "$ROOT" --plants 3 --devices 10 \
  --count $((N / 30)) --qos 1 --flush-topic "$ROOT/flush" | tail -3
for _ in $(seq 1200); do grep -q "flush command" run.log && break; sleep 0.1; done
sleep 2  # the flushed batches upload
kill -TERM "$(pgrep -P "$PERF_PID" -x mqtt2s3)"
wait "$PERF_PID" || true
PERF_PID=
tail -1 run.log
perf report -i perf.data --no-children --sort symbol --stdio 2>/dev/null | grep -v '^#' | grep '%' | head -40
echo "perf data: $WORK/perf.data"
