"""mqtt2s3.reader against an in-memory S3 fake holding the golden objects of
src/format/testdata/ (request counts, coalescing, dedupe, listing by name, CLI).
The same flows run against the real RGW in test_reader_integration.py.

Run: /usr/bin/python3 -m unittest discover -s python/tests -p 'test_reader.py'
"""

import contextlib
import io
import json
import os
import re
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
TESTDATA = os.path.join(HERE, "..", "..", "src", "format", "testdata")

from mqtt2s3 import format as fmt  # noqa: E402
from mqtt2s3 import reader as rd  # noqa: E402
from mqtt2s3.names import format_object_name  # noqa: E402


def read(name, mode="rb"):
    with open(os.path.join(TESTDATA, name), mode) as f:
        return f.read()


class FakeError(Exception):
    def __init__(self, code):
        super().__init__(code)
        self.response = {"Error": {"Code": code}}


class FakeS3:
    """The boto3 calls Reader makes, over a dict; one range per GET like S3 and RGW."""

    def __init__(self, page_size=1000):
        self.objects = {}  # (bucket, key) -> (body, metadata, etag)
        self.page_size = page_size

    def put(self, bucket, key, body, metadata=None):
        self.objects[(bucket, key)] = (body, dict(metadata or {}), f'"etag-{len(body)}-{key}"')

    def head_object(self, Bucket, Key):
        if (Bucket, Key) not in self.objects:
            raise FakeError("404")
        body, meta, etag = self.objects[(Bucket, Key)]
        return {"Metadata": meta, "ETag": etag, "ContentLength": len(body)}

    def get_object(self, Bucket, Key, Range=None, IfMatch=None):
        if (Bucket, Key) not in self.objects:
            raise FakeError("NoSuchKey")
        body, _, etag = self.objects[(Bucket, Key)]
        if IfMatch is not None and IfMatch != etag:
            raise FakeError("PreconditionFailed")
        if Range:
            m = re.fullmatch(r"bytes=(\d+)-(\d+)", Range)
            body = body[int(m.group(1)):int(m.group(2)) + 1]
        return {"Body": io.BytesIO(body)}

    def list_objects_v2(self, Bucket, Prefix="", ContinuationToken=None):
        keys = sorted(k for b, k in self.objects if b == Bucket and k.startswith(Prefix))
        start = int(ContinuationToken or 0)
        page = keys[start:start + self.page_size]
        out = {"Contents": [{"Key": k, "Size": len(self.objects[(Bucket, k)][0])} for k in page],
               "IsTruncated": start + self.page_size < len(keys)}
        if out["IsTruncated"]:
            out["NextContinuationToken"] = str(start + self.page_size)
        return out


def upload_golden(s3, bucket, name, key):
    meta = json.loads(read(name + ".meta.json", "r"))
    if meta["mqtt2s3-index-location"] == "object":
        s3.put(bucket, key + ".idx", read(name + ".idx"))
    s3.put(bucket, key, read(name + ".body"), meta)
    return meta, json.loads(read(name + ".expected.json", "r"))


def golden_key(name, meta, seq):
    return "plant/" + format_object_name(int(meta["mqtt2s3-first-event-ms"]),
                                         int(meta["mqtt2s3-last-event-ms"]), "gw-1", seq, "jsonl")


