"""Decodes the golden objects under src/format/testdata/ with mqtt2s3.format (standard library
only), proving docs/FORMAT.md is implementable without the C++ code. The C++ test
format_golden_test checks the writer reproduces the same bytes.

Run: /usr/bin/python3 -m unittest discover -s python/tests -p test_format.py
"""

import hashlib
import json
import os
import struct
import sys
import unittest
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
TESTDATA = os.path.join(HERE, "..", "..", "src", "format", "testdata")

from mqtt2s3 import format as fmt  # noqa: E402


def read(name, mode="rb"):
    with open(os.path.join(TESTDATA, name), mode) as f:
        return f.read()


def load_case(name):
    meta = json.loads(read(name + ".meta.json", "r"))
    expected = json.loads(read(name + ".expected.json", "r"))
    body = read(name + ".body")
    idx_path = os.path.join(TESTDATA, name + ".idx")
    idx = read(name + ".idx") if os.path.exists(idx_path) else None
    return meta, expected, body, idx


def open_index(meta, data_key, idx):
    located = fmt.locate_index(meta, data_key)
    if isinstance(located, fmt.IndexObjectRef):
        return fmt.load_index_object(meta, idx), located
    return located, None


def replace_index(meta, raw):
    """Recompresses a raw index into a companion object and fixes size and checksum."""
    data = zlib.compress(raw)
    meta = dict(meta)
    meta["mqtt2s3-index-sha256"] = hashlib.sha256(data).hexdigest()
    meta["mqtt2s3-index-size"] = str(len(data))
    return meta, data


class GoldenObjectsTest(unittest.TestCase):
    CASES = ("example3", "companion", "buckets", "plain")

    def test_every_golden_object_decodes_to_the_expected_entries(self):
        for name in self.CASES:
            with self.subTest(name):
                meta, expected, body, idx = load_case(name)
                index, ref = open_index(meta, expected["data_key"], idx)
                if ref is not None:
                    self.assertEqual(ref.key, expected["index_object_key"])
                    self.assertEqual(ref.size, len(idx))
                else:
                    self.assertIsNone(expected["index_object_key"])
                fmt.verify_body(index.info, body)
                self.assertEqual(len(index.entries), len(expected["entries"]))
                for got, want in zip(index.entries, expected["entries"]):
                    self.assertEqual(got.offset, want["offset"])
                    self.assertEqual(got.length, want["length"])
                    self.assertEqual(got.event_time_ms, want["event_time_ms"])
                    self.assertEqual(got.arrival, want["arrival"])
                    self.assertEqual(got.topic, want["topic"])
                    self.assertEqual(got.index_key, want["index_key"])
                    self.assertEqual(got.dedupe_id, want["dedupe_id"])
                    payload = body[got.offset:got.offset + got.length]
                    self.assertEqual(payload, want["payload"].encode("utf-8"))
                    sep = index.info.separator
                    self.assertEqual(body[got.offset + got.length:][:len(sep)], sep)
                self.assertEqual(
                    [(g.key, g.first_entry, g.entry_count, g.offset, g.length)
                     for g in index.groups],
                    [(g["key"], g["first_entry"], g["entry_count"], g["offset"], g["length"])
                     for g in expected["groups"]])
                arrival = sorted(e.arrival for e in index.entries)
                self.assertEqual(arrival, list(range(len(index.entries))))
                self.assertLessEqual(sum(len("x-amz-meta-" + k + v) for k, v in meta.items()), 2048)

    def test_the_raw_index_is_the_documented_layout(self):
        for name in self.CASES:
            meta, expected, body, idx = load_case(name)
            index, _ = open_index(meta, expected["data_key"], idx)
            if idx is None:
                text = "".join(meta[f"mqtt2s3-index-{p}"]
                               for p in range(int(meta["mqtt2s3-index-parts"])))
                import base64
                idx = base64.b64decode(text)
            self.assertEqual(zlib.decompress(idx), read(name + ".rawindex"))

    def test_a_newline_separated_body_of_json_payloads_is_json_lines(self):
        _, expected, body, _ = load_case("example3")
        lines = body.decode("utf-8").splitlines()
        self.assertEqual([json.loads(line) for line in lines],
                         [json.loads(e["payload"]) for e in expected["entries"]])

    def test_one_device_is_one_ranged_get(self):
        meta, expected, body, idx = load_case("companion")
        index, _ = open_index(meta, expected["data_key"], idx)
        meta3, exp3, body3, _ = load_case("example3")
        index3, _ = open_index(meta3, exp3["data_key"], None)
        hits = index3.find("line-1/robot-02")
        self.assertEqual(len(hits), 2)
        ranges = index3.coalesce_ranges(hits, len(index3.info.separator))
        self.assertEqual(ranges, [(index3.groups[1].offset, index3.groups[1].length)])
        start, length = ranges[0]
        self.assertEqual(fmt.http_range(start, length), f"bytes={start}-{start + length - 1}")
        part = body3[start:start + length]
        self.assertEqual([index3.slice(start, part, index3.entries[i]) for i in hits],
                         [exp3["entries"][i]["payload"].encode() for i in hits])
        # The default cluster key is the first component: one line is one group, one range.
        group = index.groups[0]
        hits = index.find(group.key + "/")
        self.assertEqual(len(hits), group.entry_count)
        self.assertEqual(index.coalesce_ranges(hits, 1), [(group.offset, group.length)])
        self.assertEqual(len(index.coalesce_ranges(hits[:1] + hits[-1:], 0)), 2)

    def test_filter_is_half_open(self):
        meta, expected, _, _ = load_case("example3")
        index, _ = open_index(meta, expected["data_key"], None)
        self.assertEqual(index.info.first_event_ms, 1763776800000)
        self.assertEqual(index.info.last_event_ms, 1763776800010)
        got = index.filter(1763776800000, 1763776800010)
        self.assertEqual(sorted(index.entries[i].event_time_ms for i in got),
                         [1763776800000, 1763776800004])


