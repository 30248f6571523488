#!/usr/bin/python3
"""mqtt_probe.py HOST PORT [TIMEOUT_S]: exit 0 if an MQTT 3.1.1 broker delivers a QoS 1 message.

Used by `scripts/dev-stack.sh status`. One clean-session client subscribes to a topic unique to
this run, publishes to it once SUBACK arrived (so there is no subscribe/publish race), and
waits for its own message. Nothing retained, nothing left behind on the broker.
Exit 0: round trip done; 1: no round trip within TIMEOUT_S (default 3); 2: usage.
"""
import os
import sys
import threading
import time

import paho.mqtt.client as mqtt


def main() -> int:
    if len(sys.argv) not in (3, 4):
        print(__doc__, file=sys.stderr)
        return 2
    host, port = sys.argv[1], int(sys.argv[2])
    timeout_s = float(sys.argv[3]) if len(sys.argv) == 4 else 3.0
    topic = f"mqtt2s3/devstack-probe/{os.getpid()}-{time.monotonic_ns()}"
    payload = b"probe"
    done = threading.Event()

    client = mqtt.Client(client_id=f"devstack-probe-{os.getpid()}", clean_session=True,
                         protocol=mqtt.MQTTv311)

    def on_connect(c, _userdata, _flags, rc):
        if rc == 0:
            c.subscribe(topic, qos=1)

    def on_subscribe(c, _userdata, _mid, _granted):
        c.publish(topic, payload, qos=1)

    def on_message(_c, _userdata, msg):
        if msg.topic == topic and msg.payload == payload:
            done.set()

    client.on_connect = on_connect
    client.on_subscribe = on_subscribe
    client.on_message = on_message
    try:
        client.connect(host, port, keepalive=10)
    except OSError as e:
        print(f"connect {host}:{port}: {e}", file=sys.stderr)
        return 1
    client.loop_start()
    ok = done.wait(timeout_s)
    client.disconnect()
    client.loop_stop()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
