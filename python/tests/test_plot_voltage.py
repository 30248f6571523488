"""mqtt2s3.plot_voltage without services: payload parsing, selection of objects by name,
exact series from objects in an in-memory S3 (test_reader.FakeS3), requests by kind, the
figure's data and the command line. The same flow against the real converter and RGW is
test_plot_voltage_integration.py.

Run: /usr/bin/python3 -m unittest discover -s python/tests -p 'test_plot_voltage.py'
"""

import datetime
import io
import json
import os
import sys
import tempfile
import unittest
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
sys.path.insert(0, HERE)
os.environ.pop("DISPLAY", None)  # unit tests never open windows

from mqtt2s3 import plot_voltage as pv  # noqa: E402
from mqtt2s3 import reader as rd  # noqa: E402
from mqtt2s3.names import format_object_name  # noqa: E402
from test_reader import FakeS3  # noqa: E402
import object_builder as ob  # noqa: E402

UTC = datetime.timezone.utc
T0 = 1538413200000  # 2018-10-01 17:00:00 UTC


def stamp(ms):
    return (datetime.datetime(1970, 1, 1, tzinfo=UTC)
            + datetime.timedelta(milliseconds=ms)).strftime("%Y%m%d %H%M%S")


def weld(ms, volts, seq=0):
    return json.dumps({"weldspot": {"Timestamp": stamp(ms), "Current": "10",
                                    "Voltage": volts, "MainPowerSwitch": "1"},
                       "seq": seq}, separators=(",", ":")).encode()


def build_object(messages, companion=False):
    """(body, metadata, index bytes) of a version-1 object (docs/FORMAT.md), clustered by the
    first index-key component. messages: (topic, index_key, time_ms, dedupe_id, payload)."""
    return ob.build(messages, companion=companion, directory=False)


def put_object(s3, bucket, messages, seq, companion=False):
    body, meta, index = build_object(messages, companion)
    first = min(m[2] for m in messages)
    last = max(m[2] for m in messages)
    key = "2018/10/01/17/" + format_object_name(first, last, "welding-1", seq, "jsonl")
    if companion:
        s3.put(bucket, key + ".idx", index)
    s3.put(bucket, key, body, meta)
    return key


def volts_of(plant, dev, minute):
    return f"{200 + 10 * plant + dev + minute / 100:.2f}"


class PayloadTest(unittest.TestCase):
    def test_string_voltage_and_timestamp_are_parsed(self):
        spot = pv.parse_weldspot(b'{"weldspot": {"Timestamp": "20181001 171035", '
                                 b'"Voltage": "230", "Current": "10"}}')
        self.assertEqual(spot.volts, 230.0)
        self.assertEqual(spot.time_ms, T0 + (10 * 60 + 35) * 1000)

    def test_decimal_strings_and_json_numbers_are_voltages(self):
        self.assertEqual(pv.parse_weldspot(b'{"weldspot":{"Voltage":"229.75"}}').volts, 229.75)
        self.assertEqual(pv.parse_weldspot(b'{"weldspot":{"Voltage":231}}').volts, 231.0)
        self.assertIsNone(pv.parse_weldspot(b'{"weldspot":{"Voltage":"1"}}').time_ms)

    def test_compressed_payload_is_inflated_first(self):
        raw = b'{"weldspot":{"Timestamp":"20181001 170000","Voltage":"221.5"}}'
        spot = pv.parse_weldspot(zlib.compress(raw), compressed=True)
        self.assertEqual((spot.time_ms, spot.volts), (T0, 221.5))

    def test_invalid_payloads_say_what_is_wrong(self):
        cases = {b"not json": "not JSON", b"[1]": "no weldspot", b'{"weld":{}}': "no weldspot",
                 b'{"weldspot":{"Current":"1"}}': "no Voltage",
                 b'{"weldspot":{"Voltage":true}}': "no Voltage",
                 b'{"weldspot":{"Voltage":"high"}}': "not a number",
                 b'{"weldspot":{"Voltage":"1","Timestamp":"2018-10-01"}}': "YYYYMMDD HHMMSS"}
        for payload, why in cases.items():
            with self.assertRaisesRegex(ValueError, why, msg=payload):
                pv.parse_weldspot(payload)
        with self.assertRaisesRegex(ValueError, "does not inflate"):
            pv.parse_weldspot(b"{}", compressed=True)

    def test_device_comes_from_the_topic_else_the_index_key(self):
        self.assertEqual(pv.device_of("COMPANY-X/JSON/0/1/WELDING-STATION-12/WELD/1", "x/y"),
                         "WELDING-STATION-12")
        self.assertEqual(pv.device_of("other/topic", "robot-3/WELD/1"), "robot-3")
        self.assertEqual(sorted(["WELDING-STATION-10", "WELDING-STATION-2", "A", "B-1"],
                                key=pv.natural_key),
                         ["A", "B-1", "WELDING-STATION-2", "WELDING-STATION-10"])
        self.assertTrue(pv.is_compressed("COMPANY-X/JSON/1/1/D/WELD/1"))
        self.assertFalse(pv.is_compressed("COMPANY-X/JSON/0/1/D/WELD/1"))


