"""mqtt2s3.parallel and mqtt2s3.dataset against an in-memory S3 whose requests complete in a
shuffled order on several threads: deterministic results, bounded concurrency, requests per
object on the directory and index paths, fallbacks, straddling groups, duplicates across
objects, discovery (names, HEADs, hour prefixes), fields and time parsing, typed fields with
the converter's column rules and a route's columns from a config file.

Run: .venv/bin/python -m unittest discover -s python/tests -p 'test_dataset.py'
"""

import datetime
import json
import os
import random
import sys
import tempfile
import threading
import time
import unittest
import zlib

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
sys.path.insert(0, HERE)

from mqtt2s3 import columns  # noqa: E402
from mqtt2s3 import dataset  # noqa: E402
from mqtt2s3 import format as fmt  # noqa: E402
from mqtt2s3 import parallel  # noqa: E402
from mqtt2s3.reader import Reader  # noqa: E402
from test_reader import FakeS3  # noqa: E402
import object_builder as ob  # noqa: E402

T0 = 1538413200000  # 2018-10-01 17:00:00 UTC
DEVICES = ("WS-1", "WS-2", "WS-10")
FIELDS = {"volts": "/weldspot/Voltage", "seq": "/seq", "absent": "/weldspot/Nope"}
TIMES = dict(time_field="/weldspot/Timestamp", time_format="%Y%m%d %H%M%S")


def stamp(ms):
    return (datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)
            + datetime.timedelta(milliseconds=ms)).strftime("%Y%m%d %H%M%S")


def weld(dev, ms, seq, compressed=False):
    payload = json.dumps({"weldspot": {"Timestamp": stamp(ms), "Voltage": f"{200 + seq / 10}"},
                          "seq": seq}, separators=(",", ":")).encode()
    if compressed:
        payload = zlib.compress(payload)
    return (f"C/JSON/{int(compressed)}/1/{dev}/WELD/1", f"{dev}/WELD/1/{stamp(ms)}", ms,
            str(seq), payload)


def stream(minutes, start=0):
    """One message per device and minute; seq = position in the stream."""
    out = []
    for m in range(start, start + minutes):
        for dev in DEVICES:
            out.append(weld(dev, T0 + m * 60000, len(out) + start * len(DEVICES)))
    return out


class ShuffledS3(FakeS3):
    """FakeS3 whose calls sleep a seeded random moment, so concurrent requests complete out of
    order; records the most calls in flight at once."""

    def __init__(self, seed=1):
        super().__init__()
        self.rng = random.Random(seed)
        self.lock = threading.Lock()
        self.inflight = self.max_inflight = 0

    def _slow(self, fn, **kw):
        with self.lock:
            self.inflight += 1
            self.max_inflight = max(self.max_inflight, self.inflight)
            pause = self.rng.random() * 0.004
        try:
            time.sleep(pause)
            return fn(**kw)
        finally:
            with self.lock:
                self.inflight -= 1

    def head_object(self, **kw):
        return self._slow(super().head_object, **kw)

    def get_object(self, **kw):
        return self._slow(super().get_object, **kw)


def per_key(requests):
    """{key: [(method, what)]} of a request log."""
    out = {}
    for r in requests:
        out.setdefault(r.key, []).append((r.method, r.what))
    return out


