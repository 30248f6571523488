#!/usr/bin/env bash
# make demo: the welding use case end to end on the local dev stack.
#   1. dev stack up (mosquitto + a real single-node Ceph RGW), unless already up
#   2. mqtt2s3 run with examples/welding.yaml (one bucket per plant, 10,000 messages per object,
#      object names carrying the first/last message time, index key DEVICE/TYPE/VERSION/Timestamp,
#      acks after the write-ahead log)
#      and, beside it, mqtt2s3 run with examples/welding-parquet.yaml: the same stream as Parquet
#      objects (buckets company-x-plant-N-pq) with typed voltage/current columns
#   3. mqtt2s3 simulate: one simulated hour (2018-10-01 17:00-18:00) of weldspot messages from
#      3 plants x 10 devices at QoS 1, plus one message that cannot be routed (dead-letter)
#   4. SIGTERM: the converter flushes its batches, uploads them, disconnects
#   5. the objects listed and one device's messages fetched with ranged GETs (requests printed)
#   6. plot_voltage: plant 1's voltage per device for the hour -> out/demo/voltage.png
#   6b. Parquet: plant 1's objects queried with SQL straight from RGW (DuckDB + httpfs), the
#      per-minute statistics and as-of join recipes of docs/ANALYTICS.md
#   7. mqtt2s3 serve in the background: the Grafana JSON endpoint and the dashboard page
#   8. a summary: messages, objects, bytes, the PNG, the dashboard URL
# The stack and the dashboard stay up afterwards for exploring; stop them with
# `scripts/dev-stack.sh down` and `kill $(cat .dev-stack/serve.pid)`.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${MQTT2S3_BIN:-build/apps/mqtt2s3/mqtt2s3}
[ -x "$BIN" ] || { echo "demo: $BIN not built; run 'make build' (make demo does)" >&2; exit 1; }
COUNT=${DEMO_SECONDS:-1000}
PY=${MQTT2S3_PYTHON:-$PWD/.venv/bin/python}   # the project venv (scripts/python-env.sh)
[ -x "$PY" ] || { echo "demo: $PY missing; run scripts/install-deps.sh demo (make demo does)" >&2; exit 1; }
T_START=$(date +%s)

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

say "dev stack"
# The demo needs mosquitto and RGW; aedes (a second broker for interop tests) stays off.
MQTT2S3_AEDES=${MQTT2S3_AEDES:-0} scripts/dev-stack.sh up
set -a; . "${MQTT2S3_STACK_DIR:-.dev-stack}/stack.env"; set +a
CONFIG=$(mktemp /tmp/mqtt2s3-demo.XXXXXX.yaml)
# The example targets the default ports; follow the stack if it runs elsewhere.
sed -e "s#port: 1883#port: $MQTT_PORT#" -e "s#http://127.0.0.1:8000#$S3_ENDPOINT#" \
  examples/welding.yaml > "$CONFIG"

# The demo's write-ahead log lives with the stack, not in the working tree.
sed -i "s#dir: mqtt2s3-wal/welding-1#dir: ${MQTT2S3_STACK_DIR:-$PWD/.dev-stack}/wal-welding-1#" "$CONFIG"
# The same stream into Parquet objects, by a second converter with its own session and WAL.
CONFIG_PQ=$(mktemp /tmp/mqtt2s3-demo-pq.XXXXXX.yaml)
sed -e "s#port: 1883#port: $MQTT_PORT#" -e "s#http://127.0.0.1:8000#$S3_ENDPOINT#" \
  -e "s#dir: mqtt2s3-wal/welding-pq-1#dir: ${MQTT2S3_STACK_DIR:-$PWD/.dev-stack}/wal-welding-pq-1#" \
  examples/welding-parquet.yaml > "$CONFIG_PQ"
OUT=${DEMO_OUT:-$PWD/out/demo}
mkdir -p "$OUT"

