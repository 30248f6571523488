#!/usr/bin/python3
"""Publish sample welding messages (the use case's topics and weldspot payloads) with Paho.

    publish_welding.py --host 127.0.0.1 --port 1883 --plants 1 --devices 3 --count 5 --qos 1

Topics: COMPANY-X/JSON/0/<plant>/WELDING-STATION-<n>/WELD/1. The payload is single-line JSON:
{"weldspot": {"Timestamp": "20181001 171035", "Current": "...", "Voltage": "...",
"MainPowerSwitch": "1", "MainPowerSwitch_str": "ON"}, "seq": N}. Waits until the broker has
acknowledged every QoS 1/2 message, then prints what it published. Bounded: at most --count
messages per device and --timeout seconds.
"""
import argparse
import collections
import datetime
import json
import random
import sys
import time

import paho.mqtt.client as mqtt
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=1883)
    ap.add_argument("--plants", type=int, default=1)
    ap.add_argument("--devices", type=int, default=3)
    ap.add_argument("--count", type=int, default=5, help="messages per device")
    ap.add_argument("--qos", type=int, default=1, choices=(0, 1, 2))
    ap.add_argument("--start", default="20181001 170000", help="simulated start time")
    ap.add_argument("--step", type=float, default=1.0, help="simulated seconds between messages")
    ap.add_argument("--timeout", type=float, default=60.0)
    ap.add_argument("--root", default="COMPANY-X", help="first topic level")
    ap.add_argument("--protocol", default="3.1.1", choices=("3.1.1", "5"))
    ap.add_argument("--flush-last", metavar="PROPERTY", default="",
                    help="MQTT 5: put this user property on the last message of each device")
    args = ap.parse_args()

    v5 = args.protocol == "5"
    client = mqtt.Client(client_id=f"demo-publisher-{random.randint(0, 1 << 30)}",
                         protocol=mqtt.MQTTv5 if v5 else mqtt.MQTTv311)
    # A large window: the default of 20 in-flight messages would make this the bottleneck.
    client.max_inflight_messages_set(1000)
    client.max_queued_messages_set(0)
    client.connect(args.host, args.port, keepalive=30)
    client.loop_start()
    start = datetime.datetime.strptime(args.start, "%Y%m%d %H%M%S")
    rng = random.Random(42)
    infos, seq = [], 0
    window = collections.deque()  # Paho allows at most 65535 unacknowledged messages
    deadline = time.time() + args.timeout
    for i in range(args.count):
        ts = (start + datetime.timedelta(seconds=i * args.step)).strftime("%Y%m%d %H%M%S")
        for plant in range(1, args.plants + 1):
            for dev in range(1, args.devices + 1):
                on = rng.random() > 0.1
                payload = {"weldspot": {
                    "Timestamp": ts,
                    "Current": str(round(rng.uniform(95, 125), 1)) if on else "0",
                    "Voltage": str(round(rng.uniform(220, 240), 1)) if on else "0",
                    "MainPowerSwitch": "1" if on else "0",
                    "MainPowerSwitch_str": "ON" if on else "OFF"}, "seq": seq}
                topic = f"{args.root}/JSON/0/{plant}/WELDING-STATION-{dev}/WELD/1"
                props = None
                if args.flush_last and i == args.count - 1:
                    props = Properties(PacketTypes.PUBLISH)
                    props.UserProperty = (args.flush_last, "1")
                info = client.publish(topic, json.dumps(payload, separators=(",", ":")),
                                      qos=args.qos, properties=props)
                infos.append(info)
                window.append(info)
                while len(window) > 10000 and time.time() < deadline:
                    window[0].wait_for_publish(1)
                    while window and window[0].is_published():
                        window.popleft()
                seq += 1
    for info in infos:
        while not info.is_published() and time.time() < deadline:
            time.sleep(0.01)
    pending = sum(1 for i in infos if not i.is_published())
    client.loop_stop()
    client.disconnect()
    print(f"published {len(infos) - pending} of {len(infos)} messages "
          f"({args.plants} plant(s) x {args.devices} device(s) x {args.count}) at QoS {args.qos}")
    return 1 if pending else 0


if __name__ == "__main__":
    sys.exit(main())
