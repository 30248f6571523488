#!/usr/bin/python3
"""Publishes N sequence-numbered messages with Paho and waits until every one is acknowledged.

Used by the session interop tests as an independent publisher (python3-paho-mqtt 1.6):

  /usr/bin/python3 tests/mqtt/publish_seq.py --port 1883 --topic t/a,t/b --count 100 --qos 1

Payload of message i (0-based) is "seq=<i>" followed by '.' padding up to --size bytes; topics
are used round robin. Exit status 0 only when all messages were acknowledged (QoS 1/2) or
written (QoS 0) within --timeout seconds; otherwise 1 with the reason on stderr.
"""
import argparse
import sys
import time

import paho.mqtt.client as mqtt


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--topic", required=True, help="comma-separated topics, used round robin")
    ap.add_argument("--count", type=int, default=10)
    ap.add_argument("--start", type=int, default=0, help="first sequence number")
    ap.add_argument("--qos", type=int, default=1, choices=(0, 1, 2))
    ap.add_argument("--size", type=int, default=0, help="pad payload to this many bytes")
    ap.add_argument("--protocol", default="5", choices=("311", "5"))
    ap.add_argument("--client-id", default="")
    ap.add_argument("--timeout", type=float, default=60.0)
    ap.add_argument("--persistent", action="store_true",
                    help="connect without clean start (MQTT 5: session expiry 3600 s); with "
                         "--count 0 and a subscriber's --client-id this takes its session over")
    args = ap.parse_args()

    topics = args.topic.split(",")
    proto = mqtt.MQTTv5 if args.protocol == "5" else mqtt.MQTTv311
    client_id = args.client_id or "pub-seq-%d-%d" % (int(time.time() * 1000) % 100000000, id(args))
    connect_kwargs = {}
    if proto == mqtt.MQTTv5:
        client = mqtt.Client(client_id=client_id, protocol=proto)
        if args.persistent:
            from paho.mqtt.properties import Properties
            from paho.mqtt.packettypes import PacketTypes
            props = Properties(PacketTypes.CONNECT)
            props.SessionExpiryInterval = 3600
            connect_kwargs = {"clean_start": False, "properties": props}
    else:
        client = mqtt.Client(client_id=client_id, protocol=proto,
                             clean_session=not args.persistent)
    client.max_inflight_messages_set(1000)
    client.max_queued_messages_set(0)
    connected = []
    client.on_connect = lambda c, u, f, rc, props=None: connected.append(rc)
    client.connect(args.host, args.port, keepalive=30, **connect_kwargs)
    client.loop_start()
    deadline = time.time() + args.timeout
    while not connected and time.time() < deadline:
        time.sleep(0.01)
    if not connected or connected[0] != 0:
        print("publish_seq: connect failed: %r" % (connected,), file=sys.stderr)
        client.loop_stop()
        return 1

    infos = []
    for i in range(args.start, args.start + args.count):
        payload = ("seq=%d" % i).encode()
        if len(payload) < args.size:
            payload += b"." * (args.size - len(payload))
        info = client.publish(topics[i % len(topics)], payload, qos=args.qos)
        if info.rc != mqtt.MQTT_ERR_SUCCESS:
            print("publish_seq: publish %d failed rc=%d" % (i, info.rc), file=sys.stderr)
            client.loop_stop()
            return 1
        infos.append(info)

    for info in infos:
        left = deadline - time.time()
        if left <= 0:
            break
        info.wait_for_publish(timeout=left)
    unacked = sum(1 for info in infos if not info.is_published())
    client.disconnect()
    client.loop_stop()
    if unacked:
        print("publish_seq: %d of %d not acknowledged in %.0fs" % (unacked, args.count, args.timeout),
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