say "converter: $BIN run --config examples/welding.yaml"
LOG=$OUT/converter.log
"$BIN" run --config "$CONFIG" >"$LOG" 2>&1 &
CONV=$!
LOG_PQ=$OUT/converter-parquet.log
say "converter: $BIN run --config examples/welding-parquet.yaml (the same stream as Parquet)"
"$BIN" run --config "$CONFIG_PQ" >"$LOG_PQ" 2>&1 &
CONV_PQ=$!
trap 'kill -TERM $CONV $CONV_PQ 2>/dev/null || true' EXIT
for log in "$LOG" "$LOG_PQ"; do
  for _ in $(seq 1 100); do grep -q "subscribed" "$log" && break; sleep 0.1; done
  grep -q "subscribed" "$log" || { echo "converter did not subscribe:"; cat "$log"; exit 1; }
done

DURATION=${DEMO_DURATION:-1h}
say "mqtt2s3 simulate: 3 plants x 10 devices x $DURATION simulated (QoS 1), then one bad message"
"$BIN" simulate --host "$MQTT_HOST" --port "$MQTT_PORT" --plants 3 --devices 10 \
  --duration "$DURATION" --step 1s --start "2018-10-01 17:00:00" --qos 1 \
  --client-id mqtt2s3-demo-sim | tee "$OUT/simulate.txt"
mosquitto_pub -h "$MQTT_HOST" -p "$MQTT_PORT" -q 1 \
  -t 'COMPANY-X/JSON/0/1/WELDING-STATION-9/WELD/1' -m 'not json'
echo "published 1 non-JSON message (its index key needs a payload field: dead-letter)"

say "stopping the converter (SIGTERM: every batch flushed and uploaded, DISCONNECT)"
sleep 1
kill -TERM $CONV $CONV_PQ; wait $CONV || true; wait $CONV_PQ || true; trap - EXIT
grep -E "WAL|connected|stopped|dead-letter|error" "$LOG" | sed 's/^/  /'
echo "  parquet converter:"
grep -E "stopped|error" "$LOG_PQ" | sed 's/^/  /'

say "what is in S3 now"
for plant in 1 2 3; do
  "$PY" -m mqtt2s3.reader ls --endpoint "$S3_ENDPOINT" -b "company-x-plant-$plant" \
    --prefix 2018/
done
"$PY" -m mqtt2s3.reader ls --endpoint "$S3_ENDPOINT" -b mqtt2s3-dead-letter

KEY=$("$PY" - <<'PY'
import os, boto3
s3 = boto3.client("s3", endpoint_url=os.environ["S3_ENDPOINT"],
                  aws_access_key_id=os.environ["S3_ACCESS_KEY"],
                  aws_secret_access_key=os.environ["S3_SECRET_KEY"], region_name="us-east-1")
print(s3.list_objects_v2(Bucket="company-x-plant-1", Prefix="2018/")["Contents"][0]["Key"])
PY
)
say "one device's messages from s3://company-x-plant-1/$KEY: HEAD, index, ranged GET"
"$PY" -m mqtt2s3.reader get --endpoint "$S3_ENDPOINT" -b company-x-plant-1 -k "$KEY" \
  --device WELDING-STATION-7 --trace 2>&1 | { head -5; echo "  ..."; tail -4; }

say "plot_voltage: plant 1, 2018-10-01 17:00-18:00, one line per device"
"$PY" -m mqtt2s3.plot_voltage --plant 1 --from "2018-10-01 17:00" \
  --to "2018-10-01 18:00" --config "$CONFIG" --endpoint "$S3_ENDPOINT" --no-show \
  --out "$OUT/voltage.png" | tee "$OUT/plot.txt"

say "Parquet: plant 1's objects queried with SQL straight from RGW (DuckDB + httpfs)"
"$PY" -m mqtt2s3.analytics --endpoint "$S3_ENDPOINT" "
  SELECT split_part(index_key, '/', 1) AS device, count(*) AS welds,
         round(avg(voltage), 2) AS avg_v, round(max(current), 1) AS max_a,
         min(event_time) AS first, max(event_time) AS last
  FROM read_parquet('s3://company-x-plant-1-pq/2018/**/*.parquet')
  GROUP BY ALL ORDER BY welds DESC, device LIMIT 5" | tee "$OUT/sql.txt"
