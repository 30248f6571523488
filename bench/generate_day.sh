#!/usr/bin/env bash
# Writes the day of data the retrieval benchmarks read (issue 16, docs/BENCHMARKS.md): one
# `mqtt2s3 simulate` stream of PLANTS x DEVICES welding stations, one message per second each
# for DURATION from DAY 00:00:00, converted at once by two converters on the dev stack's broker:
# examples/welding.yaml (JSON Lines, bucket company-x-plant-N) and examples/welding-parquet.yaml
# (Parquet, company-x-plant-N-pq). Both are stopped with SIGTERM, so every batch is uploaded
# before this returns.
#
#   eval "$(scripts/dev-stack.sh env)"     # or: set -a; . .dev-stack/stack.env; set +a
#   bench/generate_day.sh BIN               # BIN: the mqtt2s3 binary
# Knobs: PLANTS (1), DEVICES (10), DURATION (24h), DAY (2018-10-01), WORK (a temp directory).
set -euo pipefail
bin=$(realpath "$1")
cd "$(dirname "$0")/.."
: "${S3_ENDPOINT:?run with the dev stack env (scripts/dev-stack.sh env)}" "${MQTT_PORT:?}"
plants=${PLANTS:-1} devices=${DEVICES:-10} duration=${DURATION:-24h} day=${DAY:-2018-10-01}
work=${WORK:-$(mktemp -d /tmp/mqtt2s3-day.XXXXXX)}
mkdir -p "$work"
pids=()
trap 'kill -TERM "${pids[@]}" 2>/dev/null || true' EXIT
for name in welding welding-parquet; do
  # The examples target the default ports and a WAL in the working directory.
  sed -e "s#port: 1883#port: $MQTT_PORT#" -e "s#http://127.0.0.1:8000#$S3_ENDPOINT#" \
    -e "s#dir: mqtt2s3-wal/#dir: $work/wal-#" "examples/$name.yaml" > "$work/$name.yaml"
  "$bin" run --config "$work/$name.yaml" > "$work/$name.log" 2>&1 &
  pids+=($!)
done
for name in welding welding-parquet; do
  for _ in $(seq 1 100); do grep -q subscribed "$work/$name.log" && break; sleep 0.1; done
  grep -q subscribed "$work/$name.log" || { echo "converter $name did not subscribe:" >&2
    cat "$work/$name.log" >&2; exit 1; }
done
t0=$(date +%s)
"$bin" simulate --host 127.0.0.1 --port "$MQTT_PORT" --plants "$plants" --devices "$devices" \
  --duration "$duration" --step 1s --start "$day 00:00:00" --qos 1 \
  --client-id mqtt2s3-bench-day --flush-topic mqtt2s3/flush
sleep 1
kill -TERM "${pids[@]}"
for p in "${pids[@]}"; do wait "$p" || { echo "a converter failed; logs in $work" >&2; exit 1; }; done
trap - EXIT
echo "generated in $(( $(date +%s) - t0 )) s; converter logs and configs in $work"
grep -h "stopped" "$work"/welding*.log