class ParallelReadTest(unittest.TestCase):
    def setUp(self):
        self.s3 = ShuffledS3()
        msgs = stream(60)
        # Six 10-minute objects: companion index + directory (the converter's big objects),
        # one inline index, one companion without directory.
        self.keys = []
        for n in range(6):
            part = msgs[n * 30:(n + 1) * 30]
            kw = {"companion": n != 4, "directory": n not in (4, 5)}
            self.keys.append(ob.put(self.s3, "b", part, n, **kw))
        self.msgs = msgs

    def expected(self, devices, t_from, t_to):
        return [(m[2], m[1].split("/")[0], int(json.loads(m[4])["seq"])) for m in self.msgs
                if m[1].split("/")[0] in devices and t_from <= m[2] < t_to]

    def rows(self, ds):
        return sorted(zip(ds.event_time.tolist(), ds.device.tolist(), ds["seq"].tolist()))

    def test_result_is_the_same_whatever_the_completion_order_and_concurrency(self):
        runs = []
        for seed, conc in ((1, 1), (2, 8), (3, 3), (4, 16)):
            s3 = ShuffledS3(seed)
            s3.objects = self.s3.objects
            ds = dataset.read(s3, "b", time_from=T0, time_to=T0 + 3600000, fields=FIELDS,
                              concurrency=conc, **TIMES)
            runs.append((ds.event_time.tolist(), ds.device.tolist(), ds["seq"].tolist()))
            self.assertLessEqual(s3.max_inflight, conc)
        self.assertTrue(all(r == runs[0] for r in runs))
        # Key order, then body order: cluster key (bytes), then arrival.
        self.assertEqual(runs[0][1][:30], ["WS-1"] * 10 + ["WS-10"] * 10 + ["WS-2"] * 10)
        self.assertEqual(len(runs[0][0]), 180)

    def test_one_device_costs_a_head_and_one_ranged_get_per_directory_object(self):
        log = []
        ds = dataset.read(self.s3, "b", time_from=T0, time_to=T0 + 3600000, devices=["WS-2"],
                          fields=FIELDS, on_request=log.append, **TIMES)
        self.assertEqual(self.rows(ds), self.expected({"WS-2"}, T0, T0 + 3600000))
        by_key = per_key(log)
        for n, key in enumerate(self.keys):
            want = [("HEAD", "data object"), ("GET", "body range")]
            if n == 5:  # companion index, no directory
                self.assertIn(("GET", "index object"), by_key[key + ".idx"])
            self.assertEqual(sorted(by_key[key]), sorted(want), key)
        self.assertEqual((ds.report.directory_objects, ds.report.index_objects), (4, 2))
        self.assertEqual(ds.stats.heads, 6)
        self.assertEqual(ds.stats.gets, 7)

    def test_device_bytes_on_the_directory_path_are_the_devices_own(self):
        log = []
        dataset.read(self.s3, "b", time_from=T0, time_to=T0 + 3600000, devices=["WS-10"],
                     keys=self.keys[:4], on_request=log.append, **TIMES)
        own = sum(len(m[4]) + 1 for m in self.msgs[:120] if m[1].startswith("WS-10/")) - 4
        self.assertEqual(sum(r.bytes for r in log if r.method == "GET"), own)

    def test_a_group_straddling_the_window_is_filtered_by_payload_time(self):
        t_from, t_to = T0 + 5 * 60000, T0 + 25 * 60000 + 1
        log = []
        ds = dataset.read(self.s3, "b", time_from=t_from, time_to=t_to, devices=["WS-1"],
                          fields=FIELDS, on_request=log.append, **TIMES)
        self.assertEqual(self.rows(ds), self.expected({"WS-1"}, t_from, t_to))
        self.assertFalse(any(r.what == "index object" for r in log))

    def test_without_time_field_a_straddling_object_is_read_through_its_index(self):
        t_from, t_to = T0 + 5 * 60000, T0 + 25 * 60000 + 1
        log = []
        ds = dataset.read(self.s3, "b", time_from=t_from, time_to=t_to, devices=["WS-1"],
                          fields=FIELDS, on_request=log.append)
        self.assertEqual(sorted(ds["seq"].tolist()),
                         [s for _, _, s in self.expected({"WS-1"}, t_from, t_to)])
        # 0-10 and 20-30 straddle: index; 10-20 lies inside: directory, time unknown (NaT).
        self.assertEqual(sum(r.what == "index object" for r in log), 2)
        self.assertEqual(int((ds.event_time == dataset.NAT).sum()), 10)

    def test_a_directory_that_does_not_frame_falls_back_to_the_index(self):
        s3 = FakeS3()
        msgs = stream(10)
        msgs[4] = msgs[4][:4] + (b'{"seq":4,\n"weldspot":{"Voltage":"1"}}',)  # holds the sep
        key = ob.put(s3, "b", msgs, 1)
        log = []
        ds = dataset.read(s3, "b", keys=[key], fields=FIELDS, on_request=log.append)
        self.assertEqual(ds.report.fallbacks, 1)
        self.assertEqual(sorted(ds["seq"].tolist()), list(range(30)))
        self.assertEqual(sum(r.what == "index object" for r in log), 1)

    def test_a_malformed_directory_is_ignored(self):
        s3 = FakeS3()
        key = ob.put(s3, "b", stream(10), 1)
        body, meta, etag = s3.objects[("b", key)]
        meta["mqtt2s3-groups-0"] = meta["mqtt2s3-groups-0"].replace(":", ";", 1)
        ds = dataset.read(s3, "b", keys=[key], fields=FIELDS)
        self.assertEqual((ds.report.fallbacks, ds.report.index_objects), (1, 1))
        self.assertEqual(sorted(ds["seq"].tolist()), list(range(30)))

    def test_duplicates_are_dropped_across_objects_first_in_key_order_kept(self):
        s3 = FakeS3()
        msgs = stream(20)
        k1 = ob.put(s3, "b", msgs[:36], 1)                              # directory
        k2 = ob.put(s3, "b", msgs[24:], 2, directory=False)             # index, ids
        k3 = ob.put(s3, "b", msgs[50:], 3, prefix="2018/10/01/18/")     # directory again
        ds = dataset.read(s3, "b", fields=FIELDS, **TIMES)
        self.assertEqual(sorted(ds["seq"].tolist()), list(range(60)))
        self.assertEqual(ds.report.duplicates, 12 + 10)
        self.assertEqual(sorted([k1, k2, k3]), sorted({k1, k2, k3}))

    def test_parquet_bodies_read_through_the_directory(self):
        s3 = FakeS3()
        key = ob.put(s3, "b", stream(10), 1, body_format="parquet")
        log = []
        ds = dataset.read(s3, "b", keys=[key], devices=["WS-10"], fields=FIELDS,
                          on_request=log.append, **TIMES)
        self.assertEqual(ds["seq"].tolist(), list(range(2, 30, 3)))
        self.assertEqual([r.method for r in log], ["HEAD", "GET"])

    def test_requests_of_a_failing_object_raise(self):
        s3 = FakeS3()
        key = ob.put(s3, "b", stream(10), 1)
        del s3.objects[("b", key + ".idx")]
        with self.assertRaises(Exception):
            dataset.read(s3, "b", keys=[key], use_directory=False)


