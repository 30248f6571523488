"""mqtt2s3.plot_voltage against objects the real converter wrote into the dev stack's RGW.

The mqtt2s3 binary runs with a welding route (bucket per plant, index key DEVICE-ID/..., 30
messages per object so that one simulated hour makes six 10-minute objects per plant); Paho
publishes 2 plants x 3 devices x 60 minutes of weldspots with known voltages; SIGTERM flushes
the last batch. Then the plot's data must be exactly what was published, only the objects
whose names overlap the range may be read, and the PNG must show one panel per device.

Environment: MQTT2S3_BIN (the binary), MQTT2S3_SOURCE_DIR, and the dev stack's env file
($MQTT2S3_STACK_ENV or <source>/.dev-stack/stack.env). Registered in CTest as
python_plot_voltage_integration (label integration). By hand, from python/tests:

    MQTT2S3_BIN=../../build/apps/mqtt2s3/mqtt2s3 MQTT2S3_STACK_ENV=/tmp/stack/stack.env \\
        PYTHONPATH=.. /usr/bin/python3 -m unittest -v test_plot_voltage_integration
"""

import datetime
import json
import os
import subprocess
import sys
import tempfile
import unittest
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.environ.get("MQTT2S3_SOURCE_DIR") or os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(SRC, "python"))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tests", "support"))
import stack  # noqa: E402  (tests/support/stack.py)
import welding_run  # noqa: E402
os.environ.pop("DISPLAY", None)

from mqtt2s3 import plot_voltage as pv  # noqa: E402
from mqtt2s3.names import ObjectNameError, overlaps, parse_object_name  # noqa: E402
from mqtt2s3.reader import Reader, parse_time  # noqa: E402

START = datetime.datetime(2018, 10, 1, 17, 0, tzinfo=datetime.timezone.utc)
MINUTES = 60
PLANTS = (1, 2)
DEVICES = (1, 2, 3)
PER_OBJECT = 30  # 10 minutes x 3 devices


def volts(plant, dev, minute):
    return f"{200 + 10 * plant + dev + minute / 100:.2f}"


def published():
    """(topic, payload, plant, device, time, volts) in publish order: time, plant, device."""
    seq = 0
    for minute in range(MINUTES):
        t = START + datetime.timedelta(minutes=minute)
        for plant in PLANTS:
            for dev in DEVICES:
                payload = {"weldspot": {"Timestamp": t.strftime("%Y%m%d %H%M%S"),
                                        "Current": "10", "Voltage": volts(plant, dev, minute),
                                        "MainPowerSwitch": "1", "MainPowerSwitch_str": "ON"},
                           "seq": seq}
                seq += 1
                yield (f"{{root}}/JSON/0/{plant}/WELDING-STATION-{dev}/WELD/1",
                       json.dumps(payload, separators=(",", ":")), plant,
                       f"WELDING-STATION-{dev}", t, float(volts(plant, dev, minute)))


class PlotVoltageIntegrationTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.env = stack.read_env(
            required=("S3_ENDPOINT", "S3_ACCESS_KEY", "S3_SECRET_KEY", "MQTT_PORT"))
        cls.root = "PLOT-" + uuid.uuid4().hex[:8].upper()
        cls.buckets = {p: f"{cls.root.lower()}-plant-{p}" for p in PLANTS}
        cls.s3 = stack.s3_client(cls.env, path_style=True)
        cls.tmp = tempfile.mkdtemp(prefix="plot-voltage-")
        cls.config = welding_run.write_config(os.path.join(cls.tmp, "welding.yaml"), cls.env,
                                              cls.root, PER_OBJECT)
        cls.messages = list(published())
        try:
            cls.converter_log = cls._convert()
        except Exception:
            cls.tearDownClass()  # unittest does not call it when setUpClass fails
            raise

    @classmethod
    def tearDownClass(cls):
        welding_run.clean_up(cls.s3, cls.tmp, cls.root, cls.buckets.values())

    @classmethod
    def _convert(cls):
        """Runs the converter until every message is in an object; returns its log. Each
        plant's 180 messages fill exactly six 30-message batches, so the count trigger
        uploads them all; SIGTERM only once they are there."""
        # In the temporary directory: the write-ahead log (wal.dir, relative) goes there too.
        return welding_run.run_converter(
            cls.config, cls.env, cls.tmp,
            [(topic.format(root=cls.root), payload) for topic, payload, *_ in cls.messages],
            cls._objects_stored, len(cls.messages) // PER_OBJECT, f"{cls.root}-pub")

    @classmethod
    def _objects_stored(cls):
        count = 0
        for bucket in cls.buckets.values():
            try:
                keys = cls.s3.list_objects_v2(Bucket=bucket).get("Contents", [])
            except cls.s3.exceptions.ClientError:
                continue  # created with the first upload
            count += sum(1 for k in keys if not k["Key"].endswith(".idx"))
        return count

    def data_keys(self, plant):
        keys = [o["Key"] for o in self.s3.list_objects_v2(Bucket=self.buckets[plant])
                .get("Contents", [])]
        out = []
        for k in keys:
            try:
                out.append((k, parse_object_name(k)))
            except ObjectNameError:
                pass  # companion index objects
        return out

    def expected(self, plant, t_from, t_to, devices=None):
        out = {}
        for _, _, p, dev, t, v in self.messages:
            ms = int(t.timestamp() * 1000)
            if p == plant and t_from <= ms < t_to and (devices is None or dev in devices):
                out.setdefault(dev, []).append((t, v))
        return out

    def test_converter_stored_every_message_in_ten_minute_objects(self):
        self.assertIn(f"received {len(self.messages)}, stored {len(self.messages)}",
                      self.converter_log)
        for plant in PLANTS:
            names = [n for _, n in self.data_keys(plant)]
            self.assertEqual(len(names), MINUTES * len(DEVICES) // PER_OBJECT, names)

    def test_a_device_in_a_sub_range_is_exactly_the_published_voltages(self):
        t_from, t_to = parse_time("2018-10-01 17:15:30"), parse_time("2018-10-01 17:35")
        report = pv.FetchReport()
        series = pv.extract_series(Reader(self.s3), self.buckets[1], t_from, t_to,
                                   ["WELDING-STATION-2"], report=report)
        want = self.expected(1, t_from, t_to, {"WELDING-STATION-2"})
        self.assertEqual(len(want["WELDING-STATION-2"]), 19)  # 17:16 .. 17:34
        self.assertEqual(series, want)
        # Only the objects whose names meet the range were opened: 17:10, 17:20, 17:30.
        overlapping = sorted(k for k, n in self.data_keys(1) if overlaps(n, t_from, t_to))
        self.assertEqual(len(overlapping), 3)
        self.assertEqual(sorted(report.overlapping), overlapping)
        self.assertEqual(sorted(report.used), overlapping)
        self.assertEqual(report.heads, 3)
        self.assertEqual(report.range_gets, 3, "one device is one range per object")
        self.assertLessEqual(report.index_gets, 3)
        self.assertEqual((report.messages, report.skipped), (19, 0))
        self.assertLess(report.range_bytes * 2.5, report.overlapping_bytes,
                        "one of three devices reads about a third of the bodies")

    def test_every_device_of_each_plant_over_the_hour(self):
        t_from, t_to = parse_time("2018-10-01 17:00"), parse_time("2018-10-01 18:00")
        for plant in PLANTS:
            series = pv.extract_series(Reader(self.s3), self.buckets[plant], t_from, t_to)
            self.assertEqual(series, self.expected(plant, t_from, t_to))

    def test_command_line_writes_a_png_of_one_panel_per_device(self):
        png = os.path.join(self.tmp, "voltage.png")
        env = stack.child_env(self.env, PYTHONPATH=os.path.join(SRC, "python"))
        env.pop("DISPLAY", None)
        env.pop("AWS_ACCESS_KEY_ID", None)
        env.pop("AWS_SECRET_ACCESS_KEY", None)
        run = subprocess.run(
            ["/usr/bin/python3", "-m", "mqtt2s3.plot_voltage", "--plant", "2",
             "--from", "2018-10-01 17:20", "--to", "2018-10-01 17:40",
             "--bucket-template", self.root + "-plant-{plant}", "--config", self.config,
             "--out", png], capture_output=True, text=True, env=env, timeout=120, cwd=self.tmp)
        self.assertEqual(run.returncode, 0, run.stderr)
        self.assertIn(f"bucket {self.buckets[2]}", run.stdout)
        self.assertIn("2 overlap the range by name, 2 used", run.stdout)
        self.assertIn("1 LIST, 2 HEAD", run.stdout)
        self.assertIn("messages: 60 fetched, 60 plotted", run.stdout)
        for dev in DEVICES:
            lo, hi = float(volts(2, dev, 20)), float(volts(2, dev, 39))
            self.assertIn(f"WELDING-STATION-{dev}: 20 point(s), {lo:g}..{hi:g} V", run.stdout)
        self.assertNotIn(self.env["S3_SECRET_KEY"], run.stdout + run.stderr)

        import matplotlib.image
        image = matplotlib.image.imread(png)
        self.assertEqual(image.shape[:2], (int(100 * (1.5 + 3 * pv.PANEL_INCHES)), 1100))
        self.assertGreater(image[..., :3].std(), 0.05, "the PNG is not a blank canvas")
        # The figure the PNG is drawn from: one panel per device, its line with its 20 points.
        t_from, t_to = parse_time("2018-10-01 17:20"), parse_time("2018-10-01 17:40")
        series = pv.extract_series(Reader(self.s3), self.buckets[2], t_from, t_to)
        fig = pv.make_figure(series, "t", t_from, t_to)
        lines = {line.get_label(): list(line.get_ydata()) for ax in fig.axes
                 for line in ax.get_lines()}
        self.assertEqual(lines, {dev: [v for _, v in pts]
                                 for dev, pts in self.expected(2, t_from, t_to).items()})


if __name__ == "__main__":
    unittest.main()
