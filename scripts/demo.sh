#!/usr/bin/env bash
# make demo: the main job end to end on the local dev stack.
#   1. dev stack up (mosquitto + Ceph RGW), unless already up
#   2. mqtt2s3 run with examples/converter.yaml
#   3. sample welding messages published (Paho, QoS 1), plus one that cannot be routed
#   4. SIGTERM: the converter finishes its uploads and disconnects
#   5. the objects listed with their metadata, one fetched and printed
# The stack stays up afterwards for exploring; stop it with `scripts/dev-stack.sh down`.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${MQTT2S3_BIN:-build/apps/mqtt2s3/mqtt2s3}
[ -x "$BIN" ] || { echo "demo: $BIN not built; run 'make build' (make demo does)" >&2; exit 1; }

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

say "dev stack"
scripts/dev-stack.sh up
set -a; . "${MQTT2S3_STACK_DIR:-.dev-stack}/stack.env"; set +a

say "converter: $BIN run --config examples/converter.yaml"
LOG=$(mktemp /tmp/mqtt2s3-demo.XXXXXX.log)
"$BIN" run --config examples/converter.yaml >"$LOG" 2>&1 &
CONV=$!
trap 'kill -TERM $CONV 2>/dev/null || true' EXIT
for _ in $(seq 1 50); do grep -q "subscribed" "$LOG" && break; sleep 0.1; done
grep -q "subscribed" "$LOG" || { echo "converter did not subscribe:"; cat "$LOG"; exit 1; }

say "publishing sample welding messages (2 plants x 3 devices x 4, QoS 1) and one bad message"
scripts/demo/publish_welding.py --host "$MQTT_HOST" --port "$MQTT_PORT" --plants 2 --devices 3 --count 4
mosquitto_pub -h "$MQTT_HOST" -p "$MQTT_PORT" -q 1 -t 'COMPANY-X/JSON/0/1/WELDING-STATION-9/WELD/1' -m 'not json'
echo "published 1 non-JSON message (its key template needs a payload field: dead-letter)"

say "stopping the converter (SIGTERM: uploads finish, acks go out, then DISCONNECT)"
for _ in $(seq 1 100); do
  n=$(grep -c "" "$LOG" || true)
  sleep 0.2
  [ "$n" = "$(grep -c "" "$LOG" || true)" ] && break
done
kill -TERM $CONV; wait $CONV || true; trap - EXIT
grep -v DEBUG "$LOG" | sed 's/^/  /'

say "what is in S3 now"
/usr/bin/python3 scripts/demo/show_objects.py
echo
echo "Stack still running; stop it with: scripts/dev-stack.sh down"
