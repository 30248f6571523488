"""mqtt2s3.dataset against objects the real converter wrote into the dev stack's RGW.

The mqtt2s3 binary runs a welding route (bucket per plant, index key DEVICE-ID/..., clustered
by device, 400 messages per object: companion indexes, so the converter may write the group
directory). Paho publishes 5 devices x 1 hour, one weldspot every 10 s per device, device 5
zlib-compressed (COMPRESSED=1), then the first 60 messages once more (redeliveries); a flush
command closes the last batch. Then:

- one device and every device read back exactly what was published (time, volts, seq), each
  once: the redeliveries are dropped; the same through the index alone (use_directory=False);
- with the group directory, a device costs each object it touches one HEAD and one ranged
  GET, no index GET, and the bytes fetched are at most 1.3 x the device's own bytes.

Environment: MQTT2S3_BIN (the binary), MQTT2S3_SOURCE_DIR, and the dev stack's env file
($MQTT2S3_STACK_ENV or <source>/.dev-stack/stack.env). CTest: python_dataset_integration
(label integration). By hand, from python/tests:

    MQTT2S3_BIN=../../build/apps/mqtt2s3/mqtt2s3 MQTT2S3_STACK_ENV=/tmp/stack/stack.env \\
        PYTHONPATH=.. ../../.venv/bin/python -m unittest -v test_dataset_integration
"""

import datetime
import json
import os
import shutil
import sys
import tempfile
import unittest
import uuid
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.environ.get("MQTT2S3_SOURCE_DIR") or os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(SRC, "python"))
sys.path.insert(0, os.path.join(SRC, "tests", "support"))
sys.path.insert(0, HERE)
import stack  # noqa: E402  (tests/support/stack.py)
import welding_run  # noqa: E402

from mqtt2s3 import dataset  # noqa: E402
from mqtt2s3 import format as fmt  # noqa: E402
from mqtt2s3.reader import Reader  # noqa: E402

START = datetime.datetime(2018, 10, 1, 17, 0, tzinfo=datetime.timezone.utc)
T0 = int(START.timestamp() * 1000)
STEPS = 360            # one hour, every 10 s
DEVICES = 5
REPLAYED = 60          # the first 60 messages are published twice
PER_OBJECT = 400
FIELDS = {"volts": "/weldspot/Voltage", "seq": "/seq"}
TIMES = dict(time_field="/weldspot/Timestamp", time_format="%Y%m%d %H%M%S")


def device(d):
    return f"WELDING-STATION-{d}"


def published():
    """(topic level COMPRESSED, device, time ms, volts, seq, payload bytes) in publish order."""
    out = []
    for step in range(STEPS):
        t = START + datetime.timedelta(seconds=10 * step)
        for d in range(1, DEVICES + 1):
            seq = len(out)
            volts = f"{220 + d + (step % 97) / 10:.1f}"
            payload = json.dumps({"weldspot": {"Timestamp": t.strftime("%Y%m%d %H%M%S"),
                                               "Voltage": volts, "Current": "10"},
                                  "seq": seq}, separators=(",", ":")).encode()
            compressed = d == DEVICES
            out.append((int(compressed), device(d), int(t.timestamp() * 1000), float(volts),
                        seq, zlib.compress(payload) if compressed else payload))
    return out


class DatasetIntegrationTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        try:
            cls.env = stack.read_env(
                required=("S3_ENDPOINT", "S3_ACCESS_KEY", "S3_SECRET_KEY", "MQTT_PORT"))
        except (OSError, RuntimeError) as e:
            stack.require(cls, False, f"dev stack: {e}")
        stack.require(cls, os.environ.get("MQTT2S3_BIN"), "MQTT2S3_BIN is not set")
        cls.root = "DS-" + uuid.uuid4().hex[:8].upper()
        cls.bucket = f"{cls.root.lower()}-plant-1"
        cls.s3 = stack.s3_client(cls.env, path_style=True)
        cls.tmp = tempfile.mkdtemp(prefix="dataset-it-")
        cls.config = welding_run.write_config(os.path.join(cls.tmp, "welding.yaml"), cls.env,
                                              cls.root, PER_OBJECT)
        cls.messages = published()
        try:
            cls.converter_log = cls._convert()
        except Exception:
            cls.tearDownClass()
            raise

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)
        for bucket in (cls.bucket, cls.root.lower() + "-dlq"):
            try:
                for o in cls.s3.list_objects_v2(Bucket=bucket).get("Contents", []):
                    cls.s3.delete_object(Bucket=bucket, Key=o["Key"])
                cls.s3.delete_bucket(Bucket=bucket)
            except cls.s3.exceptions.ClientError:
                pass

    @classmethod
    def _stored(cls):
        """Messages in the bucket's data objects (mqtt2s3-count of each)."""
        try:
            listed = Reader(cls.s3).list_objects(cls.bucket)
        except Exception:
            return 0  # the bucket comes with the first upload
        total = 0
        for o in listed:
            meta = fmt.normalize_metadata(
                cls.s3.head_object(Bucket=cls.bucket, Key=o.key).get("Metadata", {}))
            total += int(meta.get("mqtt2s3-count", 0))
        return total

    @classmethod
    def _convert(cls):
        sends = cls.messages + cls.messages[:REPLAYED]
        want = len(sends)
        log = welding_run.run_converter(
            cls.config, cls.env, cls.tmp,
            [(f"{cls.root}/JSON/{c}/1/{dev}/WELD/1", payload) for c, dev, _, _, _, payload in sends],
            cls._stored, want, f"{cls.root}-pub", flush_topic=f"{cls.root}/control/flush")
        stored = cls._stored()
        if stored != want:
            raise RuntimeError(f"{stored} messages stored, expected {want}: {log[-3000:]}")
        return log

    def expected(self, devices):
        return sorted((t, dev, volts, seq) for _, dev, t, volts, seq, _ in self.messages
                      if dev in devices)

    def rows(self, ds):
        return sorted(zip(ds.event_time.tolist(), ds.device.tolist(), ds["volts"].tolist(),
                          ds["seq"].tolist()))

    def read(self, **kw):
        log = []
        ds = dataset.read(self.s3, self.bucket, time_from=T0, time_to=T0 + 3600000,
                          fields=FIELDS, on_request=log.append, **TIMES, **kw)
        return ds, log

    def directories(self):
        out = {}
        for o in Reader(self.s3).list_objects(self.bucket):
            meta = self.s3.head_object(Bucket=self.bucket, Key=o.key).get("Metadata", {})
            out[o.key] = fmt.parse_group_directory(meta)
        return out

    def test_one_device_is_exactly_what_was_published_once(self):
        for dev in (device(2), device(DEVICES)):  # plain and zlib payloads
            ds, _ = self.read(devices=[dev])
            self.assertEqual(self.rows(ds), self.expected({dev}))
            replayed = sum(1 for m in self.messages[:REPLAYED] if m[1] == dev)
            self.assertEqual(ds.report.duplicates, replayed)

    def test_every_device_is_exactly_what_was_published_once(self):
        ds, _ = self.read()
        self.assertEqual(len(ds), len(self.messages))
        self.assertEqual(self.rows(ds), self.expected({device(d) for d in
                                                       range(1, DEVICES + 1)}))
        self.assertEqual(ds.report.duplicates, REPLAYED)
        df = ds.to_pandas()
        self.assertEqual(len(df), len(self.messages))

    def test_the_index_alone_gives_the_same_rows(self):
        ds, log = self.read(devices=[device(3)], use_directory=False)
        self.assertEqual(self.rows(ds), self.expected({device(3)}))
        self.assertEqual(ds.report.directory_objects, 0)

    def test_a_device_costs_a_head_and_one_ranged_get_per_object_with_a_directory(self):
        directories = self.directories()
        stack.require(self, any(d is not None for d in directories.values()),
                      "the converter wrote no group directory (mqtt2s3-groups-*) yet")
        dev = device(4)
        ds, log = self.read(devices=[dev])
        self.assertEqual(self.rows(ds), self.expected({dev}))
        per_key = {}
        for r in log:
            if r.method != "LIST":
                per_key.setdefault(r.key, []).append((r.method, r.what))
        own = 0
        for key, groups in directories.items():
            if groups is None:  # inline index: HEAD + ranged GET from the index
                self.assertNotIn(("GET", "index object"), per_key.get(key, []))
                continue
            mine = [g for g in groups if g.key == dev]
            own += sum(g.length for g in mine)
            self.assertEqual(sorted(per_key[key]),
                             [("GET", "body range"), ("HEAD", "data object")], key)
        self.assertFalse(any(r.what == "index object" for r in log))
        fetched = sum(r.bytes for r in log if r.method == "GET")
        self.assertLessEqual(fetched, 1.3 * own)
        self.assertEqual(ds.report.index_objects, sum(d is None for d in directories.values()))


if __name__ == "__main__":
    unittest.main()