class BucketReadTest(unittest.TestCase):
    """Objects whose directory did not fit the metadata carry it in buckets of the companion
    index (FORMAT.md 3.4): one device costs HEAD + one ranged GET of its bucket + one ranged
    GET of its group, whatever the number of devices (issue 16)."""

    def setUp(self):
        self.s3 = FakeS3()
        self.devices = [f"D-{d}" for d in range(40)]
        self.msgs = [weld(dev, T0 + m * 60000 + d, m * 40 + d)
                     for m in range(5) for d, dev in enumerate(self.devices)]
        self.key = ob.put(self.s3, "b", self.msgs, 1, buckets=4)
        self.meta = self.s3.objects[("b", self.key)][1]

    def seqs(self, devices):
        return [m[3] for m in self.msgs if m[1].split("/")[0] in devices]

    def test_one_device_costs_head_bucket_and_one_ranged_get(self):
        for body_format in ("jsonl", "parquet"):
            with self.subTest(body_format):
                s3 = FakeS3()
                key = ob.put(s3, "b", self.msgs, 1, buckets=4, body_format=body_format)
                log = []
                ds = dataset.read(s3, "b", keys=[key], devices=["D-7"], fields=FIELDS,
                                  on_request=log.append, **TIMES)
                self.assertEqual([(r.method, r.what) for r in log],
                                 [("HEAD", "data object"), ("GET", "index bucket"),
                                  ("GET", "body range")])
                self.assertEqual(log[1].key, key + ".idx")
                meta = s3.objects[("b", key)][1]
                self.assertEqual(log[1].bytes, int(meta["mqtt2s3-group-buckets"].split(":")[2]))
                self.assertLessEqual(log[1].bytes, 4096)
                self.assertEqual([str(x) for x in ds["seq"].tolist()], self.seqs({"D-7"}))
                self.assertEqual(ds.event_time.tolist(),
                                 [m[2] // 1000 * 1000 for m in self.msgs if
                                  m[1].startswith("D-7/")])
                self.assertEqual((ds.report.directory_objects, ds.report.bucket_objects,
                                  ds.report.index_objects), (1, 1, 0))

    def test_devices_in_two_buckets_cost_two_bucket_gets(self):
        b = fmt.parse_group_buckets(self.meta)
        by_bucket = {}
        for d in self.devices:
            by_bucket.setdefault(b.bucket_of(d), []).append(d)
        pair = [by_bucket[k][0] for k in sorted(by_bucket)[:2]]
        same = by_bucket[sorted(by_bucket)[0]][:2]
        for devices, bucket_gets in ((pair, 2), (same, 1)):
            with self.subTest(devices):
                log = []
                ds = dataset.read(self.s3, "b", keys=[self.key], devices=devices,
                                  fields=FIELDS, on_request=log.append)
                self.assertEqual(sum(r.what == "index bucket" for r in log), bucket_gets)
                self.assertFalse(any(r.what == "index object" for r in log))
                self.assertEqual(sorted(str(x) for x in ds["seq"].tolist()),
                                 sorted(self.seqs(set(devices)), key=str))

    def test_a_device_not_in_the_object_costs_head_and_its_bucket(self):
        log = []
        ds = dataset.read(self.s3, "b", keys=[self.key], devices=["D-99"], fields=FIELDS,
                          on_request=log.append)
        self.assertEqual(len(ds), 0)
        self.assertEqual([r.what for r in log], ["data object", "index bucket"])

    def test_what_the_buckets_cannot_answer_reads_the_index(self):
        # All devices; a window that cuts through the device's group, without a time field to
        # filter on (the bucket tells the group's times; the index has each message's).
        for kw, want, first in (
                (dict(), self.seqs(set(self.devices)), ["data object", "index object"]),
                (dict(devices=["D-7"], time_from=T0 + 60000, time_to=T0 + 120000),
                 [m[3] for m in self.msgs[40:80] if m[1].startswith("D-7/")],
                 ["data object", "index bucket", "index object"])):
            with self.subTest(kw):
                log = []
                ds = dataset.read(self.s3, "b", keys=[self.key], fields=FIELDS,
                                  on_request=log.append, **kw)
                self.assertEqual([r.what for r in log][:len(first)], first)
                self.assertEqual(sorted(str(x) for x in ds["seq"].tolist()), sorted(want))
                self.assertEqual(ds.report.fallbacks, 0)

    def test_a_malformed_bucket_falls_back_to_the_whole_index(self):
        # Three buckets instead of four: records hash elsewhere, so the bucket is refused.
        offset, _, slot, rest = self.meta["mqtt2s3-group-buckets"].split(":", 3)
        self.meta["mqtt2s3-group-buckets"] = f"{offset}:3:{slot}:{rest}"
        log = []
        ds = dataset.read(self.s3, "b", keys=[self.key], devices=["D-7"], fields=FIELDS,
                          on_request=log.append)
        self.assertEqual([r.what for r in log],
                         ["data object", "index bucket", "index object", "body range"])
        self.assertEqual((ds.report.fallbacks, ds.report.index_objects), (1, 1))
        self.assertEqual([str(x) for x in ds["seq"].tolist()], self.seqs({"D-7"}))

    def test_buckets_keyed_by_whole_index_keys_do_not_answer_a_device(self):
        from test_reader import upload_golden
        s3 = FakeS3()
        meta, expected = upload_golden(s3, "b", "buckets", "k")
        log = []
        ds = dataset.read(s3, "b", keys=["k"], devices=["line-1/robot-03"], fields=["/seam"],
                          on_request=log.append)
        self.assertEqual([r.what for r in log], ["data object", "index object", "body range"])
        self.assertEqual(len(ds), sum(e["index_key"] == "line-1/robot-03"
                                      for e in expected["entries"]))


