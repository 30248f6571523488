"""One device of an object with many devices (issue 16), on the real converter and RGW.

300 devices in one 9,900-message object: the group directory does not fit the metadata
(FORMAT.md 3.3), so the converter writes it into buckets of the companion index (3.4). Then
`mqtt2s3 get --payload-only --device D` and the Python API (mqtt2s3.parallel, which
mqtt2s3.dataset reads through) each cost HEAD + one ranged GET of at most 4 KiB of the index +
one ranged GET of the device's payloads, and give exactly what was published.

Environment: MQTT2S3_BIN (the binary), MQTT2S3_SOURCE_DIR, and the dev stack's env file
(MQTT2S3_STACK_ENV or <source>/.dev-stack/stack.env).
"""
import json
import os
import re
import subprocess
import sys
import time
import unittest
import uuid

import paho.mqtt.client as mqtt

BIN = os.environ["MQTT2S3_BIN"]
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
import stack  # noqa: E402  (tests/support/stack.py)
from test_cli import convert, welding_config  # noqa: E402

STACK = stack.read_env()
DEVICES = 300
PER_DEVICE = 33  # 9,900 messages: one object (batch.max_messages is 10,000)


def publish(root):
    """Publishes PER_DEVICE messages to each device, QoS 1; {device: [payload, ...]}."""
    client = mqtt.Client(client_id=f"{root}-pub", protocol=mqtt.MQTTv311)
    client.max_inflight_messages_set(1000)
    client.max_queued_messages_set(0)
    client.connect(STACK["MQTT_HOST"], int(STACK["MQTT_PORT"]))
    client.loop_start()
    sent, infos = {}, []
    for i in range(PER_DEVICE):
        stamp = f"20181001 17{i // 60:02d}{i % 60:02d}"
        for d in range(DEVICES):
            dev = f"DEV-{d:03d}"
            payload = json.dumps({"weldspot": {"Timestamp": stamp, "Voltage": f"{20 + d / 10}"},
                                  "seq": i * DEVICES + d}, separators=(",", ":")).encode()
            sent.setdefault(dev, []).append(payload)
            infos.append(client.publish(f"{root}/JSON/0/1/{dev}/WELD/1", payload, qos=1))
    for info in infos:
        info.wait_for_publish(30)
    client.loop_stop()
    client.disconnect()
    return sent


class ManyDevicesTest(unittest.TestCase):
    def test_one_device_of_many_costs_head_one_bucket_and_one_range(self):
        root = "gb-" + uuid.uuid4().hex[:8]
        code, err, sent = convert(welding_config(root), lambda: publish(root))
        self.assertEqual(code, 0, err)
        total = DEVICES * PER_DEVICE
        self.assertIn(f"stopped: received {total}, stored {total} in 1 object(s)", err)

        s3 = stack.s3_client(STACK)
        bucket = root.lower() + "-plant-1"
        keys = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]
                if not o["Key"].endswith(".idx")]
        self.assertEqual(len(keys), 1)
        meta = s3.head_object(Bucket=bucket, Key=keys[0])["Metadata"]
        self.assertNotIn("mqtt2s3-groups-parts", meta, "300 groups do not fit the metadata")
        offset, buckets, slot, delim, components = meta["mqtt2s3-group-buckets"].split(":")
        self.assertEqual((delim, components), ("2f", "1"))
        self.assertLessEqual(int(slot), 4096)

        dev = "DEV-123"
        want = b"".join(p + b"\n" for p in sent[dev])
        env = stack.child_env(STACK)
        get = [BIN, "get", "--endpoint", STACK["S3_ENDPOINT"], "-b", bucket,
               "--list-prefix", "2018/", "--from", "2018-10-01", "--to", "2018-10-02",
               "--device", dev, "--payload-only"]
        env = dict(env, AWS_ACCESS_KEY_ID=STACK["S3_ACCESS_KEY"],
                   AWS_SECRET_ACCESS_KEY=STACK["S3_SECRET_KEY"])
        start = time.monotonic()
        out = subprocess.run(get, env=env, capture_output=True, timeout=60)
        cli_seconds = time.monotonic() - start
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertEqual(out.stdout, want)
        self.assertIn(b"1 object(s), 1 through the group directory", out.stderr)
        self.assertIn(b"requests: 1 LIST, 1 HEAD, 2 GET;", out.stderr)
        received = int(re.search(rb"GET; (\d+) bytes received", out.stderr).group(1))
        # The body range is the payloads joined by the separator; the rest is the bucket.
        cli_index_bytes = received - (len(want) - 1)
        self.assertEqual(cli_index_bytes, int(slot))

        from mqtt2s3.format import parse_info
        from mqtt2s3.parallel import ParallelReader
        log = []
        start = time.monotonic()
        chunks, report = ParallelReader(s3, on_request=log.append).read(bucket, keys, [dev])
        py_seconds = time.monotonic() - start
        self.assertEqual([(r.method, r.what) for r in log],
                         [("HEAD", "data object"), ("GET", "index bucket"),
                          ("GET", "body range")])
        self.assertEqual(log[1].key, parse_info(meta).index_object_key(keys[0]))
        self.assertEqual(log[1].bytes, int(slot))
        self.assertEqual([p for c in chunks for p in c.payloads], sent[dev])
        self.assertEqual((report.bucket_objects, report.fallbacks), (1, 0))
        print(f"\n{DEVICES} devices, {total} messages, {buckets} buckets of {slot} bytes; one "
              f"device: get 1 HEAD + 2 GET, {cli_index_bytes} index bytes, {received} bytes, "
              f"{cli_seconds:.2f} s; Python 1 HEAD + 2 GET, {log[1].bytes} index bytes, "
              f"{log[1].bytes + log[2].bytes} bytes, {py_seconds:.2f} s", file=sys.stderr)


if __name__ == "__main__":
    unittest.main()
