#!/usr/bin/env bash
# e2e.sh: the end-to-end benchmark (docs/BENCHMARKS.md). In one run, against one broker, one
# Ceph RGW and the same simulated welding stream, it measures the limit (mosquitto_sub), mqtt2s3
# in each ack mode and a Python paho+boto3 converter, prints the table and writes it with a
# plot into docs/BENCHMARKS.md and docs/benchmarks.png.
#
#   make build && bench/e2e.sh                    # N=300,000, QoS 1 then QoS 0
#   bench/e2e.sh -n 30000 --qos 1 --no-docs       # quick look, docs untouched
#   bench/e2e.sh --repeat 3                       # 3 rounds per QoS; the table shows medians
#   bench/e2e.sh --sweep -n 30000                 # scaling sweep (size, partitions, batch)
#   bench/e2e.sh --sweep --points 7 --no-docs     # one sweep point (7: 30 full batches, RSS)
#   bench/e2e.sh --latency [--rate 5000 --seconds 30]   # on-wal latency with max_age 1s
#
# Stack: the running one named by $MQTT2S3_STACK_ENV, else a fresh one started here with
# scripts/dev-stack.sh (MQTT2S3_STACK_DIR default $TMPDIR/mqtt2s3-bench-stack, ports from MQTT_PORT,
# RGW_PORT, MON_PORT, OSD_PORT_MIN, memstore MEMSTORE_BYTES default 3 GiB) and stopped at the
# end. Each subject's buckets are deleted once verified. Binds 127.0.0.1 only. Every step is
# bounded: each subject by --timeout seconds (default 600), the whole run by 4 h.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
N=300000
QOS=1,0
SUBJECTS=limit,on-receive,on-wal,on-upload,python
TIMEOUT=600
REPEAT=1
DOCS=1
SWEEP=0
POINTS=
LATENCY=0
RATE=5000
SECONDS_RUN=30
BIN=${MQTT2S3_BIN:-$REPO/build/apps/mqtt2s3/mqtt2s3}
PY=${MQTT2S3_PYTHON:-$REPO/.venv/bin/python}   # the project venv (scripts/python-env.sh)

usage() { sed -n '2,18p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit "${1:-2}"; }
while (($#)); do
  case $1 in
    -n) N=$2; shift ;;
    --qos) QOS=$2; shift ;;
    --subjects) SUBJECTS=$2; shift ;;
    --timeout) TIMEOUT=$2; shift ;;
    --repeat) REPEAT=$2; shift ;;
    --bin) BIN=$2; shift ;;
    --no-docs) DOCS=0 ;;
    --sweep) SWEEP=1 ;;
    --points) POINTS=$2; shift ;;
    --latency) LATENCY=1 ;;
    --rate) RATE=$2; shift ;;
    --seconds) SECONDS_RUN=$2; shift ;;
    -h|--help) usage 0 ;;
    *) echo "e2e.sh: unknown argument '$1'" >&2; usage ;;
  esac
  shift
done
[[ -x $BIN ]] || { echo "e2e.sh: no mqtt2s3 binary at $BIN (run 'make build' or pass --bin)" >&2; exit 1; }
command -v mosquitto_sub >/dev/null || { echo "e2e.sh: mosquitto_sub missing (make deps)" >&2; exit 1; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/m2s-e2e-XXXXXX")
STARTED_STACK=0
cleanup() {
  if ((STARTED_STACK)); then "$REPO/scripts/dev-stack.sh" down >/dev/null 2>&1 || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

if [[ -n ${MQTT2S3_STACK_ENV:-} && -r $MQTT2S3_STACK_ENV ]]; then
  echo "e2e.sh: using the running stack of $MQTT2S3_STACK_ENV"
else
  export MQTT2S3_STACK_DIR=${MQTT2S3_STACK_DIR:-${TMPDIR:-/tmp}/mqtt2s3-bench-stack}
  export MQTT2S3_AEDES=0
  # The OSD keeps objects in RAM (memstore); the default 1 GiB fills up over a full run.
  export MEMSTORE_BYTES=${MEMSTORE_BYTES:-3221225472}
  "$REPO/scripts/dev-stack.sh" up
  STARTED_STACK=1
  MQTT2S3_STACK_ENV=$MQTT2S3_STACK_DIR/stack.env
fi
set -a
# shellcheck disable=SC1090
. "$MQTT2S3_STACK_ENV"
set +a

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
echo "e2e.sh: N=$N QoS=$QOS nproc=$(nproc) load $LOAD_BEFORE work dir $WORK"
OUT=$WORK/results.json
DOCS_DIR=
((DOCS)) && DOCS_DIR=$REPO/docs
if ((SWEEP)); then
  timeout 4h "$PY" "$REPO/bench/e2e_sweep.py" --n "$N" --mqtt2s3 "$BIN" --work "$WORK" \
    --timeout "$TIMEOUT" --out "$OUT" --docs "$DOCS_DIR" --points "$POINTS"
  exit 0
fi
if ((LATENCY)); then
  timeout 30m "$PY" "$REPO/bench/e2e_latency.py" --rate "$RATE" --seconds "$SECONDS_RUN" \
    --mqtt2s3 "$BIN" --work "$WORK" --out "$OUT" --docs "$DOCS_DIR"
  exit 0
fi
timeout 4h "$PY" "$REPO/bench/e2e.py" --n "$N" --qos "$QOS" --subjects "$SUBJECTS" \
  --mqtt2s3 "$BIN" --work "$WORK" --timeout "$TIMEOUT" --repeat "$REPEAT" --out "$OUT"
cp "$OUT" "${TMPDIR:-/tmp}/m2s-e2e-last.json"
ARGS=("$OUT" --load-before "$LOAD_BEFORE")
((DOCS)) && ARGS+=(--docs "$REPO/docs")
"$PY" "$REPO/bench/e2e_report.py" "${ARGS[@]}"