class MetadataTest(unittest.TestCase):
    def test_raw_header_names_with_prefix_and_any_case_are_accepted(self):
        meta, expected, _, _ = load_case("example3")
        headers = {"X-Amz-Meta-" + k.upper(): v for k, v in meta.items()}
        index = fmt.locate_index(headers, expected["data_key"])
        self.assertEqual(len(index.entries), 3)

    def test_the_companion_key_joins_percent_decoded_prefix_and_suffix(self):
        meta, _, _, _ = load_case("companion")
        meta["mqtt2s3-index-prefix"] = "_index/%C3%A4%20"
        meta["mqtt2s3-index-suffix"] = ".i%25x"
        ref = fmt.locate_index(meta, "a/b")
        self.assertEqual(ref.key, "_index/\u00e4 a/b.i%x")
        meta["mqtt2s3-index-suffix"] = ".i%2"
        with self.assertRaisesRegex(fmt.FormatError, "invalid percent escape"):
            fmt.locate_index(meta, "a/b")

    def test_only_the_canonical_percent_encoding_is_accepted(self):
        # Lowercase hex, an escape of a byte the writer leaves as is, raw space or non-ASCII:
        # the writer never produces them, and lax decoders would disagree on the key.
        meta, _, _, _ = load_case("companion")
        for prefix in ("a%2f", "a%41", "_index%2F", "a b", "a\u00e4"):
            with self.subTest(prefix):
                meta["mqtt2s3-index-prefix"] = prefix
                with self.assertRaisesRegex(fmt.FormatError, "canonical percent-encoding"):
                    fmt.locate_index(meta, "k")

    def test_an_absent_suffix_is_empty(self):
        meta, _, _, _ = load_case("companion")
        del meta["mqtt2s3-index-suffix"]
        meta["mqtt2s3-index-prefix"] = "_index/"
        self.assertEqual(fmt.locate_index(meta, "a/b").key, "_index/a/b")
        del meta["mqtt2s3-index-prefix"]
        with self.assertRaisesRegex(fmt.FormatError, "names neither"):
            fmt.locate_index(meta, "a/b")

    def test_the_body_format_is_jsonl_when_absent_and_parquet_when_said(self):
        meta, _, _, _ = load_case("example3")
        info = fmt.parse_info(meta)
        self.assertEqual((info.body_format, info.payload_gap()), ("jsonl", len(info.separator)))
        meta["mqtt2s3-body-format"] = "parquet"
        meta["mqtt2s3-separator"] = "none"
        info = fmt.parse_info(meta)
        self.assertEqual((info.body_format, info.payload_gap()), ("parquet", 4))
        meta["mqtt2s3-body-format"] = "orc"
        with self.assertRaisesRegex(fmt.UnsupportedVersion, "body format 'orc'.*upgrade"):
            fmt.parse_info(meta)


