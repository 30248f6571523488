"""A numbered welding stream at QoS 1 or 2, MQTT 3.1.1 or 5, as fast as the broker takes it.

`mqtt2s3 simulate` publishes QoS 0 and 1 only; the QoS 2 fault tests (fault_test.py) need a
publisher whose every message the broker holds exactly once, so this one uses paho-mqtt
(.venv). Payloads carry "seq" (0..count-1, the routes' dedupe id) and a weldspot Timestamp;
topics are ROOT/JSON/0/1/WELDING-STATION-<d>/WELD/1, seq spread over the devices round-robin.

    python publisher.py --port 1883 --root R --count 20000 --devices 10 --qos 2 \
        --protocol 5 --client-id R-pub --timeout 300

Persistent session (clean session off): after a broker restart the unconfirmed messages are
sent again with DUP, which the broker's QoS 2 state turns into one delivery. Prints
"published N in S s"; exit 1 unless every message was confirmed within --timeout.
"""
import argparse
import json
import sys
import threading
import time

import paho.mqtt.client as mqtt


def payload(seq, devices):
    t = 1538413200 + seq // devices  # 2018-10-01 17:00:00 UTC, one second per round
    stamp = time.strftime("%Y%m%d %H%M%S", time.gmtime(t))
    return json.dumps({"weldspot": {"Timestamp": stamp, "Current": 100 + seq % 37,
                                    "Voltage": 20 + seq % 11, "Program": seq % 5},
                       "seq": seq}, separators=(",", ":"))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--root", required=True)
    p.add_argument("--count", type=int, required=True)
    p.add_argument("--devices", type=int, default=10)
    p.add_argument("--qos", type=int, choices=(1, 2), default=2)
    p.add_argument("--protocol", choices=("3.1.1", "5"), default="5")
    p.add_argument("--client-id", required=True)
    p.add_argument("--window", type=int, default=1000, help="most messages in flight")
    p.add_argument("--timeout", type=float, default=300)
    a = p.parse_args()

    v5 = a.protocol == "5"
    c = mqtt.Client(client_id=a.client_id, protocol=mqtt.MQTTv5 if v5 else mqtt.MQTTv311,
                    **({} if v5 else {"clean_session": False}))
    c.max_inflight_messages_set(a.window)
    c.max_queued_messages_set(0)
    c.reconnect_delay_set(0.1, 1)
    connected = threading.Event()
    c.on_connect = lambda *args: connected.set()
    if v5:
        from paho.mqtt.properties import Properties
        from paho.mqtt.packettypes import PacketTypes
        props = Properties(PacketTypes.CONNECT)
        props.SessionExpiryInterval = 3600
        c.connect(a.host, a.port, keepalive=30, clean_start=False, properties=props)
    else:
        c.connect(a.host, a.port, keepalive=30)
    c.loop_start()
    deadline = time.monotonic() + a.timeout
    if not connected.wait(max(0.0, deadline - time.monotonic())):
        print("not connected", flush=True)
        return 1
    t0 = time.monotonic()
    infos = []
    for seq in range(a.count):
        topic = f"{a.root}/JSON/0/1/WELDING-STATION-{seq % a.devices + 1}/WELD/1"
        infos.append(c.publish(topic, payload(seq, a.devices), qos=a.qos))
    # Confirmed in order, near enough: poll each until the deadline. A message published while
    # the broker restarts is queued with rc "not connected" (is_published() raises then) and
    # sent after the reconnect, so read the flag itself.
    def confirmed(info):
        with info._condition:
            return info._published

    for info in infos:
        while not confirmed(info) and time.monotonic() < deadline:
            time.sleep(0.005)
    done = sum(1 for i in infos if confirmed(i))
    elapsed = time.monotonic() - t0
    c.disconnect()
    c.loop_stop()
    print(f"published {done} of {a.count} in {elapsed:.1f} s ({done / max(elapsed, 1e-9):.0f} msg/s)",
          flush=True)
    return 0 if done == a.count else 1


if __name__ == "__main__":
    sys.exit(main())