"$PY" - "$S3_ENDPOINT" <<'PY' | tee -a "$OUT/sql.txt"
import os, sys
from mqtt2s3 import analytics
con = analytics.connect(sys.argv[1], os.environ["S3_ACCESS_KEY"], os.environ["S3_SECRET_KEY"])
per_min = analytics.per_minute_voltage(con, "company-x-plant-1-pq", "2018/")
rows, secs = analytics.asof_join(con, "company-x-plant-1-pq", "WELDING-STATION-1",
                                 "WELDING-STATION-2", "2018/")
print(f"per device and minute: {len(per_min)} rows; as-of join of device 1's voltage with "
      f"device 2's current: {len(rows)} rows in {secs:.2f} s ({len(rows) / secs:,.0f} rows/s)")
PY

say "dashboard: mqtt2s3 serve (Grafana JSON data source + page)"
PIDFILE=${MQTT2S3_STACK_DIR:-.dev-stack}/serve.pid
if [ -f "$PIDFILE" ]; then kill "$(cat "$PIDFILE")" 2>/dev/null || true; sleep 0.5; fi
SERVE_LISTEN=${DEMO_SERVE_LISTEN:-127.0.0.1:8089}
nohup "$BIN" serve --config "$CONFIG" --listen "$SERVE_LISTEN" >"$OUT/serve.log" 2>&1 &
echo $! > "$PIDFILE"
for _ in $(seq 1 50); do curl -sf "http://$SERVE_LISTEN/" >/dev/null && break; sleep 0.1; done
curl -sf "http://$SERVE_LISTEN/" >/dev/null || { echo "serve did not start:"; cat "$OUT/serve.log"; exit 1; }

say "summary"
"$PY" - "$OUT" "$SERVE_LISTEN" <<'PY'
import os, re, sys, boto3
out, listen = sys.argv[1], sys.argv[2]
s3 = boto3.client("s3", endpoint_url=os.environ["S3_ENDPOINT"],
                  aws_access_key_id=os.environ["S3_ACCESS_KEY"],
                  aws_secret_access_key=os.environ["S3_SECRET_KEY"], region_name="us-east-1")
def listing(suffix):
    objects = size = 0
    for plant in (1, 2, 3):
        for page in s3.get_paginator("list_objects_v2").paginate(
                Bucket=f"company-x-plant-{plant}{suffix}", Prefix="2018/"):
            for o in page.get("Contents", []):
                objects += 1
                size += o["Size"]
    return objects, size
objects, size = listing("")
pq_objects, pq_size = listing("-pq")
log = open(os.path.join(out, "converter.log")).read()
stopped = re.findall(r"stopped: .*", log)
sim = open(os.path.join(out, "simulate.txt")).read().strip().splitlines()
print(f"  published   {sim[-1].strip() if sim else '?'}")
print(f"  converter   {stopped[-1] if stopped else '?'}")
print(f"  in S3       {objects} objects in company-x-plant-1..3, {size:,} bytes of bodies")
print(f"  Parquet     {pq_objects} objects in company-x-plant-1..3-pq, {pq_size:,} bytes "
      f"({pq_size / max(size, 1):.2f} x JSON Lines); SQL: {os.path.join(out, 'sql.txt')}")
print(f"  plot        {os.path.join(out, 'voltage.png')}  (one voltage curve per device, plant 1)")
print(f"  dashboard   http://{listen}/ui/   (Grafana JSON data source: http://{listen}/)")
PY
echo "  demo script  $(( $(date +%s) - T_START )) s"
echo
echo "Stack and dashboard still running; stop them with: scripts/dev-stack.sh down; kill \$(cat $PIDFILE)"
