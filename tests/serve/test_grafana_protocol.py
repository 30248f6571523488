"""`mqtt2s3 serve` answers Grafana's JSON data source requests with exactly the published
weld spots (real converter, real RGW). The request bodies are shaped like the ones Grafana
sends (SimpleJSON / simpod JSON data source: range, intervalMs, maxDataPoints, targets...)."""
import concurrent.futures
import os
import socket
import unittest

import serve_fixture as fx


def grafana_query(targets, frm="2018-10-01T17:00:00.000Z", to="2018-10-01T17:59:59.999Z",
                  max_points=1340):
    """A /query body as Grafana builds it for a time-series panel."""
    return {
        "app": "dashboard", "requestId": "Q101", "timezone": "utc", "panelId": 2,
        "dashboardId": 1, "range": {"from": frm, "to": to, "raw": {"from": frm, "to": to}},
        "timeInfo": "", "interval": "2s", "intervalMs": 2000, "maxDataPoints": max_points,
        "targets": targets, "scopedVars": {"__interval": {"text": "2s", "value": "2s"}},
        "startTime": 1538413200000, "rangeRaw": {"from": frm, "to": to}, "adhocFilters": [],
    }


class GrafanaProtocolTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.stack = fx.Stack.started()

    @classmethod
    def tearDownClass(cls):
        cls.stack.stop()

    def expected(self, plant, device, field="Voltage"):
        col = 1 if field == "Voltage" else 2
        return [[row[col], row[0]] for row in fx.published(plant, device)]

    def test_test_connection_is_200(self):
        status, ctype, body = self.stack.get("/")
        self.assertEqual(status, 200)
        self.assertIn("application/json", ctype)
        self.assertIn(b'"status":"ok"', body)

    def test_search_lists_every_device_and_field_of_the_plants(self):
        status, names = self.stack.post("/search", {"target": ""})
        self.assertEqual(status, 200)
        for plant in fx.PLANTS:
            for device in fx.DEVICES + ["*"]:
                for field in ("Voltage", "Current", "MainPowerSwitch"):
                    self.assertIn(f"plant/{plant}/device/{device}/{field}", names)
        status, names = self.stack.post("/search", {"type": "timeseries",
                                                    "target": "plant/2/device/WELDING-STATION-12"})
        self.assertEqual(names, [f"plant/2/device/WELDING-STATION-12/{f}"
                                 for f in ("Current", "MainPowerSwitch", "Voltage")])

    def test_query_returns_exactly_the_published_voltages_of_a_device(self):
        for plant in fx.PLANTS:
            for device in fx.DEVICES:   # WELDING-STATION-20's payloads are zlib-compressed
                target = f"plant/{plant}/device/{device}/Voltage"
                status, body = self.stack.post("/query", grafana_query(
                    [{"target": target, "refId": "A", "type": "timeserie"}]))
                self.assertEqual(status, 200, body)
                self.assertEqual(len(body), 1)
                self.assertEqual(body[0]["target"], target)
                self.assertEqual(body[0]["datapoints"], self.expected(plant, device))

    def test_several_targets_and_a_wildcard_answer_one_series_each(self):
        status, body = self.stack.post("/query", grafana_query([
            {"target": "plant/1/device/*/Voltage", "refId": "A"},
            {"target": "plant/2/device/WELDING-STATION-03/Current", "refId": "B"},
            {"target": "plant/2/device/WELDING-STATION-12/Voltage", "refId": "C", "hide": True},
        ]))
        self.assertEqual(status, 200, body)
        self.assertEqual([s["target"] for s in body],
                         [f"plant/1/device/{d}/Voltage" for d in fx.DEVICES] +
                         ["plant/2/device/WELDING-STATION-03/Current"])
        for d, series in zip(fx.DEVICES, body):
            self.assertEqual(series["datapoints"], self.expected("1", d))
        self.assertEqual(body[3]["datapoints"], self.expected("2", "WELDING-STATION-03",
                                                              "Current"))

    def test_directory_reads_and_index_reads_answer_the_same(self):
        """By default serve reads a device through the objects' group directories (HEAD + one
        ranged GET each), each weld's time read from its payload by the route's time_field
        (compressed payloads inflated); --no-directory reads every object's index. Whole
        hour, a window cutting through the objects, one device and all: the same answers."""
        with open(os.path.join(self.stack.tmp, "serve.log")) as f:
            self.assertIn("read through the group directories, event times from route "
                          "'welding', time_field /weldspot/Timestamp", f.read())
        by_index = self.stack.spawn_serve("serve-index", "--no-directory")
        with open(os.path.join(self.stack.tmp, "serve-index.log")) as f:
            self.assertIn("read through each object's index (--no-directory)", f.read())
        windows = [("2018-10-01T17:00:00.000Z", "2018-10-01T17:59:59.999Z"),
                   ("2018-10-01T17:00:07.000Z", "2018-10-01T17:00:41.000Z")]
        for frm, to in windows:
            for plant in fx.PLANTS:
                body = grafana_query([{"target": f"plant/{plant}/device/*/Voltage", "refId": "A"},
                                      {"target": f"plant/{plant}/device/{fx.COMPRESSED_DEVICE}"
                                                 "/Current", "refId": "B"}],
                                     frm=frm, to=to, max_points=100000)
                status, directory = self.stack.post("/query", body)
                self.assertEqual(status, 200, directory)
                status, index = self.stack.post("/query", body, base_url=by_index)
                self.assertEqual(status, 200, index)
                self.assertEqual(directory, index, f"plant {plant}, {frm} .. {to}")
                self.assertEqual(len(directory), len(fx.DEVICES) + 1)
                self.assertTrue(all(s["datapoints"] for s in directory))

    def test_structured_payload_form_selects_the_same_series(self):
        status, body = self.stack.post("/query", grafana_query([
            {"target": "weldspot", "refId": "A",
             "payload": {"plant": "2", "device": "WELDING-STATION-20", "field": "Voltage"}}]))
        self.assertEqual(status, 200, body)
        self.assertEqual(body[0]["target"], "plant/2/device/WELDING-STATION-20/Voltage")
        self.assertEqual(body[0]["datapoints"], self.expected("2", "WELDING-STATION-20"))

    def test_range_is_inclusive_and_narrows_the_points(self):
        status, body = self.stack.post("/query", grafana_query(
            [{"target": "plant/1/device/WELDING-STATION-12/Voltage", "refId": "A"}],
            frm="2018-10-01T17:00:10.000Z", to="2018-10-01T17:00:20.000Z"))
        self.assertEqual(status, 200, body)
        self.assertEqual(body[0]["datapoints"], self.expected("1", "WELDING-STATION-12")[10:21])

    def test_max_data_points_thins_to_published_points(self):
        status, body = self.stack.post("/query", grafana_query(
            [{"target": "plant/1/device/WELDING-STATION-03/Voltage", "refId": "A"}],
            max_points=12))
        self.assertEqual(status, 200, body)
        points = body[0]["datapoints"]
        all_points = self.expected("1", "WELDING-STATION-03")
        self.assertEqual(len(points), 12)
        self.assertEqual(points[0], all_points[0])
        self.assertEqual(points[-1], all_points[-1])
        for p in points:
            self.assertIn(p, all_points)

    def test_annotations_tag_keys_and_metrics_answer(self):
        status, body = self.stack.post("/annotations", {
            "range": {"from": "2018-10-01T17:00:00.000Z", "to": "2018-10-01T18:00:00.000Z"},
            "rangeRaw": {"from": "now-1h", "to": "now"},
            "annotation": {"name": "welds", "datasource": "mqtt2s3", "enable": True,
                           "iconColor": "rgba(255, 96, 96, 1)", "query": "#weld"}})
        self.assertEqual((status, body), (200, []))
        self.assertEqual(self.stack.post("/tag-keys", {}), (200, []))
        status, metrics = self.stack.post("/metrics", {})
        self.assertEqual(status, 200)
        self.assertEqual(metrics[0]["value"], "weldspot")
        status, options = self.stack.post("/metric-payload-options", {
            "metric": "weldspot", "payload": {"plant": "1"}, "name": "device"})
        self.assertEqual(status, 200)
        self.assertEqual([o["value"] for o in options], ["*"] + fx.DEVICES)

    def test_concurrent_grafana_panels_get_the_same_answers(self):
        requests = [(plant, device) for plant in fx.PLANTS for device in fx.DEVICES] * 2

        def one(pd):
            plant, device = pd
            return pd, self.stack.post("/query", grafana_query(
                [{"target": f"plant/{plant}/device/{device}/Voltage", "refId": "A"}]))

        with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
            for (plant, device), (status, body) in pool.map(one, requests):
                self.assertEqual(status, 200, body)
                self.assertEqual(body[0]["datapoints"], self.expected(plant, device))

    def test_a_range_over_too_many_objects_is_refused_with_422(self):
        # A second server with a tiny object budget; the plant's welds span several objects.
        m = self.stack._spawn(["serve", "--config", self.stack.config, "--listen",
                               "127.0.0.1:0", "--bucket-template", self.stack.bucket_template,
                               "--max-objects", "1"],
                              r"listening on (http://127\.0\.0\.1:\d+)/", "serve-small")
        saved, self.stack.base_url = self.stack.base_url, m.group(1)
        try:
            status, body = self.stack.post("/query", grafana_query(
                [{"target": "plant/1/device/WELDING-STATION-03/Voltage", "refId": "A"}]))
        finally:
            self.stack.base_url = saved
        self.assertEqual(status, 422, body)
        self.assertIn("narrow the time range", body["error"])

    def test_errors_are_json_with_4xx(self):
        status, body = self.stack.post("/query", grafana_query([{"target": "Voltage"}]))
        self.assertEqual(status, 400)
        self.assertIn("target 'Voltage'", body["error"])
        status, body = self.stack.post("/query", grafana_query(
            [{"target": "plant/77/device/X/Voltage"}]))
        self.assertEqual(status, 404)
        self.assertIn(self.stack.bucket("77"), body["error"])
        status, body = self.stack.post("/query", b"{not json")
        self.assertEqual(status, 400)
        self.assertIn("not JSON", body["error"])
        # An oversized body is refused from its Content-Length, before it is sent.
        host, port = self.stack.base_url.rsplit("/", 1)[1].split(":")
        with socket.create_connection((host, int(port)), timeout=30) as sock:
            sock.sendall(b"POST /query HTTP/1.1\r\nHost: x\r\nContent-Type: application/json"
                         b"\r\nContent-Length: 2097152\r\n\r\n")
            answer = b""
            while b"}" not in answer:
                chunk = sock.recv(4096)
                if not chunk:
                    break
                answer += chunk
        self.assertTrue(answer.startswith(b"HTTP/1.1 413"), answer)
        self.assertIn(b"larger than", answer)


if __name__ == "__main__":
    unittest.main()