class DiscoveryTest(unittest.TestCase):
    def test_names_select_and_foreign_keys_are_headed(self):
        s3 = FakeS3()
        keys = [ob.put(s3, "b", stream(10, start=10 * n), n,
                       prefix=f"2018/10/01/{17 + n // 6}/") for n in range(12)]
        body, meta, _ = ob.build(stream(10, start=30), companion=False)
        s3.put("b", "odd/name.json", body, meta)          # not a canonical name
        s3.put("b", "odd/other.txt", b"hello")             # not an mqtt2s3 object
        pr = parallel.ParallelReader(s3)
        found = pr.discover("b", T0 + 35 * 60000, T0 + 45 * 60000)
        self.assertEqual([o.key for o in found], keys[3:5] + ["odd/name.json", "odd/other.txt"])
        self.assertFalse(any(o.key.endswith(".idx") for o in found))
        chunks, report = pr.read("b", found, None, T0 + 35 * 60000, T0 + 45 * 60000)
        self.assertEqual(report.not_mqtt2s3, ["odd/other.txt"])
        self.assertEqual(report.duplicates, 15)  # odd/name.json repeats 30..40 of keys[3]

    def test_prefix_template_lists_each_hour(self):
        s3 = FakeS3()
        for n in range(12):
            ob.put(s3, "b", stream(10, start=10 * n), n, prefix=f"2018/10/01/{17 + n // 6}/")
        ob.put(s3, "b", stream(10, start=200), 99, prefix="2018/10/01/20/")
        log = []
        pr = parallel.ParallelReader(s3, on_request=log.append)
        found = pr.discover("b", T0 + 30 * 60000, T0 + 90 * 60000,
                            prefix_template="{first:%Y/%m/%d/%H}/")
        self.assertEqual(sorted(r.key for r in log if r.method == "LIST"),
                         ["2018/10/01/17/", "2018/10/01/18/"])
        self.assertEqual(len(found), 6)

    def test_hour_prefixes(self):
        self.assertEqual(parallel.hour_prefixes("date=%Y-%m-%d/hour=%H/", T0 + 1, T0 + 7200000),
                         ["date=2018-10-01/hour=17/", "date=2018-10-01/hour=18/"])
        self.assertEqual(parallel.hour_prefixes("%Y/%m/%d/", T0, T0 + 86400000),
                         ["2018/10/01/", "2018/10/02/"])
        with self.assertRaises(ValueError):
            parallel.hour_prefixes("%Y/", None, T0)


