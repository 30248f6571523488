#!/usr/bin/env bash
# make demo: the welding use case end to end on the local dev stack.
#   1. dev stack up (mosquitto + a real single-node Ceph RGW), unless already up
#   2. mqtt2s3 run with examples/welding.yaml (one bucket per plant, 10,000 messages per object,
#      object names carrying the first/last message time, index key DEVICE/TYPE/VERSION/Timestamp)
#   3. 3 plants x 10 devices x 1,000 simulated seconds of weldspot messages published at QoS 1,
#      plus one message that cannot be routed (kept under the dead-letter prefix)
#   4. SIGTERM: the converter flushes its batches, uploads them, acks, disconnects
#   5. the objects listed, one inspected (HEAD + index), and one device's messages fetched
#      with ranged GETs, every request printed
# The stack stays up afterwards for exploring; stop it with `scripts/dev-stack.sh down`.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${MQTT2S3_BIN:-build/apps/mqtt2s3/mqtt2s3}
[ -x "$BIN" ] || { echo "demo: $BIN not built; run 'make build' (make demo does)" >&2; exit 1; }
COUNT=${DEMO_SECONDS:-1000}

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

say "dev stack"
scripts/dev-stack.sh up
set -a; . "${MQTT2S3_STACK_DIR:-.dev-stack}/stack.env"; set +a
CONFIG=$(mktemp /tmp/mqtt2s3-demo.XXXXXX.yaml)
# The example targets the default ports; follow the stack if it runs elsewhere.
sed -e "s#port: 1883#port: $MQTT_PORT#" -e "s#http://127.0.0.1:8000#$S3_ENDPOINT#" \
  examples/welding.yaml > "$CONFIG"

say "converter: $BIN run --config examples/welding.yaml"
LOG=$(mktemp /tmp/mqtt2s3-demo.XXXXXX.log)
"$BIN" run --config "$CONFIG" >"$LOG" 2>&1 &
CONV=$!
trap 'kill -TERM $CONV 2>/dev/null || true' EXIT
for _ in $(seq 1 50); do grep -q "subscribed" "$LOG" && break; sleep 0.1; done
grep -q "subscribed" "$LOG" || { echo "converter did not subscribe:"; cat "$LOG"; exit 1; }

say "publishing 3 plants x 10 devices x $COUNT simulated seconds (QoS 1, Paho) and one bad message"
/usr/bin/python3 scripts/demo/publish_welding.py --host "$MQTT_HOST" --port "$MQTT_PORT" \
  --plants 3 --devices 10 --count "$COUNT" --start "20181001 170000" --step 1 --timeout 120
mosquitto_pub -h "$MQTT_HOST" -p "$MQTT_PORT" -q 1 \
  -t 'COMPANY-X/JSON/0/1/WELDING-STATION-9/WELD/1' -m 'not json'
echo "published 1 non-JSON message (its index key needs a payload field: dead-letter)"

say "stopping the converter (SIGTERM: every batch flushed and uploaded, acks sent, DISCONNECT)"
sleep 1
kill -TERM $CONV; wait $CONV || true; trap - EXIT
sed 's/^/  /' "$LOG"

say "what is in S3 now"
export PYTHONPATH=$PWD/python
for plant in 1 2 3; do
  /usr/bin/python3 -m mqtt2s3.reader ls --endpoint "$S3_ENDPOINT" -b "company-x-plant-$plant" \
    --prefix 2018/
done
/usr/bin/python3 -m mqtt2s3.reader ls --endpoint "$S3_ENDPOINT" -b mqtt2s3-dead-letter

KEY=$(/usr/bin/python3 - <<'PY'
import os, boto3
s3 = boto3.client("s3", endpoint_url=os.environ["S3_ENDPOINT"],
                  aws_access_key_id=os.environ["S3_ACCESS_KEY"],
                  aws_secret_access_key=os.environ["S3_SECRET_KEY"], region_name="us-east-1")
print(s3.list_objects_v2(Bucket="company-x-plant-1", Prefix="2018/")["Contents"][0]["Key"])
PY
)
say "inspect s3://company-x-plant-1/$KEY (HEAD + index)"
/usr/bin/python3 -m mqtt2s3.reader inspect --endpoint "$S3_ENDPOINT" -b company-x-plant-1 -k "$KEY" | head -25

say "one device's messages from that object: HEAD, index, ranged GET (every request printed)"
/usr/bin/python3 -m mqtt2s3.reader get --endpoint "$S3_ENDPOINT" -b company-x-plant-1 -k "$KEY" \
  --device WELDING-STATION-7 --trace 2>&1 | { head -5; echo "  ..."; tail -4; }
echo
echo "Stack still running; stop it with: scripts/dev-stack.sh down"
