"""The group directory in object metadata (mqtt2s3-groups-*): parsing hand-made metadata,
the key's percent-encoding, every malformation read as "no directory", and the framing of a
group's range (JSON Lines separator, Parquet length prefixes).

Run: .venv/bin/python -m unittest discover -s python/tests -p 'test_directory.py'
"""

import os
import struct
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
sys.path.insert(0, HERE)

from mqtt2s3 import format as fmt  # noqa: E402
import object_builder as ob  # noqa: E402

T0 = 1538413200000


def messages():
    out = []
    for k in range(4):
        for dev in ("B-2", "A-1", "C 3,x:y%"):
            out.append((f"r/{dev}", f"{dev}/t/{k}", T0 + 1000 * k + len(dev), f"{dev}:{k}",
                        b'{"k":%d,"d":"%s"}' % (k, dev.encode())))
    return out


class DirectoryParsingTest(unittest.TestCase):
    def setUp(self):
        self.body, self.meta, _ = ob.build(messages())

    def test_records_give_key_range_count_and_absolute_times(self):
        groups = fmt.parse_group_directory(self.meta)
        self.assertEqual([g.key for g in groups], ["A-1", "B-2", "C 3,x:y%"])
        self.assertEqual([g.count for g in groups], [4, 4, 4])
        self.assertEqual(groups[0].offset, 0)
        self.assertEqual(groups[0].first_event_ms, T0 + 3)
        self.assertEqual(groups[2].last_event_ms, T0 + 3000 + 8)
        for g in groups:
            data = self.body[g.offset:g.offset + g.length]
            payloads = fmt.split_group(fmt.parse_info(self.meta), g, data)
            self.assertEqual(len(payloads), 4)
            self.assertTrue(all(g.key.encode() in p for p in payloads))

    def test_keys_are_percent_encoded_canonically(self):
        self.assertEqual(fmt.encode_directory_key(b"C 3,x:y%"), "C%203%2Cx%3Ay%25")
        self.assertEqual(fmt.encode_directory_key("é/ü".encode()), "%C3%A9/%C3%BC")
        self.assertIn("C%203%2Cx%3Ay%25:", self.meta["mqtt2s3-groups-0"])

    def test_parts_are_concatenated_in_order(self):
        _, meta, _ = ob.build(messages(), directory_parts=3)
        self.assertEqual(meta["mqtt2s3-groups-parts"], "3")
        self.assertEqual([g.key for g in fmt.parse_group_directory(meta)],
                         ["A-1", "B-2", "C 3,x:y%"])

    def test_names_match_case_insensitively_with_or_without_prefix(self):
        meta = {("X-Amz-Meta-" + k.upper() if k.startswith("mqtt2s3-groups") else k): v
                for k, v in self.meta.items()}
        self.assertEqual(len(fmt.parse_group_directory(meta)), 3)

    def test_absent_directory_is_none(self):
        meta = {k: v for k, v in self.meta.items() if not k.startswith("mqtt2s3-groups")}
        self.assertIsNone(fmt.parse_group_directory(meta))

    def malformed(self, **changes):
        meta = dict(self.meta)
        for k, v in changes.items():
            name = "mqtt2s3-groups-" + k.replace("_", "-")
            if v is None:
                meta.pop(name, None)
            else:
                meta[name] = v
        return fmt.parse_group_directory(meta)

    def test_every_malformation_means_no_directory(self):
        recs = self.meta["mqtt2s3-groups-0"].split(",")
        first = recs[0].split(":")

        def rec0(i, value):
            f = list(first)
            f[i] = value
            return ",".join([":".join(f)] + recs[1:])
        cases = {
            "parts zero": dict(parts="0"),
            "parts not decimal": dict(parts="1x"),
            "parts leading zero": dict(parts="01"),
            "parts more than given": dict(parts="2"),
            "empty part": {"0": ""},
            "empty record": {"0": ",".join(recs) + ","},
            "five fields": {"0": rec0(5, "1:2")[:-4]},
            "seven fields": {"0": rec0(5, first[5] + ":1")},
            "lowercase escape": {"0": self.meta["mqtt2s3-groups-0"].replace("%2C", "%2c")},
            "needless escape": {"0": rec0(0, "%41-1")},
            "raw comma-free space": {"0": rec0(0, "A 1")},
            "bad hex": {"0": rec0(0, "A%G1")},
            "negative offset": {"0": rec0(1, "-1")},
            "offset leading zero": {"0": rec0(1, "00")},
            "count zero": {"0": rec0(3, "0")},
            "count too small in total": {"0": rec0(3, "3")},
            "range past body": {"0": rec0(2, str(len(self.body)))},
            "first after last": {"0": rec0(4, str(int(first[5]) + 1))},
            "last past object": {"0": rec0(5, "999999999")},
            "keys not ascending": {"0": ",".join([recs[1], recs[0], recs[2]])},
            "key repeated": {"0": ",".join([recs[0], recs[0], recs[2]])},
        }
        for what, change in cases.items():
            with self.subTest(what):
                self.assertIsNone(self.malformed(**change))

    def test_unparsable_object_metadata_means_no_directory(self):
        meta = dict(self.meta, **{"mqtt2s3-count": "x"})
        self.assertIsNone(fmt.parse_group_directory(meta))


