"""The dashboard page in headless Chromium (Debian's chromium) shows the published welds:
the data the page loaded (published in its DOM) equals the published voltages, and the
screenshot has each series' line colour at the pixels where its data points belong."""
import html
import json
import os
import re
import shutil
import subprocess
import unittest

from PIL import Image

import serve_fixture as fx

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
WIDTH, HEIGHT = 1200, 800


def chromium(profile_dir, *args, timeout=90):
    """Runs headless Chromium once with its own profile; root needs --no-sandbox."""
    out = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
         f"--user-data-dir={profile_dir}",
         "--no-first-run", "--disable-extensions", "--force-device-scale-factor=1",
         f"--window-size={WIDTH},{HEIGHT}", "--virtual-time-budget=20000", *args],
        capture_output=True, text=True, timeout=timeout)
    return out


def hex_rgb(color):
    return tuple(int(color[i:i + 2], 16) for i in (1, 3, 5))


class DashboardBrowserTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        fx.stack.require(cls, os.path.exists(CHROMIUM), "chromium missing: run scripts/install-deps.sh")
        # The page's uPlot comes from the npm install in .cache/web (idempotent).
        subprocess.run([os.path.join(fx.SRC, "scripts", "install-web-deps.sh")], check=True,
                       capture_output=True, timeout=300)
        cls.stack = fx.Stack.started()
        cls.url = (cls.stack.base_url + "/ui/?target=plant/1/device/*/Voltage"
                   "&from=2018-10-01T17:00:00.000Z&to=2018-10-01T17:01:00.000Z"
                   "&maxDataPoints=1000")
        profile = os.path.join(cls.stack.tmp, "chromium-profile")
        dom = chromium(profile, "--dump-dom", cls.url)
        m = re.search(r'<pre id="series-data">(.*?)</pre>', dom.stdout, re.S)
        if not m:
            cls.stack.stop(check=False)
            raise AssertionError("no #series-data in the page: " + dom.stdout[-2000:] +
                                 dom.stderr[-2000:])
        cls.loaded = json.loads(html.unescape(m.group(1)))
        cls.status = re.search(r'id="status" data-status="(\w+)"', dom.stdout).group(1)
        cls.png = os.path.join(cls.stack.tmp, "dashboard.png")
        shot = chromium(profile, f"--screenshot={cls.png}", cls.url)
        if not os.path.exists(cls.png):
            cls.stack.stop(check=False)
            raise AssertionError("chromium wrote no screenshot: " + shot.stderr[-2000:])

    @classmethod
    def tearDownClass(cls):
        cls.stack.stop()

    def test_page_and_uplot_are_served(self):
        status, ctype, body = self.stack.get("/ui/")
        self.assertEqual(status, 200)
        self.assertIn("text/html", ctype)
        self.assertIn(b"uPlot.iife.min.js", body)
        status, ctype, body = self.stack.get("/ui/lib/uPlot.iife.min.js")
        self.assertEqual(status, 200)
        self.assertIn("javascript", ctype)
        self.assertIn(b"uPlot", body)

    def test_page_loaded_exactly_the_published_voltages(self):
        self.assertEqual(self.status, "ready", self.loaded.get("error"))
        self.assertEqual(self.loaded["status"], "ready")
        series = self.loaded["series"]
        self.assertEqual([s["target"] for s in series],
                         [f"plant/1/device/{d}/Voltage" for d in fx.DEVICES])
        for device, s in zip(fx.DEVICES, series):
            self.assertEqual(s["datapoints"],
                             [[v, t] for t, v, _ in fx.published("1", device)])
        self.assertEqual(len({s["color"] for s in series}), len(series))

    def test_screenshot_draws_each_series_through_its_data_points(self):
        img = Image.open(self.png).convert("RGB")
        self.assertEqual(img.size, (WIDTH, HEIGHT))
        px = img.load()
        plot = self.loaded["plot"]
        self.assertIsNotNone(plot)
        left, top, width, height = (plot[k] for k in ("left", "top", "width", "height"))
        self.assertGreater(width, 300)
        self.assertGreater(height, 150)

        def near(x, y, rgb, radius=3, tolerance=60):
            for dx in range(-radius, radius + 1):
                for dy in range(-radius, radius + 1):
                    xx, yy = int(round(x)) + dx, int(round(y)) + dy
                    if 0 <= xx < WIDTH and 0 <= yy < HEIGHT:
                        if all(abs(a - b) <= tolerance for a, b in zip(px[xx, yy], rgb)):
                            return True
            return False

        def hits_of(datapoints, rgb):
            hits = 0
            for v, t in datapoints:
                x = left + (t - plot["xMin"]) / (plot["xMax"] - plot["xMin"]) * width
                y = top + (1 - (v - plot["yMin"]) / (plot["yMax"] - plot["yMin"])) * height
                hits += near(x, y, rgb)
            return hits

        for s in self.loaded["series"]:
            rgb = hex_rgb(s["color"])
            hits = hits_of(s["datapoints"], rgb)
            # The check tells data apart: the same series shifted by a fifth of the axis
            # misses most of its points.
            shift = (plot["yMax"] - plot["yMin"]) / 5
            wrong = hits_of([[v + shift, t] for v, t in s["datapoints"]], rgb)
            self.assertLess(wrong, 0.5 * len(s["datapoints"]), s["target"])
            # Another series' line may cover a point where lines cross.
            self.assertGreaterEqual(hits, 0.9 * len(s["datapoints"]),
                                    f"{s['target']}: only {hits} of {len(s['datapoints'])} "
                                    f"points have {s['color']} pixels (screenshot {self.png})")
            # And the colour is not everywhere: a blank or filled chart must fail.
            off = sum(near(left + width * (i + 0.5) / 20, top + 3, rgb, radius=0)
                      for i in range(20))
            self.assertLess(off, 20)


if __name__ == "__main__":
    unittest.main()
