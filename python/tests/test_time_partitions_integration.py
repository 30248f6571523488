"""Hour partitions on real converter output: `{first:...}` in a key directory partitions by
each message's event time (docs/CONFIG.md "Time partitions", "Event time").

The mqtt2s3 binary runs two welding routes, 50 messages per object:

- topics with format level JSON: JSON Lines, key `{first:%Y/%m/%d/%H}/{object_name}`;
- topics with format level PARQUET: `format: parquet`, Hive-style key
  `date={first:%Y-%m-%d}/hour={first:%H}/{object_name}`.

Paho publishes the same welding stream to both: 4 devices, one weldspot a minute each from
16:40 to 19:19 (event times cross three hour boundaries), shuffled in blocks of 24 (out of
order across the boundaries), with device 3's welds before 17:15 held back and published last,
after a flush command closed every open batch (late data for hours 16 and 17 after 18 and 19
were seen and their objects stored: new objects of their own hours), and two payloads outside the
event-time window: one stamped `99991231 235959` (more than max_event_ahead after the receive
time) and one from 1999 (before earliest_event_time). Then, in each bucket:

- every hour prefix is LISTed and every object under it HEADed: its mqtt2s3-first/last-event-ms
  lie inside that hour, so a listing of one hour returns every object with events of that hour
  and no other; the prefixes are exactly the published hours plus the receive hour(s);
- read back through mqtt2s3.reader, the objects hold every published message exactly once
  (dedupe id = seq), each in-window one with its own event time;
- the two out-of-window messages are stored under their receive time (their index time lies
  in the run, their object under the receive hour), and /metrics counted them
  (mqtt2s3_event_time_out_of_window_total = 2 per route);
- Parquet: pyarrow.dataset over the S3 endpoint with hive partitioning prunes by path: the
  fragments of `date=2018-10-01, hour=17` are exactly that prefix's objects, and the rows read
  are exactly the welds of 17:00-17:59.

Environment: MQTT2S3_BIN (the binary), MQTT2S3_SOURCE_DIR, and the dev stack's env file
($MQTT2S3_STACK_ENV or <source>/.dev-stack/stack.env). CTest: python_time_partitions_integration
(label integration). By hand, from python/tests:

    MQTT2S3_BIN=../../build/apps/mqtt2s3/mqtt2s3 MQTT2S3_STACK_ENV=/tmp/stack/stack.env \\
        PYTHONPATH=.. ../../.venv/bin/python -m unittest -v test_time_partitions_integration
"""

import collections
import datetime
import json
import os
import random
import re
import socket
import sys
import tempfile
import time
import unittest
import urllib.request
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.environ.get("MQTT2S3_SOURCE_DIR") or os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(SRC, "python"))
sys.path.insert(0, os.path.join(SRC, "tests", "support"))
sys.path.insert(0, HERE)
import stack  # noqa: E402  (tests/support/stack.py)
import welding_run  # noqa: E402

from mqtt2s3 import format as fmt  # noqa: E402
from mqtt2s3.reader import Reader  # noqa: E402

UTC = datetime.timezone.utc
START = datetime.datetime(2018, 10, 1, 16, 40, tzinfo=UTC)
MINUTES = 160                      # 16:40 .. 19:19
DEVICES = 4
LATE_DEVICE = "WELDING-STATION-3"
LATE_BEFORE = datetime.datetime(2018, 10, 1, 17, 15, tzinfo=UTC)
PER_OBJECT = 50
HOUR_MS = 3600 * 1000
OUT_OF_WINDOW = ("99991231 235959", "19991231 235959")
# (name, topic format level, bucket template, directory strftime of an hour)
BUCKETS = (("hours", "JSON", "{root}-plant-{plant}", "%Y/%m/%d/%H"),
           ("hive", "PARQUET", "{root}-hive-{plant}", "date=%Y-%m-%d/hour=%H"))


def ms(t):
    return int(t.timestamp() * 1000)


def payload(stamp, volts, seq):
    return json.dumps({"weldspot": {"Timestamp": stamp, "Voltage": f"{volts:.1f}",
                                    "Current": "10"}, "seq": seq},
                      separators=(",", ":")).encode()


def published():
    """[(device, event time ms or None when out of window, seq, payload)] in publish order;
    a row None stands for the flush command before the late welds."""
    timed = []
    for minute in range(MINUTES):
        t = START + datetime.timedelta(minutes=minute)
        for d in range(1, DEVICES + 1):
            timed.append((f"WELDING-STATION-{d}", t))
    rows = [(dev, ms(t), seq, payload(t.strftime("%Y%m%d %H%M%S"), 220 + seq % 50 / 10, seq))
            for seq, (dev, t) in enumerate(timed)]
    late = [r for r in rows if r[0] == LATE_DEVICE and r[1] < ms(LATE_BEFORE)]
    early = [r for r in rows if r not in late]
    rng = random.Random(16)
    order = []
    for i in range(0, len(early), 24):  # out of order, across hour boundaries too
        block = early[i:i + 24]
        rng.shuffle(block)
        order.extend(block)
    odd = [("WELDING-STATION-1", None, len(rows) + k, payload(stamp, 230, len(rows) + k))
           for k, stamp in enumerate(OUT_OF_WINDOW)]
    half = len(order) // 2
    return order[:half] + odd + order[half:] + [None] + late