class ReaderTest(unittest.TestCase):
    def setUp(self):
        self.s3 = FakeS3()
        self.keys = {}
        self.expected = {}
        for seq, name in enumerate(("example3", "companion", "plain")):
            meta = json.loads(read(name + ".meta.json", "r"))
            key = golden_key(name, meta, seq)
            upload_golden(self.s3, "b", name, key)
            self.keys[name] = key
            self.expected[name] = json.loads(read(name + ".expected.json", "r"))

    def test_one_message_with_inline_index_costs_one_head_and_one_ranged_get(self):
        r = rd.Reader(self.s3)
        key = self.keys["example3"]
        obj = r.open("b", key)
        self.assertEqual(obj.index_from, "inline")
        msgs = r.fetch("b", key, [2])
        want = self.expected["example3"]["entries"][2]
        self.assertEqual(msgs[0].payload, want["payload"].encode())
        self.assertEqual((msgs[0].index_key, msgs[0].topic, msgs[0].event_time_ms,
                          msgs[0].dedupe_id),
                         (want["index_key"], want["topic"], want["event_time_ms"],
                          want["dedupe_id"]))
        self.assertEqual((r.stats.heads, r.stats.gets, r.stats.bytes), (1, 1, want["length"]))

    def test_one_message_with_companion_index_costs_head_index_get_and_ranged_get(self):
        requests = []
        r = rd.Reader(self.s3, on_request=requests.append)
        key = self.keys["companion"]
        want = self.expected["companion"]["entries"][57]
        msgs = r.fetch("b", key, [57])  # opens on demand
        self.assertEqual(msgs[0].payload, want["payload"].encode())
        self.assertEqual((r.stats.heads, r.stats.gets), (1, 2))
        self.assertEqual([(q.method, q.key, q.range) for q in requests],
                         [("HEAD", key, ""), ("GET", key + ".idx", ""),
                          ("GET", key, fmt.http_range(want["offset"], want["length"]))])
        self.assertEqual(r.stats.bytes, 1507 + want["length"])

    def test_one_cluster_of_a_clustered_object_is_one_ranged_get_even_without_gaps(self):
        # companion is clustered by the first key component (the production line).
        r = rd.Reader(self.s3, max_gap=0)
        key = self.keys["companion"]
        obj = r.open("b", key)
        entries = r.select(obj.index, component="line-2")
        want = [e for e in self.expected["companion"]["entries"]
                if e["index_key"].startswith("line-2/")]
        self.assertEqual(len(entries), len(want))
        msgs = r.fetch("b", key, entries)
        self.assertEqual([m.payload for m in msgs], [e["payload"].encode() for e in want])
        self.assertEqual(r.stats.gets, 2)  # index object + one range
        g = obj.index.groups[1]
        self.assertEqual(r.stats.bytes, 1507 + g.length)

    def test_one_device_interleaved_within_its_cluster_is_one_get_with_the_default_gap(self):
        r = rd.Reader(self.s3)
        key = self.keys["companion"]
        obj = r.open("b", key)
        entries = r.select(obj.index, key_prefix="line-1/robot-03")
        want = [e for e in self.expected["companion"]["entries"]
                if e["index_key"] == "line-1/robot-03"]
        msgs = r.fetch("b", key, entries)
        self.assertEqual([m.payload for m in msgs], [e["payload"].encode() for e in want])
        self.assertEqual(r.stats.gets, 2)

    def test_max_gap_decides_how_far_apart_ranges_are_merged(self):
        key = self.keys["companion"]
        entries = [0, 50, 100]
        tight = rd.Reader(self.s3, max_gap=0)
        tight.fetch("b", key, entries)
        loose = rd.Reader(self.s3, max_gap=1 << 20)
        got = loose.fetch("b", key, entries)
        self.assertEqual(tight.stats.gets, 1 + 3)
        self.assertEqual(loose.stats.gets, 1 + 1)
        exp = self.expected["companion"]["entries"]
        self.assertEqual([m.payload for m in got], [exp[i]["payload"].encode() for i in entries])

    def test_messages_come_in_the_order_the_entries_were_asked_for(self):
        r = rd.Reader(self.s3)
        key = self.keys["companion"]
        got = r.fetch("b", key, [100, 3, 57, 0])
        exp = self.expected["companion"]["entries"]
        self.assertEqual([m.entry for m in got], [100, 3, 57, 0])
        self.assertEqual([m.payload for m in got],
                         [exp[i]["payload"].encode() for i in (100, 3, 57, 0)])
        self.assertEqual(r.stats.gets, 2)  # index + one range: all within max_gap

    def test_select_combines_component_and_time_window(self):
        r = rd.Reader(self.s3)
        obj = r.open("b", self.keys["companion"])
        exp = self.expected["companion"]["entries"]
        t_from = exp[0]["event_time_ms"] + 100
        t_to = t_from + 500
        got = r.select(obj.index, component="robot-02", component_index=1, time_from=t_from,
                       time_to=t_to)
        want = [i for i, e in enumerate(exp) if e["index_key"].split("/")[1] == "robot-02"
                and t_from <= e["event_time_ms"] < t_to]
        self.assertTrue(want)
        self.assertEqual(got, want)
        self.assertEqual(r.select(obj.index, component="line-1"),
                         [i for i, e in enumerate(exp) if e["index_key"].startswith("line-1/")])
        self.assertEqual(r.select(obj.index, component="robot-00", component_index=5), [])

    def test_dedupe_skips_ids_already_returned_from_another_object(self):
        key = self.keys["example3"]
        body, meta, _ = self.s3.objects[("b", key)]
        twin = key.replace("_0000000000.", "_0000000009.")
        self.s3.put("b", twin, body, meta)
        r = rd.Reader(self.s3, dedupe=True)
        self.assertEqual(len(r.fetch("b", key, [0, 1, 2])), 3)
        self.assertEqual(r.fetch("b", twin, [0, 1, 2]), [])
        plain = rd.Reader(self.s3)
        self.assertEqual(len(plain.fetch("b", twin, [0, 1, 2])), 3)

    def test_listing_uses_names_only_and_filters_by_time(self):
        self.s3.put("b", "plant/not-a-batch.txt", b"x")
        r = rd.Reader(self.s3)
        all_keys = [o.key for o in r.list_objects("b", "plant/")]
        self.assertIn("plant/not-a-batch.txt", all_keys)
        self.assertNotIn(self.keys["companion"] + ".idx", all_keys)
        self.assertEqual(r.stats.heads + r.stats.gets, 0)
        first = int(json.loads(read("companion.meta.json", "r"))["mqtt2s3-last-event-ms"])
        late = [o.key for o in r.list_objects("b", "plant/", time_from=first)]
        self.assertIn(self.keys["companion"], late)
        self.assertNotIn("plant/not-a-batch.txt", late)
        none = r.list_objects("b", "plant/", time_from=first + 10 ** 9)
        self.assertEqual(none, [])
        self.assertEqual(r.stats.heads + r.stats.gets, 0)

    def test_listing_the_whole_bucket_leaves_out_index_objects_under_the_index_prefix(self):
        # The converter's default layout: _index/<data key>.idx, with or without its data
        # object listed yet (the index is stored first).
        key = self.keys["companion"]
        self.s3.put("b", "_index/" + key + ".idx", read("companion.idx"))
        self.s3.put("b", "_index/plant/" + format_object_name(1, 2, "gw-1", 99, "jsonl")
                    + ".idx", b"x")
        r = rd.Reader(self.s3)
        keys = [o.key for o in r.list_objects("b")]
        self.assertEqual(sorted(keys), sorted(self.keys.values()))
        keys = [o.key for o in r.list_objects("b", time_from=0, time_to=10 ** 15)]
        self.assertEqual(sorted(keys), sorted(self.keys.values()))

    def test_listing_follows_continuation_pages(self):
        self.s3.page_size = 2
        r = rd.Reader(self.s3)
        self.assertEqual(len(r.list_objects("b", "plant/")), 3)
        self.assertEqual(r.stats.lists, 2)  # 3 data keys + 1 companion index, pages of 2

    def test_companion_index_that_does_not_match_is_reported_after_one_retry(self):
        key = self.keys["companion"]
        idx = bytearray(self.s3.objects[("b", key + ".idx")][0])
        idx[100] ^= 1
        self.s3.put("b", key + ".idx", bytes(idx))
        r = rd.Reader(self.s3)
        with self.assertRaises(fmt.ChecksumMismatch) as cm:
            r.open("b", key)
        self.assertIn("index checksum mismatch", str(cm.exception))
        self.assertEqual((r.stats.heads, r.stats.gets), (2, 2))

    def test_an_implausibly_large_companion_index_is_refused_without_a_get(self):
        r = rd.Reader(self.s3, max_index_bytes=1000)
        with self.assertRaises(fmt.FormatError) as cm:
            r.open("b", self.keys["companion"])
        self.assertIn("1507 bytes is over the 1000-byte limit", str(cm.exception))
        self.assertEqual((r.stats.heads, r.stats.gets), (1, 0))

    def test_a_replaced_object_fails_the_ranged_get_instead_of_returning_other_bytes(self):
        key = self.keys["example3"]
        r = rd.Reader(self.s3)
        r.open("b", key)
        body, meta, _ = self.s3.objects[("b", key)]
        self.s3.objects[("b", key)] = (body, meta, '"other"')
        with self.assertRaises(rd.ReaderError) as cm:
            r.fetch("b", key, [0])
        self.assertIn("replaced", str(cm.exception))

    def test_whole_body_read_is_checked_against_its_sha256(self):
        r = rd.Reader(self.s3)
        self.assertEqual(r.read_body("b", self.keys["plain"]), read("plain.body"))
        key = self.keys["plain"]
        body, meta, etag = self.s3.objects[("b", key)]
        self.s3.objects[("b", key)] = (body[:-1] + b"?", meta, etag)
        with self.assertRaises(fmt.ChecksumMismatch):
            rd.Reader(self.s3).read_body("b", key)

    def test_query_walks_listing_open_select_fetch(self):
        r = rd.Reader(self.s3)
        msgs = list(r.query("b", "plant/", key_prefix="line-1/robot-01"))
        want = sum(1 for n in ("example3", "companion", "plain")
                   for e in self.expected[n]["entries"] if e["index_key"].startswith(
                       "line-1/robot-01"))
        self.assertEqual(len(msgs), want)
        self.assertTrue(all(m.index_key.startswith("line-1/robot-01") for m in msgs))


