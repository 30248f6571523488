"""mqtt2s3.dataset against objects the real converter wrote into the dev stack's RGW.

The mqtt2s3 binary runs two welding routes (bucket per plant, index key DEVICE-ID/...,
clustered by device, 400 messages per object: companion indexes, so the converter writes the
group directory where its framing holds): JSON Lines (`<root>-plant-<plant>`) and, for topics
whose format level is PARQUET, `format: parquet` (`<root>-pq-<plant>`). Paho publishes 5
devices x 1 hour, one weldspot every 10 s per device, then the first 60 messages once more
(redeliveries), to three buckets:

- plant 1, JSON Lines, device 5 zlib-compressed (COMPRESSED=1): compressed bytes hold the
  separator, so the writer leaves the directory out and every read goes through the index;
- plant 2, JSON Lines, all plain: every object carries a group directory;
- plant 1, Parquet, device 5 zlib-compressed: length-prefixed payloads frame any bytes, so
  every object carries a group directory.

A flush command closes the last batches. Then, in each bucket:

- one device and every device read back exactly what was published (time, volts, seq), each
  once: the redeliveries are dropped; the same through the index alone (use_directory=False);
- with the group directory, a device costs each object it touches one HEAD and one ranged
  GET, no index GET, and the bytes fetched are at most 1.3 x the device's own bytes;
- the Parquet route's configured columns, read by name from the converter's own config file
  (config=, route=), give exactly the values of the typed columns pyarrow reads from the
  stored Parquet files, and the same columns decode the same from the JSON Lines bucket.

Environment: MQTT2S3_BIN (the binary), MQTT2S3_SOURCE_DIR, and the dev stack's env file
($MQTT2S3_STACK_ENV or <source>/.dev-stack/stack.env). CTest: python_dataset_integration
(label integration). By hand, from python/tests:

    MQTT2S3_BIN=../../build/apps/mqtt2s3/mqtt2s3 MQTT2S3_STACK_ENV=/tmp/stack/stack.env \\
        PYTHONPATH=.. ../../.venv/bin/python -m unittest -v test_dataset_integration
"""

import datetime
import json
import os
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


# (name, topic format level, plant, device 5 zlib-compressed, group directory expected)
BUCKETS = (("jsonl-zlib", "JSON", 1, True, False), ("jsonl-plain", "JSON", 2, False, True),
           ("parquet-zlib", "PARQUET", 1, True, True))


def published():
    """(device, time ms, volts, seq, plain payload bytes) in publish order."""
    out = []
    for step in range(STEPS):
        t = START + datetime.timedelta(seconds=10 * step)
        for d in range(1, DEVICES + 1):
            seq = len(out)
            volts = f"{220 + d + (step % 97) / 10:.1f}"
            payload = json.dumps({"weldspot": {"Timestamp": t.strftime("%Y%m%d %H%M%S"),
                                               "Voltage": volts, "Current": "10"},
                                  "seq": seq}, separators=(",", ":")).encode()
            out.append((device(d), int(t.timestamp() * 1000), float(volts), seq, payload))
    return out


class DatasetIntegrationTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.env = welding_run.require_stack(cls)
        cls.root = "DS-" + uuid.uuid4().hex[:8].upper()
        r = cls.root.lower()
        cls.buckets = {name: f"{r}-pq-{plant}" if level == "PARQUET" else f"{r}-plant-{plant}"
                       for name, level, plant, _, _ in BUCKETS}
        cls.s3 = stack.s3_client(cls.env, path_style=True)
        cls.tmp = tempfile.mkdtemp(prefix="dataset-it-")
        cls.config = welding_run.write_config(
            os.path.join(cls.tmp, "welding.yaml"), cls.env, cls.root, PER_OBJECT,
            routes=[welding_run.route("welding-pq", "PARQUET", "{root}-pq-{plant}",
                                      parquet=True),
                    welding_run.route("welding")])
        cls.messages = published()
        try:
            cls.converter_log = cls._convert()
        except Exception:
            cls.tearDownClass()
            raise

    @classmethod
    def tearDownClass(cls):
        welding_run.clean_up(cls.s3, cls.tmp, cls.root, cls.buckets.values())

    @classmethod
    def _stored(cls):
        return welding_run.messages_stored(cls.s3, cls.buckets.values())

    @classmethod
    def _convert(cls):
        sends = []
        for _, level, plant, zlib_device, _ in BUCKETS:
            for dev, _, _, _, payload in cls.messages + cls.messages[:REPLAYED]:
                c = int(zlib_device and dev == device(DEVICES))
                sends.append((f"{cls.root}/{level}/{c}/{plant}/{dev}/WELD/1",
                              zlib.compress(payload) if c else payload))
        want = len(sends)
        log = welding_run.run_converter(
            cls.config, cls.env, cls.tmp, sends, cls._stored, want, f"{cls.root}-pub",
            flush_topic=f"{cls.root}/control/flush")
        stored = cls._stored()
        if stored != want:
            raise RuntimeError(f"{stored} messages stored, expected {want}: {log[-3000:]}")
        return log

    def expected(self, devices):
        return sorted((t, dev, volts, seq) for dev, t, volts, seq, _ in self.messages
                      if dev in devices)

    def rows(self, ds):
        return sorted(zip(ds.event_time.tolist(), ds.device.tolist(), ds["volts"].tolist(),
                          ds["seq"].tolist()))

    def read(self, name, **kw):
        log = []
        ds = dataset.read(self.s3, self.buckets[name], time_from=T0, time_to=T0 + 3600000,
                          fields=FIELDS, on_request=log.append, **TIMES, **kw)
        return ds, log

    def parquet_files(self, name):
        """(seq, voltage) of every row of every stored Parquet file of a bucket, by pyarrow."""
        import io
        import pyarrow.parquet as pq
        rows = set()
        bucket = self.buckets[name]
        for o in Reader(self.s3).list_objects(bucket):
            body = self.s3.get_object(Bucket=bucket, Key=o.key)["Body"].read()
            t = pq.read_table(io.BytesIO(body), columns=["seq", "voltage"])
            rows.update(zip(t.column("seq").to_pylist(), t.column("voltage").to_pylist()))
        return rows

    def test_a_routes_configured_columns_equal_the_parquet_files_typed_columns(self):
        stored = self.parquet_files("parquet-zlib")
        self.assertEqual(len(stored), len(self.messages))
        for name in ("parquet-zlib", "jsonl-plain"):
            with self.subTest(bucket=name):
                ds = dataset.read(self.s3, self.buckets[name], time_from=T0,
                                  time_to=T0 + 3600000, config=self.config, route="welding-pq")
                self.assertEqual(list(ds.columns), ["voltage", "seq"])
                self.assertEqual(ds.types, {"voltage": "double", "seq": "int64"})
                self.assertEqual(ds.nulls, {"voltage": 0, "seq": 0})
                self.assertEqual(ds["seq"].dtype.name, "int64")
                self.assertEqual(set(zip(ds["seq"].tolist(), ds["voltage"].tolist())), stored)
                self.assertEqual(sorted(ds.event_time.tolist()),
                                 sorted(t for _, t, _, _, _ in self.messages))

    def directories(self, name):
        """{data key: its group directory or None}; every data object has a companion index."""
        out = {}
        bucket = self.buckets[name]
        for o in Reader(self.s3).list_objects(bucket):
            meta = self.s3.head_object(Bucket=bucket, Key=o.key).get("Metadata", {})
            info = fmt.parse_info(meta)
            self.assertFalse(info.index_inline, o.key)
            self.assertEqual(info.body_format, "parquet" if "pq" in bucket else "jsonl", o.key)
            out[o.key] = fmt.parse_group_directory(meta, info)
        return out

    def test_one_device_is_exactly_what_was_published_once(self):
        for name, *_ in BUCKETS:
            for dev in (device(2), device(DEVICES)):  # plain and (but in plant 2) zlib payloads
                with self.subTest(bucket=name, device=dev):
                    ds, _ = self.read(name, devices=[dev])
                    self.assertEqual(self.rows(ds), self.expected({dev}))
                    replayed = sum(1 for m in self.messages[:REPLAYED] if m[0] == dev)
                    self.assertEqual(ds.report.duplicates, replayed)

    def test_every_device_is_exactly_what_was_published_once(self):
        for name, *_ in BUCKETS:
            with self.subTest(bucket=name):
                ds, _ = self.read(name)
                self.assertEqual(len(ds), len(self.messages))
                self.assertEqual(self.rows(ds), self.expected({device(d) for d in
                                                               range(1, DEVICES + 1)}))
                self.assertEqual(ds.report.duplicates, REPLAYED)
                df = ds.to_pandas()
                self.assertEqual(len(df), len(self.messages))

    def test_the_index_alone_gives_the_same_rows(self):
        for name, *_ in BUCKETS:
            with self.subTest(bucket=name):
                ds, log = self.read(name, devices=[device(3)], use_directory=False)
                self.assertEqual(self.rows(ds), self.expected({device(3)}))
                self.assertEqual(ds.report.directory_objects, 0)
                self.assertGreater(ds.report.index_objects, 0)

    def test_the_writer_adds_a_directory_exactly_where_its_framing_holds(self):
        for name, _, _, _, expected in BUCKETS:
            with self.subTest(bucket=name):
                directories = self.directories(name)
                self.assertGreaterEqual(len(directories), len(self.messages) // PER_OBJECT)
                self.assertEqual({k for k, d in directories.items() if d is None},
                                 set() if expected else set(directories))
                for key, groups in directories.items():
                    if groups is not None:  # one group per device, in key order
                        self.assertEqual([g.key for g in groups],
                                         sorted({g.key for g in groups}), key)
                ds, _ = self.read(name, devices=[device(1)])
                self.assertEqual(ds.report.fallbacks, 0)
                self.assertEqual(ds.report.directory_objects,
                                 len(directories) if expected else 0)

    def test_a_device_costs_a_head_and_one_ranged_get_per_object_with_a_directory(self):
        for name, _, _, _, expected in BUCKETS:
            if expected:
                with self.subTest(bucket=name):
                    self.check_head_and_one_ranged_get(name)

    def check_head_and_one_ranged_get(self, name):
        directories = self.directories(name)
        dev = device(4)
        ds, log = self.read(name, devices=[dev])
        self.assertEqual(self.rows(ds), self.expected({dev}))
        per_key = {}
        for r in log:
            if r.method != "LIST":
                per_key.setdefault(r.key, []).append((r.method, r.what))
        own = 0
        for key, groups in directories.items():
            own += sum(g.length for g in groups if g.key == dev)
            self.assertEqual(sorted(per_key[key]),
                             [("GET", "body range"), ("HEAD", "data object")], key)
        self.assertFalse(any(r.what == "index object" for r in log))
        fetched = sum(r.bytes for r in log if r.method == "GET")
        self.assertLessEqual(fetched, 1.3 * own)
        self.assertEqual(ds.report.index_objects, 0)
        print(f"\n  {name}: {dev} over {len(directories)} objects: "
              f"{sum(r.method == 'HEAD' for r in log)} HEAD, "
              f"{sum(r.method == 'GET' for r in log)} GET, {fetched} bytes fetched for "
              f"{own} bytes of its own ({fetched / own:.3f}x)", file=sys.stderr)


if __name__ == "__main__":
    unittest.main()