class DamageTest(unittest.TestCase):
    def test_a_flipped_index_byte_is_a_checksum_mismatch(self):
        meta, _, _, idx = load_case("companion")
        bad = bytearray(idx)
        bad[len(bad) // 2] ^= 1
        with self.assertRaisesRegex(fmt.ChecksumMismatch, "index checksum mismatch: metadata says "
                                    + meta["mqtt2s3-index-sha256"]):
            fmt.load_index_object(meta, bytes(bad))
        with self.assertRaisesRegex(fmt.ChecksumMismatch, "index size mismatch"):
            fmt.load_index_object(meta, idx[:-1])

    def test_a_flipped_inline_index_character_is_a_checksum_mismatch(self):
        meta, expected, _, _ = load_case("example3")
        part = meta["mqtt2s3-index-0"]
        meta["mqtt2s3-index-0"] = part[:10] + ("B" if part[10] == "A" else "A") + part[11:]
        with self.assertRaisesRegex(fmt.ChecksumMismatch, "index checksum mismatch"):
            fmt.locate_index(meta, expected["data_key"])

    def test_a_changed_body_fails_verification(self):
        meta, _, body, _ = load_case("plain")
        info = fmt.parse_info(meta)
        with self.assertRaises(fmt.ChecksumMismatch):
            fmt.verify_body(info, body[:-1] + b"x")

    def test_an_unknown_format_version_is_refused(self):
        meta, expected, _, idx = load_case("companion")
        meta["mqtt2s3-format"] = "2"
        with self.assertRaisesRegex(fmt.UnsupportedVersion, "unsupported object format version"):
            fmt.locate_index(meta, expected["data_key"])
        meta, _, _, idx = load_case("companion")
        raw = bytearray(zlib.decompress(idx))
        raw[4] = 2
        meta, data = replace_index(meta, bytes(raw))
        with self.assertRaisesRegex(fmt.UnsupportedVersion, "unsupported index version 2"):
            fmt.load_index_object(meta, data)

    def test_a_missing_mandatory_field_is_named(self):
        meta, expected, _, _ = load_case("example3")
        del meta["mqtt2s3-body-sha256"]
        with self.assertRaisesRegex(fmt.FormatError, "lacks mqtt2s3-body-sha256"):
            fmt.locate_index(meta, expected["data_key"])

    def test_unknown_fields_sections_and_header_bytes_are_ignored(self):
        meta, expected, _, idx = load_case("companion")
        reference = fmt.load_index_object(meta, idx)
        raw = zlib.decompress(idx)
        header = bytearray(raw[:16])
        struct.pack_into("<H", header, 6, 24)
        raw = bytes(header) + b"FUTURE!!" + raw[16:] + b"ZZZZ" + struct.pack("<I", 5) + b"hello"
        meta, data = replace_index(meta, raw)
        meta["mqtt2s3-something-new"] = "x"
        meta["X-Amz-Meta-Other"] = "y"
        index = fmt.load_index_object(meta, data)
        self.assertEqual(index.entries, reference.entries)
        self.assertEqual(index.groups, reference.groups)

    def test_structural_damage_behind_a_valid_checksum_is_reported(self):
        meta, _, _, idx = load_case("companion")
        raw = zlib.decompress(idx)
        for damaged, message in ((b"X" + raw[1:], "magic"),
                                 (raw[:16], "lacks the STRS section"),
                                 (raw[:-3], "GRPS"),
                                 (raw[:7], "shorter than its header")):
            m, data = replace_index(meta, damaged)
            with self.assertRaisesRegex(fmt.FormatError, message):
                fmt.load_index_object(m, data)


def section(raw, tag):
    """(start of the section header, payload) of section `tag` in a raw index."""
    pos = 16
    while pos < len(raw):
        t, length = struct.unpack_from("<4sI", raw, pos)
        if t == tag:
            return pos, raw[pos + 8:pos + 8 + length]
        pos += 8 + length
    raise AssertionError(f"no section {tag!r}")


def with_section(raw, tag, payload):
    """The raw index with section `tag`'s payload replaced, or the section removed (None)."""
    at, old = section(raw, tag)
    new = b"" if payload is None else tag + struct.pack("<I", len(payload)) + payload
    return raw[:at] + new + raw[at + 8 + len(old):]


class ValidityTest(unittest.TestCase):
    """docs/FORMAT.md 2.1 "Validity": each edit breaks one rule, behind a valid checksum."""

    def setUp(self):
        self.meta, _, _, idx = load_case("companion")  # 120 entries, groups of 60, 30, 30
        self.raw = zlib.decompress(idx)

    def assertRejected(self, raw, message):
        meta, data = replace_index(self.meta, raw)
        with self.assertRaisesRegex(fmt.FormatError, message):
            fmt.load_index_object(meta, data)

    def accepted(self, raw):
        meta, data = replace_index(self.meta, raw)
        return fmt.load_index_object(meta, data)

    def test_duplicate_arrival_positions(self):
        seqn = bytearray(section(self.raw, b"SEQN")[1])
        seqn[4:8] = seqn[0:4]
        self.assertRejected(with_section(self.raw, b"SEQN", bytes(seqn)),
                            "repeats arrival position")

    def test_entries_out_of_body_order_or_overlapping(self):
        offs = bytearray(section(self.raw, b"OFFS")[1])
        swapped = offs[8:16] + offs[0:8] + offs[16:]
        self.assertRejected(with_section(self.raw, b"OFFS", bytes(swapped)),
                            "entry 1 starts before the end of entry 0")
        struct.pack_into("<Q", offs, 8, struct.unpack_from("<Q", offs, 8)[0] - 2)
        self.assertRejected(with_section(self.raw, b"OFFS", bytes(offs)),
                            "entry 1 starts before the end of entry 0")

    def test_groups_out_of_order_or_not_covering(self):
        grps = section(self.raw, b"GRPS")[1]
        rec = [grps[4 + 28 * g:4 + 28 * (g + 1)] for g in range(3)]
        self.assertRejected(with_section(self.raw, b"GRPS", grps[:4] + rec[1] + rec[0] + rec[2]),
                            "group 0 is inconsistent")
        keys_swapped = [rec[1][:4] + rec[0][4:], rec[0][:4] + rec[1][4:], rec[2]]
        self.assertRejected(with_section(self.raw, b"GRPS", grps[:4] + b"".join(keys_swapped)),
                            "not in ascending key order")
        self.assertRejected(with_section(self.raw, b"GRPS", struct.pack("<I", 2) + rec[0] + rec[1]),
                            "groups cover 90 of 120 entries")

    def test_a_present_but_empty_section_is_truncated_not_absent(self):
        for tag in (b"DDUP", b"GRPS"):
            with self.subTest(tag):
                self.assertRejected(with_section(self.raw, tag, b""), f"{tag.decode()} is truncated")

    def test_arrival_positions_and_groups_are_each_optional(self):
        no_groups = self.accepted(with_section(self.raw, b"GRPS", None))
        self.assertEqual(no_groups.groups, [])
        self.assertNotEqual([e.arrival for e in no_groups.entries], list(range(120)))
        no_arrival = self.accepted(with_section(self.raw, b"SEQN", None))
        self.assertEqual(len(no_arrival.groups), 3)
        self.assertEqual([e.arrival for e in no_arrival.entries], list(range(120)))

    def test_flags_and_extra_header_bytes_are_ignored(self):
        header = bytearray(self.raw[:16])
        struct.pack_into("<H", header, 6, 20)
        struct.pack_into("<I", header, 12, 0xFFFFFFFF)
        index = self.accepted(bytes(header) + b"\x01\x02\x03\x04" + self.raw[16:])
        self.assertEqual(len(index.entries), 120)

    def test_first_event_after_last_is_refused_unless_empty(self):
        meta = dict(self.meta)
        meta["mqtt2s3-first-event-ms"] = str(int(meta["mqtt2s3-last-event-ms"]) + 1)
        with self.assertRaisesRegex(fmt.FormatError, "first event time is after the last"):
            fmt.parse_info(meta)
        meta["mqtt2s3-count"] = "0"
        fmt.parse_info(meta)



class GroupBucketsFromTheSpec(unittest.TestCase):
    """FORMAT.md 3.4 read from the spec alone: each bucket is a verbatim range of the companion
    index object, equal to its share of the GDIR section, and holds its groups' records."""

    def test_a_bucket_is_a_verbatim_range_of_the_index_object(self):
        meta, expected, body, idx = load_case("buckets")
        offset, buckets, slot, delim, components = meta["mqtt2s3-group-buckets"].split(":")
        offset, buckets, slot = int(offset), int(buckets), int(slot)
        self.assertEqual((delim, components), ("2f", "0"))
        raw = zlib.decompress(idx)
        pos, gdir = struct.unpack_from("<H", raw, 6)[0], None
        while pos < len(raw):
            tag, length = raw[pos:pos + 4], struct.unpack_from("<I", raw, pos + 4)[0]
            if tag == b"GDIR":
                gdir = raw[pos + 8:pos + 8 + length]
            pos += 8 + length
        self.assertIsNotNone(gdir)
        self.assertEqual(len(gdir), buckets * slot)

        def fnv1a64(data):
            h = 0xcbf29ce484222325
            for b in data:
                h = ((h ^ b) * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
            return h

        first = int(meta["mqtt2s3-first-event-ms"])
        seen = 0
        for b in range(buckets):
            start = offset + b * (slot + 5)
            got = idx[start:start + slot]
            self.assertEqual(got, gdir[b * slot:(b + 1) * slot])
            text = got.rstrip(b" ")
            for record in (text.split(b",") if text else []):
                key, off, length, count, lo, hi = record.split(b":")
                self.assertEqual(fnv1a64(key) % buckets, b)
                cut = body[int(off):int(off) + int(length)].split(b"\n")
                self.assertEqual(len(cut), int(count))
                mine = [m for m in expected["entries"] if m["index_key"].encode() == key]
                self.assertEqual([m["payload"].encode() for m in mine], cut)
                self.assertEqual(first + int(lo), min(m["event_time_ms"] for m in mine))
                seen += int(count)
        self.assertEqual(seen, int(meta["mqtt2s3-count"]))

    def test_the_reader_finds_each_device_in_its_bucket(self):
        meta, expected, body, idx = load_case("buckets")
        info = fmt.parse_info(meta)
        b = fmt.parse_group_buckets(meta)
        self.assertEqual((b.offset, b.buckets, b.slot, b.delimiter, b.components),
                         (2632, 1, 2120, "/", 0))
        start, length = b.slot_range(0)
        groups = fmt.parse_group_bucket(info, b, 0, idx[start:start + length])
        index = fmt.load_index_object(meta, idx)
        self.assertEqual([(g.key, g.offset, g.length, g.count) for g in groups],
                         [(g.key, g.offset, g.length, g.entry_count) for g in index.groups])
        for g in groups:
            self.assertEqual(b.cluster_key_of(g.key), g.key)
            self.assertEqual(b.bucket_of(g.key), 0)
            mine = [m for m in expected["entries"] if m["index_key"] == g.key]
            self.assertEqual(fmt.split_group(info, g, body[g.offset:g.offset + g.length]),
                             [m["payload"].encode() for m in mine])
            self.assertEqual((g.first_event_ms, g.last_event_ms),
                             (min(m["event_time_ms"] for m in mine),
                              max(m["event_time_ms"] for m in mine)))

    def test_a_malformed_field_means_no_buckets(self):
        meta = load_case("buckets")[0]
        for value in ("2632:1:2120:2f", "2632:1:2120:2f:0:1", "02632:1:2120:2f:0",
                      "2632:0:2120:2f:0", "2632:961:2120:2f:0", "2632:1:0:2f:0",
                      "2632:1:65536:2f:0", "2632:1:2120:2F:0", "2632:1:2120:/:0",
                      "2632:1:2120:2f:256", "6:1:2120:2f:0", "2633:1:2120:2f:0",
                      "2632:2:2120:2f:0", "-1:1:2120:2f:0", ""):
            with self.subTest(value):
                self.assertIsNone(fmt.parse_group_buckets(
                    dict(meta, **{"mqtt2s3-group-buckets": value})))
        inline = dict(meta, **{"mqtt2s3-index-location": "inline"})
        self.assertIsNone(fmt.parse_group_buckets(inline))
        self.assertIsNone(fmt.parse_group_buckets(dict(meta, **{"mqtt2s3-separator": "none"})))
        self.assertIsNotNone(fmt.parse_group_buckets(dict(meta, **{
            "X-Amz-Meta-Mqtt2s3-Group-Buckets": meta.pop("mqtt2s3-group-buckets")})))


if __name__ == "__main__":
    unittest.main()