class CliTest(unittest.TestCase):
    def setUp(self):
        self.s3 = FakeS3()
        meta = json.loads(read("companion.meta.json", "r"))
        self.key = golden_key("companion", meta, 1)
        upload_golden(self.s3, "b", "companion", self.key)
        self.expected = json.loads(read("companion.expected.json", "r"))
        self._make = rd.make_client
        rd.make_client = lambda endpoint, region: self.s3

    def tearDown(self):
        rd.make_client = self._make

    def run_cli(self, *args):
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stderr(err):
            rc = rd.main(list(args), out=out)
        self.stderr = err.getvalue()
        return rc, out.getvalue()

    def test_ls_prints_the_time_range_from_the_name_in_the_cpp_columns(self):
        rc, out = self.run_cli("ls", "-b", "b", "-p", "plant/", "--from", "2025-11-22 02:00")
        self.assertEqual(rc, 0)
        lines = out.splitlines()
        self.assertEqual(lines[0], "# first_event\tlast_event\tsize\tinstance\tseq\tkey")
        self.assertEqual(lines[1].split("\t"), ["2025-11-22T02:00:00.000Z",
                                                "2025-11-22T02:00:01.193Z", "14548", "gw-1",
                                                "1", self.key])
        self.assertEqual(len(lines), 2)

    def test_inspect_prints_counts_index_location_and_clusters(self):
        rc, out = self.run_cli("inspect", "-b", "b", "-k", self.key, "--verify-body")
        self.assertEqual(rc, 0)
        self.assertIn("messages:        120\n", out)
        self.assertIn(f"index:           companion object '{self.key}.idx', 1507 bytes", out)
        self.assertIn("body checksum:   ok", out)
        self.assertIn("clusters:        3\n  line-1\t60 message(s)\tbytes 0-7227 (7227 bytes)",
                      out)

    def test_get_prints_tab_separated_lines_of_the_selected_messages(self):
        rc, out = self.run_cli("get", "-b", "b", "-k", self.key, "--device", "robot-03",
                               "--device-component", "1", "--to", "1763776800100")
        self.assertEqual(rc, 0)
        want = [e for e in self.expected["entries"]
                if e["index_key"] == "line-1/robot-03" and e["event_time_ms"] < 1763776800100]
        self.assertEqual(out.splitlines(), [
            f"{rd.iso_ms(e['event_time_ms'])}\t{e['index_key']}\t{e['topic']}\t{e['payload']}"
            for e in want])

    def test_get_payload_only_writes_exact_bytes_to_the_out_file(self):
        import tempfile
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "out")
            rc, _ = self.run_cli("get", "-b", "b", "-k", self.key, "--index-key",
                                 "line-2/robot-01", "--payload-only", "-o", path)
            self.assertEqual(rc, 0)
            with open(path, "rb") as f:
                got = f.read()
        want = b"".join(e["payload"].encode() + b"\n" for e in self.expected["entries"]
                        if e["index_key"] == "line-2/robot-01")
        self.assertEqual(got, want)

    def test_usage_errors_exit_2_and_runtime_errors_exit_1(self):
        self.assertEqual(self.run_cli("get", "-b", "b", "-k", self.key, "--from", "yesterday")[0],
                         2)
        self.assertEqual(self.run_cli("get", "-b", "b", "-k", self.key, "--from", "2025-11-23",
                                      "--to", "2025-11-22")[0], 2)
        self.assertEqual(self.run_cli("inspect", "-b", "b", "-k", "a", "-k", "b")[0], 2)
        self.assertEqual(self.run_cli("get", "-b", "b", "-k", "plant/nope")[0], 1)
        self.assertIn("mqtt2s3 get: head_object b/plant/nope", self.stderr)


class TimeArgTest(unittest.TestCase):
    T = 1538413200000  # 2018-10-01T17:00:00Z

    def test_every_spelling_of_the_same_instant_parses_as_in_cpp(self):
        for s in ("2018-10-01 17:00", "2018-10-01T17:00", "2018-10-01T17:00:00Z",
                  "2018-10-01T17:00:00.000Z", "2018-10-01 17:00:00", "1538413200000"):
            self.assertEqual(rd.parse_time(s), self.T, s)
        self.assertEqual(rd.parse_time("2018-10-01"), self.T - 17 * 3600000)
        self.assertEqual(rd.parse_time("2018-10-01T17:27:39.250Z"), self.T + 1659250)
        self.assertEqual(rd.iso_ms(self.T + 1659250), "2018-10-01T17:27:39.250Z")

    def test_malformed_times_are_rejected_naming_the_input(self):
        for s in ("", "yesterday", "2018-13-01", "2018-10-01T25:00", "2018-10-01T17",
                  "2018-10-01T17:00:00+02:00", "-5", "２018-10-01"):
            with self.assertRaises(ValueError) as cm:
                rd.parse_time(s)
            self.assertIn(f"'{s}'", str(cm.exception))

if __name__ == "__main__":
    unittest.main()