def hour_of(directory, pattern):
    """Start of the hour an object directory names (Unix ms)."""
    return ms(datetime.datetime.strptime(directory, pattern).replace(tzinfo=UTC))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def metric(text, name):
    m = re.search(rf"^{name} (\d+)$", text, re.M)
    return int(m.group(1)) if m else None


class TimePartitionsIntegrationTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.env = welding_run.require_stack(cls)
        cls.root = "TP-" + uuid.uuid4().hex[:8].upper()
        cls.buckets = {name: template.format(root=cls.root, plant=1).lower()
                       for name, _, template, _ in BUCKETS}
        cls.s3 = stack.s3_client(cls.env, path_style=True)
        cls.tmp = tempfile.mkdtemp(prefix="time-partitions-it-")
        cls.metrics_port = free_port()
        cls.config = welding_run.write_config(
            os.path.join(cls.tmp, "welding.yaml"), cls.env, cls.root, PER_OBJECT,
            routes=[welding_run.route("hours", "JSON", BUCKETS[0][2], welding_run.HOUR_KEY),
                    welding_run.route("hive", "PARQUET", BUCKETS[1][2], welding_run.HIVE_KEY,
                                      parquet=True)],
            metrics_listen=f"127.0.0.1:{cls.metrics_port}")
        cls.sequence = published()
        cls.messages = [m for m in cls.sequence if m is not None]
        cls.late = {seq for dev, t, seq, _ in cls.messages
                    if dev == LATE_DEVICE and t is not None and t < ms(LATE_BEFORE)}
        cls.metrics = ""
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
    def _read_metrics(cls):
        with urllib.request.urlopen(f"http://127.0.0.1:{cls.metrics_port}/metrics",
                                    timeout=10) as r:
            cls.metrics = r.read().decode()

    @classmethod
    def _convert(cls):
        flush = (f"{cls.root}/control/flush", b"{}")
        sends = [flush if m is None else (f"{cls.root}/{level}/0/1/{m[0]}/WELD/1", m[3])
                 for _, level, _, _ in BUCKETS for m in cls.sequence]
        want = len(sends) - sends.count(flush)
        cls.received_from = ms(datetime.datetime.now(UTC))
        log = welding_run.run_converter(
            cls.config, cls.env, cls.tmp, sends, cls._stored, want, f"{cls.root}-pub",
            flush_topic=f"{cls.root}/control/flush", before_stop=cls._read_metrics)
        cls.received_to = ms(datetime.datetime.now(UTC)) + 1
        stored = cls._stored()
        if stored != want:
            raise RuntimeError(f"{stored} messages stored, expected {want}: {log[-3000:]}")
        return log

    def objects_by_directory(self, name):
        """{object directory: [data keys]} from a LIST of the whole bucket."""
        out = collections.defaultdict(list)
        for o in Reader(self.s3).list_objects(self.buckets[name]):
            out[o.key.rsplit("/", 1)[0]].append(o.key)
        return out

    def receive_hours(self):
        start = self.received_from - self.received_from % HOUR_MS
        return set(range(start, self.received_to, HOUR_MS))

    def test_every_object_under_an_hour_prefix_holds_only_that_hours_events(self):
        published_hours = {t - t % HOUR_MS for _, t, _, _ in self.messages if t is not None}
        self.assertEqual(len(published_hours), 4)
        for name, _, _, pattern in BUCKETS:
            bucket = self.buckets[name]
            directories = self.objects_by_directory(name)
            hours = {hour_of(d, pattern): d for d in directories}
            self.assertEqual(len(hours), len(directories), name)
            in_run = set(hours) - published_hours
            self.assertTrue(in_run and in_run <= self.receive_hours(), (name, sorted(hours)))
            for hour, directory in hours.items():
                with self.subTest(bucket=name, prefix=directory):
                    listed = [o.key for o in Reader(self.s3).list_objects(bucket, directory + "/")]
                    self.assertEqual(sorted(listed), sorted(directories[directory]))
                    for key in listed:
                        info = fmt.parse_info(
                            self.s3.head_object(Bucket=bucket, Key=key)["Metadata"])
                        self.assertGreater(info.message_count, 0, key)
                        self.assertGreaterEqual(info.first_event_ms, hour, key)
                        self.assertLess(info.last_event_ms, hour + HOUR_MS, key)
                        self.assertEqual(info.body_format,
                                         "parquet" if name == "hive" else "jsonl", key)

    def test_the_objects_hold_every_message_exactly_once_with_its_event_time(self):
        want = {seq: (dev, t) for dev, t, seq, _ in self.messages}
        for name, _, _, pattern in BUCKETS:
            with self.subTest(bucket=name):
                bucket = self.buckets[name]
                reader = Reader(self.s3)
                seen = collections.Counter()
                for directory, keys in self.objects_by_directory(name).items():
                    hour = hour_of(directory, pattern)
                    for key in keys:
                        opened = reader.open(bucket, key)
                        seqs = set()
                        for m in reader.fetch(bucket, key, range(len(opened.index.entries))):
                            seq = json.loads(m.payload)["seq"]
                            seqs.add(seq)
                            self.assertEqual(m.dedupe_id, str(seq))
                            seen[seq] += 1
                            dev, t = want[seq]
                            self.assertTrue(m.index_key.startswith(dev + "/"), m.index_key)
                            if t is None:  # out of window: the receive time, in the run
                                self.assertGreaterEqual(m.event_time_ms, self.received_from)
                                self.assertLess(m.event_time_ms, self.received_to)
                            else:
                                self.assertEqual(m.event_time_ms, t)
                            self.assertEqual(m.event_time_ms - m.event_time_ms % HOUR_MS,
                                             hour, key)
                        # the late welds came after their hours' batches were stored
                        self.assertTrue(seqs <= self.late or not seqs & self.late, key)
                self.assertEqual(set(seen), set(want))
                self.assertEqual(set(seen.values()), {1})

    def test_out_of_window_messages_are_stored_under_the_receive_hour_and_counted(self):
        odd = {seq for _, t, seq, _ in self.messages if t is None}
        self.assertEqual(len(odd), len(OUT_OF_WINDOW))
        for name, _, _, pattern in BUCKETS:
            with self.subTest(bucket=name):
                bucket = self.buckets[name]
                reader = Reader(self.s3)
                found = set()
                for directory, keys in self.objects_by_directory(name).items():
                    if hour_of(directory, pattern) not in self.receive_hours():
                        continue
                    for key in keys:
                        self.assertNotIn("9999", key)
                        for m in reader.fetch(bucket, key, range(len(
                                reader.open(bucket, key).index.entries))):
                            found.add(json.loads(m.payload)["seq"])
                self.assertEqual(found, odd)
        self.assertEqual(metric(self.metrics, "mqtt2s3_event_time_out_of_window_total"),
                         len(OUT_OF_WINDOW) * len(BUCKETS), self.metrics[-2000:])
        self.assertEqual(metric(self.metrics, "mqtt2s3_event_time_fallbacks_total"), 0)

    def test_pyarrow_prunes_the_hive_partitions_by_path(self):
        try:
            import pyarrow as pa
            import pyarrow.dataset as pads
            import pyarrow.fs as pafs
        except ImportError as e:
            stack.require(self, False, f"pyarrow: {e}")
        bucket = self.buckets["hive"]
        fs = pafs.S3FileSystem(access_key=self.env["S3_ACCESS_KEY"],
                               secret_key=self.env["S3_SECRET_KEY"],
                               endpoint_override=self.env["S3_ENDPOINT"],
                               region=self.env.get("S3_REGION", "us-east-1"))
        files = [f"{bucket}/{k}" for keys in self.objects_by_directory("hive").values()
                 for k in keys]  # the data objects: companion .idx objects are not Parquet
        partitioning = pads.partitioning(pa.schema([("date", pa.string()),
                                                    ("hour", pa.string())]), flavor="hive")
        data = pads.dataset(files, filesystem=fs, format="parquet", partitioning=partitioning,
                            partition_base_dir=bucket)
        wanted = (pads.field("date") == "2018-10-01") & (pads.field("hour") == "17")
        fragments = sorted(f.path for f in data.get_fragments(filter=wanted))
        prefix = f"{bucket}/date=2018-10-01/hour=17/"
        self.assertEqual(fragments, sorted(f for f in files if f.startswith(prefix)))
        self.assertGreater(len(fragments), 1)
        table = data.to_table(filter=wanted, columns=["seq", "event_time"])
        hour = ms(datetime.datetime(2018, 10, 1, 17, tzinfo=UTC))
        expect = sorted(seq for _, t, seq, _ in self.messages
                        if t is not None and hour <= t < hour + HOUR_MS)
        self.assertEqual(sorted(table.column("seq").to_pylist()), expect)
        times = table.column("event_time").cast(pa.int64()).to_pylist()
        unit = {"ms": 1, "us": 1000, "ns": 1000000}[data.schema.field("event_time").type.unit]
        self.assertTrue(all(hour <= t // unit < hour + HOUR_MS for t in times))


if __name__ == "__main__":
    unittest.main()
