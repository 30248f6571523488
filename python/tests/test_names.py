"""mqtt2s3.names follows the C++ route/object_name rules; cases are taken from
src/route/object_name_test.cc so both sides accept and reject the same keys.

Run: /usr/bin/python3 -m unittest discover -s python/tests -p test_names.py
"""

import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from mqtt2s3.names import (MAX_EVENT_TIME_MS, ObjectName, ObjectNameError,  # noqa: E402
                           format_object_name, overlaps, parse_object_name, validate)

U64_MAX = (1 << 64) - 1
RAW = lambda b: b.decode("utf-8", "surrogateescape")  # noqa: E731

ROUND_TRIP = [
    (ObjectName(1538413200000, 1538414859000, "gw-1", 42, "jsonl"),
     "20181001T170000.000Z_20181001T172739.000Z_gw-1_0000000042.jsonl"),
    (ObjectName(0, 0, "a", 0, "jsonl"),
     "19700101T000000.000Z_19700101T000000.000Z_a_0000000000.jsonl"),
    (ObjectName(1, 999, "a", 1, ""), "19700101T000000.001Z_19700101T000000.999Z_a_0000000001"),
    (ObjectName(MAX_EVENT_TIME_MS, MAX_EVENT_TIME_MS, "x", U64_MAX, "bin"),
     "99991231T235959.999Z_99991231T235959.999Z_x_18446744073709551615.bin"),
    (ObjectName(951782400000, 951868799999, "i.d-9", 12345678901, "jsonl.zst"),  # leap day 2000
     "20000229T000000.000Z_20000229T235959.999Z_i.d-9_12345678901.jsonl.zst"),
    (ObjectName(0, 1, "a_b", 7, "jsonl"),
     "19700101T000000.000Z_19700101T000000.001Z_a%5Fb_0000000007.jsonl"),
    (ObjectName(0, 1, RAW(b"../%2F_\xC3\xA9"), 7, ""),
     "19700101T000000.000Z_19700101T000000.001Z_..%2F%252F%5F%C3%A9_0000000007"),
    (ObjectName(0, 1, "\0_", 7, ""), "19700101T000000.000Z_19700101T000000.001Z_%00%5F_0000000007"),
    (ObjectName(0, 1, RAW(b"\xff"), 7, ""),  # not UTF-8: kept through surrogateescape
     "19700101T000000.000Z_19700101T000000.001Z_%FF_0000000007"),
]

BAD_NAMES = [
    "",
    "20181001T170000.000Z",
    "20181001T172739.000Z_20181001T170000.000Z_gw-1_0000000042.jsonl",  # first > last
    "20180431T170000.000Z_20180501T170000.000Z_gw-1_0000000042.jsonl",  # 31 April
    "20181001T240000.000Z_20181001T240000.000Z_gw-1_0000000042.jsonl",  # hour 24
    "19691231T235959.999Z_19700101T000000.000Z_gw-1_0000000042.jsonl",  # before the epoch
    "100000101T000000.000Z_100000101T000000.000Z_gw-1_0000000042.jsonl",  # year 10000
    "20181001T170000Z_20181001T172739Z_gw-1_0000000042.jsonl",  # no millis
    "20181001T170000.000Z_20181001T172739.000Z_gw-1_42.jsonl",  # seq too short
    "20181001T170000.000Z_20181001T172739.000Z_gw-1_00000000042.jsonl",  # extra zero
    "20181001T170000.000Z_20181001T172739.000Z_gw-1_99999999999999999999.jsonl",  # > 2^64
    "20181001T170000.000Z_20181001T172739.000Z_gw%2d1_0000000042.jsonl",  # lower-case hex
    "20181001T170000.000Z_20181001T172739.000Z_gw%2D1_0000000042.jsonl",  # needless escape
    "20181001T170000.000Z_20181001T172739.000Z_gw%2_0000000042.jsonl",
    "20181001T170000.000Z_20181001T172739.000Z_gw_1_0000000042.jsonl",  # raw '_' in instance
    "20181001T170000.000Z_20181001T172739.000Z__0000000042.jsonl",  # empty instance
    "20181001T170000.000Z_20181001T172739.000Z_gw-1_0000000042.",  # empty extension
    "20181001T170000.000Z_20181001T172739.000Z_gw-1_0000000042.JSONL",
    "20181001T170000.000Z_20181001T172739.000Z_gw-1_0000000042.jsonl/",
    # Python-only hazards: non-ASCII digits and characters must not slip through.
    "２0181001T170000.000Z_20181001T172739.000Z_gw-1_0000000042.jsonl",
    "20181001T170000.000Z_20181001T172739.000Z_gw-é_0000000042.jsonl",
    "20181001T170000.000Z_20181001T172739.000Z_gw-1_000000004٢.jsonl",
    "20181001T170000.000Z_20181001T172739.000Z_gw-1_-000000042.jsonl",
    "20181001T170000.000Z_20181001T172739.000Z_gw-1_0000000042.json_l",
]


class ObjectNameTest(unittest.TestCase):
    def test_canonical_names_round_trip_in_both_directions(self):
        for parts, name in ROUND_TRIP:
            with self.subTest(name):
                self.assertEqual(format_object_name(*parts), name)
                self.assertEqual(parse_object_name(name), parts)
                self.assertEqual(parse_object_name("bucket-less/prefix/2018/" + name), parts)

    def test_broken_or_non_canonical_names_are_rejected_with_the_key_in_the_message(self):
        for name in BAD_NAMES:
            with self.subTest(name):
                with self.assertRaises(ObjectNameError) as cm:
                    parse_object_name(name)
                self.assertIn("not an mqtt2s3 object name", str(cm.exception))

    def test_invalid_parts_are_refused(self):
        bad = [
            ObjectName(-1, 0, "a", 0, ""),
            ObjectName(0, MAX_EVENT_TIME_MS + 1, "a", 0, ""),  # year 10000
            ObjectName(2, 1, "a", 0, ""),  # first > last
            ObjectName(0, 0, "", 0, ""),
            ObjectName(0, 0, "a" * 65, 0, ""),
            ObjectName(0, 0, "é" * 33, 0, ""),  # 66 bytes: the limit is in bytes
            ObjectName(0, 0, "a", 0, "JSON"),
            ObjectName(0, 0, "a", 0, ".jsonl"),
            ObjectName(0, 0, "a", 0, "a..b"),
            ObjectName(0, 0, "a", 0, "a/b"),
            ObjectName(0, 0, "a", 0, "a" * 17),
            ObjectName(0, 0, "a", 1 << 64, ""),
        ]
        for parts in bad:
            with self.subTest(parts):
                with self.assertRaises(ObjectNameError):
                    validate(parts)
                with self.assertRaises(ObjectNameError):
                    format_object_name(*parts)

    def test_names_sort_by_first_event_time(self):
        a = format_object_name(1538413200000, 1538413200001, "z", 9, "jsonl")
        b = format_object_name(1538413200001, 1538413200001, "a", 0, "jsonl")
        self.assertLess(a, b)

    def test_overlap_uses_the_inclusive_last_time_and_exclusive_upper_bound(self):
        n = ObjectName(1000, 2000, "a", 0, "")
        self.assertTrue(overlaps(n))
        self.assertTrue(overlaps(n, 2000, None))
        self.assertFalse(overlaps(n, 2001, None))
        self.assertTrue(overlaps(n, None, 1001))
        self.assertFalse(overlaps(n, None, 1000))
        self.assertTrue(overlaps(n, 0, 5000))


if __name__ == "__main__":
    unittest.main()