class FramingTest(unittest.TestCase):
    def test_json_lines_split_must_give_the_count(self):
        body, meta, _ = ob.build(messages())
        info = fmt.parse_info(meta)
        g = fmt.parse_group_directory(meta)[0]
        data = body[g.offset:g.offset + g.length]
        self.assertEqual(len(fmt.split_group(info, g, data)), 4)
        self.assertIsNone(fmt.split_group(info, g, data + b"\nextra"))
        g.count = 5
        self.assertIsNone(fmt.split_group(info, g, data))

    def test_empty_separator_has_no_framing(self):
        _, meta, _ = ob.build(messages(), sep=b"")
        info = fmt.parse_info(meta)
        g = fmt.parse_group_directory(meta)[0]
        self.assertIsNone(fmt.split_group(info, g, b"{}{}"))

    def test_parquet_range_starts_at_the_length_prefix(self):
        body, meta, _ = ob.build(messages(), body_format="parquet")
        info = fmt.parse_info(meta)
        groups = fmt.parse_group_directory(meta)
        for g in groups:
            off, length = g.fetch_range(info)
            self.assertEqual(off, g.offset - 4)
            payloads = fmt.split_group(info, g, body[off:off + length])
            self.assertEqual(len(payloads), 4)
            self.assertTrue(all(p.startswith(b'{"k":') for p in payloads))

    def test_parquet_run_with_wrong_count_or_trailing_bytes_is_refused(self):
        info = fmt.parse_info(ob.build(messages(), body_format="parquet")[1])
        g = fmt.DirectoryGroup("k", 4, 0, 2, T0, T0)
        run = struct.pack("<I", 2) + b"ab" + struct.pack("<I", 1) + b"c"
        self.assertEqual(fmt.split_group(info, g, run), [b"ab", b"c"])
        self.assertIsNone(fmt.split_group(info, g, run + b"x"))
        self.assertIsNone(fmt.split_group(info, g, run[:-1]))
        g.count = 3
        self.assertIsNone(fmt.split_group(info, g, run))



class BucketsTest(unittest.TestCase):
    """The directory in buckets of the companion index (FORMAT.md 3.4): every record in the
    bucket its key hashes to, and every malformed bucket read as "use the whole index"."""

    def setUp(self):
        msgs = [(f"t/D{d}", f"D{d}/x/{i}", T0 + 100 * i + d, f"{d}:{i}",
                 b'{"d":%d,"i":%d}' % (d, i)) for i in range(5) for d in range(40)]
        self.body, self.meta, self.index = ob.build(msgs, buckets=4)
        self.info = fmt.parse_info(self.meta)
        self.b = fmt.parse_group_buckets(self.meta)

    def slot(self, bucket):
        start, length = self.b.slot_range(bucket)
        return self.index[start:start + length]

    def test_every_group_is_in_the_bucket_of_its_key(self):
        self.assertNotIn("mqtt2s3-groups-parts", self.meta)
        self.assertEqual((self.b.buckets, self.b.components, self.b.delimiter), (4, 1, "/"))
        found = {}
        for bucket in range(4):
            for g in fmt.parse_group_bucket(self.info, self.b, bucket, self.slot(bucket)):
                self.assertEqual(self.b.bucket_of(g.key), bucket)
                payloads = fmt.split_group(self.info, g, self.body[g.offset:g.offset + g.length])
                self.assertEqual(payloads, [b'{"d":%s,"i":%d}' % (g.key[1:].encode(), i)
                                            for i in range(5)])
                found[g.key] = g
        self.assertEqual(sorted(found), sorted(f"D{d}" for d in range(40)))
        self.assertEqual(found["D7"].first_event_ms, T0 + 7)
        self.assertEqual(found["D7"].last_event_ms, T0 + 407)
        self.assertEqual(self.b.cluster_key_of("D7/x/3"), "D7")
        self.assertEqual(self.b.cluster_key_of("D7"), "D7")

    def test_the_hash_is_fnv1a_64(self):
        self.assertEqual(fmt.group_bucket_hash(b""), 0xcbf29ce484222325)
        self.assertEqual(fmt.group_bucket_hash(b"a"), 0xaf63dc4c8601ec8c)

    def test_an_empty_bucket_has_no_groups(self):
        _, meta, index = ob.build(messages(), buckets=8)
        b = fmt.parse_group_buckets(meta)
        used = {b.bucket_of(g) for g in ("A-1", "B-2", "C 3,x:y%")}
        empty = [k for k in range(8) if k not in used]
        start, length = b.slot_range(empty[0])
        self.assertEqual(fmt.parse_group_bucket(fmt.parse_info(meta), b, empty[0],
                                                index[start:start + length]), [])

    def test_every_malformed_bucket_is_none(self):
        data = self.slot(0)
        text = data.rstrip(b" ")
        recs = text.split(b",")
        other = self.slot(1).rstrip(b" ").split(b",")[0]

        def pad(t):
            return t.ljust(len(data), b" ")
        cases = {
            "one byte short": data[:-1],
            "one byte long": data + b" ",
            "record from another bucket": pad(other),
            "keys not ascending": pad(b",".join([recs[1], recs[0]] + recs[2:])),
            "five fields": pad(text.replace(b":", b"", 1)),
            "empty record": pad(text + b","),
            "leading space": b" " + text.ljust(len(data) - 1, b" "),
            "not ascii": pad(text.replace(recs[0][:2], b"\xc3\xa9", 1)),
            "range past the body": pad(text.replace(recs[0], b"D%s:%d:1:1:0:0" % (
                recs[0].split(b":")[0][1:], len(self.body)))),
        }
        for what, bad in cases.items():
            with self.subTest(what):
                self.assertIsNone(fmt.parse_group_bucket(self.info, self.b, 0, bad))


if __name__ == "__main__":
    unittest.main()