class DecodeTest(unittest.TestCase):
    def test_field_types_and_absent_values(self):
        docs = dataset.parse_json_many([b'{"a":1,"b":"2.5","c":"x","d":[1,{"e":true}]}',
                                        b'{"a":2,"c":3}', b"not json", b'{"a/b":{"~":7}}'])
        self.assertEqual(docs[2], None)
        col = lambda p: dataset.to_column(dataset.extract(docs, dataset.parse_pointer(p)))  # noqa
        self.assertTrue(np.array_equal(col("/b"), [2.5, np.nan, np.nan, np.nan],
                                       equal_nan=True))
        self.assertEqual(col("/c").tolist(), ["x", 3, None, None])
        self.assertEqual(col("/d/1/e").tolist(), [True, None, None, None])
        self.assertEqual(col("/d/01").tolist(), [None] * 4)
        self.assertTrue(np.array_equal(col("/a~1b/~0"), [np.nan] * 3 + [7.0], equal_nan=True))
        self.assertEqual(col("/a").dtype, np.float64)  # one absent: float64 with NaN
        self.assertEqual(dataset.to_column([1, 2]).dtype, np.int64)
        self.assertTrue(np.isnan(dataset.to_column(["x", 1.5], "float64")[0]))

    def test_payloads_that_merge_are_parsed_one_by_one(self):
        self.assertEqual(dataset.parse_json_many([b"1,2", b"3"]), [None, 3])
        self.assertEqual(dataset.parse_json_many([b"[1", b"2]"]), [None, None])

    def test_compressed_payloads_are_inflated(self):
        s3 = FakeS3()
        msgs = [weld("WS-1", T0 + i * 1000, i, compressed=i % 2 == 1) for i in range(6)]
        key = ob.put(s3, "b", msgs, 1)
        ds = dataset.read(s3, "b", keys=[key], fields=FIELDS, **TIMES)
        self.assertEqual(ds["seq"].tolist(), list(range(6)))
        self.assertEqual(ds.event_time.tolist(), [T0 + i * 1000 for i in range(6)])
        self.assertEqual(s3.objects[("b", key)][0].count(b"seq"), 3)  # stored bytes as sent

    def test_fixed_width_times_match_strptime(self):
        values = [stamp(T0 + k * 7777777) for k in range(50)] + ["20181301 000000"]
        fast = dataset.parse_times(values, "%Y%m%d %H%M%S")
        self.assertEqual(fast[:50].tolist(), [T0 + k * 7777777 // 1000 * 1000 for k in range(50)])
        self.assertEqual(fast[50], dataset.NAT)
        slow = dataset.parse_times(["2018-10-01T17:00:00Z", 5, None, "junk"], None)
        self.assertEqual(slow.tolist(), [T0, 5, dataset.NAT, dataset.NAT])

    def test_to_pandas(self):
        s3 = FakeS3()
        key = ob.put(s3, "b", stream(2), 1)
        df = dataset.read(s3, "b", keys=[key], fields=FIELDS, **TIMES).to_pandas()
        self.assertEqual(list(df.columns), ["event_time", "device", "volts", "seq", "absent"])
        self.assertEqual(str(df["event_time"].dtype), "datetime64[ms, UTC]")
        self.assertEqual(df["event_time"].iloc[0].isoformat(), "2018-10-01T17:00:00+00:00")

    def test_arguments_are_checked(self):
        with self.assertRaises(ValueError):
            dataset.read(FakeS3(), keys=[])
        with self.assertRaises(ValueError):
            dataset.read(FakeS3(), "b", time_from=2, time_to=1)
        with self.assertRaises(ValueError):
            dataset.read(FakeS3(), "b", fields={"device": "/d"})
        with self.assertRaises(ValueError):
            dataset.read(FakeS3(), "b", fields={"x": "a"})

    def test_plant_names_the_bucket(self):
        s3 = FakeS3()
        ob.put(s3, "company-x-plant-7", stream(1), 1)
        ds = dataset.read(s3, plant=7, fields=FIELDS, reader=Reader(s3))
        self.assertEqual(len(ds), 3)


ROUTE_YAML = """\
routes:
  - name: other
    filter: "x/#"
  - name: sensors
    filter: "S/#"
    time_field: /ts
    time_format: rfc3339
    format: parquet
    columns:
      - {name: temp, pointer: /sensors/0/t, type: double}
      - {name: count, pointer: /n, type: int64}
      - {name: label, pointer: /label}
      - {name: on, pointer: /on, type: bool}
      - {name: seen, pointer: /seen, type: timestamp, time_format: "%Y%m%d %H%M%S"}
"""


def sensor(dev, i, **extra):
    doc = {"ts": f"2018-10-01T17:00:{i:02d}Z", "sensors": [{"t": f"{20 + i / 4}"}], "n": i,
           "label": f"L{i}", "on": i % 2, "seen": "20181001 170000"}
    doc.update(extra)
    payload = json.dumps(doc, separators=(",", ":")).encode()
    return (f"S/{dev}", f"{dev}/{i}", T0 + i * 1000, str(i), payload)


class TypedFieldsTest(unittest.TestCase):
    """Any route's payload: JSON pointers as a list, route column types, a config's columns."""

    def setUp(self):
        self.s3 = FakeS3()
        msgs = [sensor("D1", i) for i in range(4)]
        msgs.append(sensor("D1", 4, sensors=[], n="4.0", on="true", seen="junk", label=7))
        msgs.append(sensor("D1", 5, n=2.5, on=2, label=None, sensors=[{"t": " 1"}]))
        msgs.append(("S/D1", "D1/6", T0 + 6000, "6", b"not json"))
        self.key = ob.put(self.s3, "b", msgs, 1)
        tmp = tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False)
        tmp.write(ROUTE_YAML)
        tmp.close()
        self.config = tmp.name
        self.addCleanup(os.unlink, tmp.name)

    def test_a_list_of_pointers_names_each_column_by_its_pointer(self):
        ds = dataset.read(self.s3, "b", keys=[self.key], fields=["/sensors/0/t", "/n"])
        self.assertEqual(list(ds.columns), ["/sensors/0/t", "/n"])
        self.assertEqual(ds["/n"][:4].tolist(), [0, 1, 2, 3])
        self.assertEqual(len(ds), 7)  # nothing dropped

    def test_route_types_follow_the_converter_and_nulls_are_counted(self):
        ds = dataset.read(self.s3, "b", keys=[self.key],
                          fields={"t": ("/sensors/0/t", "double"), "n": ("/n", "int64"),
                                  "on": ("/on", "bool"), "label": ("/label", "string")})
        self.assertTrue(np.array_equal(ds["t"], [20, 20.25, 20.5, 20.75, np.nan, np.nan, np.nan],
                                       equal_nan=True))  # " 1" is not wholly a number
        self.assertTrue(np.array_equal(ds["n"], [0, 1, 2, 3, 4, np.nan, np.nan], equal_nan=True))
        self.assertEqual(ds["on"].tolist(), [False, True, False, True, True, None, None])
        self.assertEqual(ds["label"].tolist(), ["L0", "L1", "L2", "L3", "7", None, None])
        self.assertEqual(ds.nulls, {"t": 3, "n": 2, "on": 2, "label": 2})

    def test_a_routes_columns_come_from_the_config_file(self):
        ds = dataset.read(self.s3, "b", keys=[self.key], config=self.config, route="sensors",
                          use_directory=False)
        self.assertEqual(list(ds.columns), ["temp", "count", "label", "on", "seen"])
        self.assertEqual(ds.types, {"temp": "double", "count": "int64", "label": "string",
                                    "on": "bool", "seen": "timestamp"})
        self.assertEqual(ds["count"].dtype, np.float64)  # int64 with nulls: NaN
        self.assertEqual(ds["seen"].tolist(), [T0] * 4 + [dataset.NAT, T0, dataset.NAT])
        self.assertEqual(ds.nulls["seen"], 2)
        df = ds.to_pandas()
        self.assertEqual(str(df["seen"].dtype), "datetime64[ms, UTC]")

    def test_column_names_and_pointers_mix_and_the_route_gives_the_time_field(self):
        ds = dataset.read(self.s3, "b", time_from=T0 + 1000, time_to=T0 + 3000,
                          config=self.config, route="sensors",
                          fields=["temp", "/label", "count"])
        self.assertEqual(list(ds.columns), ["temp", "/label", "count"])
        self.assertEqual(ds["count"].tolist(), [1, 2])
        self.assertEqual(ds.event_time.tolist(), [T0 + 1000, T0 + 2000])
        ds = dataset.read(self.s3, "b", keys=[self.key], config=self.config, route="sensors",
                          fields={"c": ("count", "double"), "t": "temp"})
        self.assertEqual(ds.types, {"c": "double", "t": "double"})

    def test_unknown_routes_and_columns_are_errors(self):
        with self.assertRaisesRegex(ValueError, "no route 'nope'"):
            dataset.read(self.s3, "b", keys=[], config=self.config, route="nope")
        with self.assertRaisesRegex(ValueError, "2 routes"):
            dataset.read(self.s3, "b", keys=[], config=self.config)
        with self.assertRaisesRegex(ValueError, "neither a JSON pointer nor a column"):
            dataset.read(self.s3, "b", keys=[], config=self.config, route="sensors",
                         fields=["tmp"])
        with self.assertRaises(ValueError):
            dataset.read(self.s3, "b", keys=[], fields=["/a", "/a"])
        with self.assertRaises(ValueError):
            dataset.read(self.s3, "b", keys=[], fields={"x": ("/a", "float32")})


class ColumnRulesTest(unittest.TestCase):
    """mqtt2s3.columns against the cases of src/route/column_extractor_test.cc."""

    def test_numbers_and_switches_sent_as_strings_convert_when_the_whole_string_is_one(self):
        vals = ["229.7", "1e3", "", " 1", "+1", "1.", ".5", "nan", "inf", "12a", 2, 2.5, True,
                None, {}, []]
        d, nulls = columns.convert(vals, "double")
        self.assertTrue(np.array_equal(d, [229.7, 1000, np.nan, np.nan, np.nan, 1, .5, np.nan,
                                           np.nan, np.nan, 2, 2.5] + [np.nan] * 4,
                                       equal_nan=True))
        self.assertEqual(nulls, 10)
        i, nulls = columns.convert(["-42", "3.0", "1e3", "9223372036854775808", 2.0, 2.5, 7,
                                    2 ** 63, False], "int64")
        self.assertTrue(np.array_equal(i, [-42, 3, 1000, np.nan, 2, np.nan, 7, np.nan, np.nan],
                                       equal_nan=True))
        self.assertEqual(columns.convert([1, 2], "int64")[0].dtype, np.int64)
        b, nulls = columns.convert([True, "true", "1", 1, False, "false", "0", 0, 1.0, 2,
                                    "yes", None], "bool")
        self.assertEqual(b.tolist(), [True] * 4 + [False] * 4 + [None] * 4)
        self.assertEqual(columns.convert([True, 0], "bool")[0].dtype, bool)
        s, nulls = columns.convert(["h\u00e9", 42, 2.0, 1.5, True, None, [1]], "string")
        self.assertEqual(s.tolist(), ["h\u00e9", "42", "2", "1.5", "true", None, None])

    def test_timestamps(self):
        t, nulls = columns.convert([1538413200123, 1538413200123.9, "2018-10-01T17:00:00Z",
                                    "2018-10-01T18:00:00+01:00", "yesterday", True],
                                   "timestamp")
        self.assertEqual(t.tolist(), [T0 + 123, T0 + 123, T0, T0] + [columns.NAT] * 2)
        self.assertEqual(nulls, 2)
        t, _ = columns.convert(["20181001 180000"], "timestamp", "%Y%m%d %H%M%S", "+01:00")
        self.assertEqual(t.tolist(), [T0])
        t, _ = columns.convert(["1538413200", "1538413200123"], "timestamp", "unix_s")
        self.assertEqual(t[0], T0)
        self.assertEqual(dataset.event_times(["1538413200123"], "unix_ms").tolist(), [T0 + 123])
        self.assertEqual(dataset.event_times(["20181001 180000"], "%Y%m%d %H%M%S",
                                             "+0100").tolist(), [T0])


if __name__ == "__main__":
    unittest.main()