class ExtractSeriesTest(unittest.TestCase):
    """Plant 1 with 3 devices, one message per device and minute from 17:00 to 17:59, in six
    10-minute objects (the fourth with a companion index); plant 2 in its own bucket."""

    def setUp(self):
        self.s3 = FakeS3()
        self.keys = []
        seq = 0
        for plant in (1, 2):
            for obj in range(6):
                msgs = []
                for minute in range(obj * 10, obj * 10 + 10):
                    for dev in (1, 2, 3):
                        ms = T0 + minute * 60000
                        msgs.append((f"COMPANY-X/JSON/0/{plant}/WELDING-STATION-{dev}/WELD/1",
                                     f"WELDING-STATION-{dev}/WELD/1/{stamp(ms)}", ms,
                                     str(seq), weld(ms, volts_of(plant, dev, minute), seq)))
                        seq += 1
                key = put_object(self.s3, f"company-x-plant-{plant}", msgs, obj,
                                 companion=obj == 3)
                if plant == 1:
                    self.keys.append(key)

    def extract(self, t_from, t_to, devices=None):
        report = pv.FetchReport()
        series = pv.extract_series(rd.Reader(self.s3), "company-x-plant-1", t_from, t_to,
                                   devices, report=report)
        return series, report

    def test_a_device_in_a_sub_range_gets_exactly_its_voltages(self):
        t_from, t_to = T0 + 15 * 60000 + 30000, T0 + 35 * 60000  # 17:15:30 .. 17:35 (excl.)
        series, report = self.extract(t_from, t_to, ["WELDING-STATION-2"])
        self.assertEqual(list(series), ["WELDING-STATION-2"])
        self.assertEqual(series["WELDING-STATION-2"],
                         [(pv.ms_to_datetime(T0 + m * 60000), float(volts_of(1, 2, m)))
                          for m in range(16, 35)])
        # Objects 17:10-17:19, 17:20-17:29 and 17:30-17:39 (companion index) only.
        self.assertEqual(report.overlapping, self.keys[1:4])
        self.assertEqual(report.used, self.keys[1:4])
        self.assertEqual((report.lists, report.heads, report.index_gets, report.range_gets),
                         (1, 3, 1, 3))
        self.assertEqual(report.keys_listed, 7)  # six objects and one companion index
        self.assertEqual((report.messages, report.points, report.skipped), (19, 19, 0))

    def test_only_the_wanted_device_ranges_are_read(self):
        _, one = self.extract(T0, T0 + 3600000, ["WELDING-STATION-3"])
        _, all_ = self.extract(T0, T0 + 3600000)
        self.assertEqual((one.range_gets, all_.range_gets), (6, 6))
        self.assertLess(one.range_bytes * 2.5, all_.range_bytes)
        self.assertLess(all_.range_bytes, all_.overlapping_bytes)

    def test_all_devices_are_series_in_time_order(self):
        series, report = self.extract(T0, T0 + 3600000)
        self.assertEqual(sorted(series), [f"WELDING-STATION-{d}" for d in (1, 2, 3)])
        for dev in (1, 2, 3):
            self.assertEqual([v for _, v in series[f"WELDING-STATION-{dev}"]],
                             [float(volts_of(1, dev, m)) for m in range(60)])
        self.assertEqual(report.points, 180)

    def test_range_bounds_are_from_inclusive_to_exclusive_by_object_name(self):
        # 17:20:00 .. 17:29:59.999: the object whose first event is 17:20 only; the object
        # ending 17:19 and the one starting 17:30 are not opened.
        series, report = self.extract(T0 + 20 * 60000, T0 + 30 * 60000)
        self.assertEqual(report.overlapping, [self.keys[2]])
        self.assertEqual(report.heads, 1)
        self.assertEqual(len(series["WELDING-STATION-1"]), 10)
        # [17:19, 17:20): the object 17:10-17:19 meets it at its last event only.
        series, report = self.extract(T0 + 19 * 60000, T0 + 20 * 60000)
        self.assertEqual(report.overlapping, [self.keys[1]])
        self.assertEqual([len(p) for p in series.values()], [1, 1, 1])

    def test_a_range_between_objects_opens_nothing(self):
        series, report = self.extract(T0 - 3600000, T0)
        self.assertEqual((series, report.overlapping, report.heads, report.range_gets),
                         ({}, [], 0, 0))

    def test_redeliveries_and_foreign_payloads_are_counted_not_plotted(self):
        ms = T0 + 90 * 60000
        msgs = [("COMPANY-X/JSON/0/1/WELDING-STATION-1/WELD/1", "WELDING-STATION-1", ms, "7",
                 weld(ms, "230")),
                ("COMPANY-X/JSON/0/1/WELDING-STATION-1/WELD/1", "WELDING-STATION-1", ms, "7",
                 weld(ms, "230")),
                ("COMPANY-X/JSON/0/1/WELDING-STATION-2/WELD/1", "WELDING-STATION-2", ms, "8",
                 weld(ms, "231")),
                ("COMPANY-X/JSON/0/1/WELDING-STATION-2/STATUS/1", "WELDING-STATION-2", ms, "",
                 b'{"status":"ok"}')]
        put_object(self.s3, "company-x-plant-1", msgs, 9)
        series, report = self.extract(ms, ms + 1)
        self.assertEqual(series, {"WELDING-STATION-1": [(pv.ms_to_datetime(ms), 230.0)],
                                  "WELDING-STATION-2": [(pv.ms_to_datetime(ms), 231.0)]})
        self.assertEqual((report.messages, report.duplicates, report.skipped), (4, 1, 1))
        self.assertIn("no weldspot", report.first_skip_reason)

    def test_figure_has_one_panel_per_device_sharing_the_time_axis(self):
        t_from, t_to = T0, T0 + 30 * 60000
        series, _ = self.extract(t_from, t_to)
        fig = pv.make_figure(series, "plant 1", t_from, t_to)
        self.assertEqual(len(fig.axes), 3)
        for ax, (device, points) in zip(fig.axes, series.items()):
            (line,) = ax.get_lines()
            self.assertEqual(line.get_label(), device)
            self.assertEqual(list(line.get_ydata()), [v for _, v in points])
            self.assertEqual(len(line.get_xdata()), 30)
            self.assertIn(device, ax.get_ylabel())
            self.assertIn("(V)", ax.get_ylabel())
            self.assertEqual(ax.get_xlim(), fig.axes[0].get_xlim())  # shared time axis
        self.assertIn("UTC", fig.axes[-1].get_xlabel())
        self.assertEqual(fig._suptitle.get_text(), "plant 1")

    def test_twelve_devices_get_compact_panels(self):
        series = {f"WELDING-STATION-{d}": [(pv.ms_to_datetime(T0), 230.0)] for d in range(12)}
        fig = pv.make_figure(series, "t", T0, T0 + 60000)
        self.assertEqual(len(fig.axes), 12)
        width, height = fig.get_size_inches()
        self.assertEqual(width, 11)
        self.assertEqual(height, 1.5 + 12 * pv.PANEL_INCHES)
        self.assertEqual([ax.get_ylabel().split("\n")[0] for ax in fig.axes], list(series))

    def test_an_empty_range_draws_one_panel_that_says_so(self):
        fig = pv.make_figure({}, "t", T0, T0 + 60000)
        self.assertEqual(len(fig.axes), 1)
        self.assertIn("no weldspot", fig.axes[0].texts[0].get_text())

    def test_command_line_writes_the_png_and_reports_requests(self):
        with tempfile.TemporaryDirectory() as d:
            png = os.path.join(d, "v.png")
            out = io.StringIO()
            rc = pv.main(["--plant", "1", "--from", "2018-10-01 17:15", "--to",
                          "2018-10-01 17:25", "--device", "WELDING-STATION-1", "--out", png],
                         s3_client=self.s3, out=out)
            self.assertEqual(rc, 0, out.getvalue())
            with open(png, "rb") as f:
                self.assertEqual(f.read(8), b"\x89PNG\r\n\x1a\n")
        text = out.getvalue()
        self.assertIn("bucket company-x-plant-1", text)
        self.assertIn("7 key(s) listed, 2 overlap the range by name, 2 used", text)
        self.assertIn("1 LIST, 2 HEAD, 0 GET index", text)
        self.assertIn("WELDING-STATION-1: 10 point(s), 211.15..211.24 V", text)

    def test_command_line_rejects_bad_ranges_as_usage_errors(self):
        err = io.StringIO()
        sys_stderr, sys.stderr = sys.stderr, err
        try:
            self.assertEqual(pv.main(["--plant", "1", "--from", "2018-10-01 18:00", "--to",
                                      "2018-10-01 17:00"], s3_client=self.s3), 2)
            self.assertEqual(pv.main(["--plant", "1", "--from", "yesterday", "--to",
                                      "2018-10-01 17:00"], s3_client=self.s3), 2)
        finally:
            sys.stderr = sys_stderr
        self.assertIn("--from must be before --to", err.getvalue())
        self.assertIn("time 'yesterday'", err.getvalue())


class ConfigTest(unittest.TestCase):
    def test_s3_section_of_the_welding_example_is_read(self):
        cfg = pv.load_s3_config(os.path.join(HERE, "..", "..", "examples", "welding.yaml"))
        self.assertEqual(cfg["endpoint"], "http://127.0.0.1:8000")
        self.assertEqual(cfg["access_key_env"], "S3_ACCESS_KEY")
        self.assertEqual(cfg["secret_key_env"], "S3_SECRET_KEY")
        self.assertNotIn("host", cfg)  # broker.host belongs to another section

    def test_quotes_and_comments_are_stripped(self):
        with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False) as f:
            f.write("broker:\n  port: 1\ns3:\n  # note\n  endpoint: \"http://h:9\"  # x\n"
                    "  region: 'eu'\nroutes:\n  - endpoint: no\n")
        try:
            self.assertEqual(pv.load_s3_config(f.name), {"endpoint": "http://h:9",
                                                         "region": "eu"})
        finally:
            os.unlink(f.name)


if __name__ == "__main__":
    unittest.main()
