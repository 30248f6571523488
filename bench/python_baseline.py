#!/usr/bin/python3
"""The converter a user would otherwise write: paho-mqtt + boto3, the baseline of bench/e2e.sh.

Subscribes to a topic filter, keeps one batch per bucket ("<root>-plant-<plant>" from topics
ROOT/FORMAT/COMPRESSED/PLANT/DEVICE/TYPE/VERSION, like examples/welding.yaml), and when a
batch holds --batch messages PUTs it as one JSON Lines object (payloads, one per line) from
the message callback. A message on --flush-topic uploads every open batch. Acks are whatever
paho does (it sends PUBACK when on_message returns): messages in an open batch are lost if
the process dies, which is the usual shortcut.

Prints "subscribed" once the broker granted the subscription, one line per uploaded object,
and stops on SIGTERM/SIGINT (open batches are dropped). Credentials come from the dev stack's
env (S3_ENDPOINT, S3_ACCESS_KEY, S3_SECRET_KEY, S3_REGION); they are never printed.
"""
import argparse
import os
import signal
import sys
import time

import boto3
import botocore.config
import paho.mqtt.client as mqtt


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=1883)
    ap.add_argument("--filter", required=True, help="topic filter, e.g. ROOT/#")
    ap.add_argument("--qos", type=int, default=1)
    ap.add_argument("--batch", type=int, default=10000, help="messages per object")
    ap.add_argument("--flush-topic", default="", help="a message here uploads all batches")
    ap.add_argument("--client-id", default="bench-python-baseline")
    args = ap.parse_args()

    s3 = boto3.client(
        "s3", endpoint_url=os.environ["S3_ENDPOINT"],
        aws_access_key_id=os.environ["S3_ACCESS_KEY"],
        aws_secret_access_key=os.environ["S3_SECRET_KEY"],
        region_name=os.environ.get("S3_REGION", "us-east-1"),
        config=botocore.config.Config(s3={"addressing_style": "path"}))
    batches = {}   # bucket -> list of payload bytes
    counters = {}  # bucket -> objects written
    buckets = set()

    def upload(bucket):
        lines = batches.pop(bucket, None)
        if not lines:
            return
        if bucket not in buckets:
            try:
                s3.create_bucket(Bucket=bucket)
            except s3.exceptions.BucketAlreadyOwnedByYou:
                pass
            buckets.add(bucket)
        n = counters.get(bucket, 0)
        counters[bucket] = n + 1
        key = "batches/%010d.jsonl" % n
        s3.put_object(Bucket=bucket, Key=key, Body=b"\n".join(lines) + b"\n",
                      Metadata={"count": str(len(lines))})
        print("uploaded %s/%s %d" % (bucket, key, len(lines)), flush=True)

    def on_connect(client, userdata, flags, rc):
        client.subscribe([(args.filter, args.qos)] +
                         ([(args.flush_topic, 1)] if args.flush_topic else []))

    def on_subscribe(client, userdata, mid, granted_qos):
        print("subscribed", flush=True)

    def on_message(client, userdata, msg):
        if msg.topic == args.flush_topic:
            for b in list(batches):
                upload(b)
            return
        levels = msg.topic.split("/")
        bucket = "%s-plant-%s" % (levels[0].lower(), levels[3] if len(levels) > 3 else "x")
        batch = batches.setdefault(bucket, [])
        batch.append(msg.payload)
        if len(batch) >= args.batch:
            upload(bucket)

    client = mqtt.Client(client_id=args.client_id, clean_session=True)
    client.max_inflight_messages_set(1000)
    client.on_connect = on_connect
    client.on_subscribe = on_subscribe
    client.on_message = on_message
    signal.signal(signal.SIGTERM, lambda *_: client.disconnect())
    signal.signal(signal.SIGINT, lambda *_: client.disconnect())
    client.connect(args.host, args.port, keepalive=30)
    started = time.monotonic()
    client.loop_forever()
    print("stopped after %.1f s" % (time.monotonic() - started), file=sys.stderr)


if __name__ == "__main__":
    main()
