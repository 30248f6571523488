"""`mqtt2s3 serve` on a route that is not the welding one (real converter, real RGW): targets
name a configured column of the route serve was started with (`--route`) or give any JSON
pointer, and the datapoints are exactly the published values.

The converter stores sensor payloads (no weldspot in them) of 2 plants x 3 devices x 60
seconds: plant 1 through a Parquet route with typed columns (`temp` double, `count` int64,
`on` bool, `label` string), plant 2 through a JSON Lines route into the same bucket pattern.
serve runs with `--route sensors-pq`: its numeric columns become named fields beside the
weld-spot ones, on both plants (a named field is a JSON pointer, whatever the body format).
"""
import datetime
import json
import unittest

import serve_fixture as fx


def temp(plant, d, i):
    return round(15 + (i * 11 + d * 7 + int(plant)) % 40 / 4, 2)


def published(plant, device):
    """[(epoch_ms, temp, second sensor, count, on), ...] of one device, in time order."""
    d = fx.DEVICES.index(device)
    return [(fx.T0_MS + i * 1000, temp(plant, d, i), i * 2 - d, i, i % 3 == 0)
            for i in range(fx.PER_DEVICE)]


class SensorStack(fx.Stack):
    """The fixture's stack with sensor routes, started with serve --route sensors-pq."""

    def __init__(self):
        super().__init__()
        self.bucket_template = f"srvt-{self.tag}-sensors-{{plant}}"
        self.serve_args = ["--route", "sensors-pq"]
        self.wait_target = "temp"

    def _write_config(self, tag, compressed_line):
        route = """\
                  - name: {name}
                    filter: "{root}/{level}/+/+"
                    pattern: "{{root}}/{{format}}/{{plant}}/{{device}}"
                    bucket: "{{root}}-sensors-{{plant}}"
                    key: "{{first:%Y/%m/%d/%H}}/{{object_name}}"
                    payload: json
                    time_field: /ts
                    time_format: rfc3339
                    index_key: "{{device}}/{{json:/ts}}"
                    cluster: true
                    cluster_components: 1
                    batch:
                      max_messages: 50
                      max_age: 30s
"""
        pq = route.format(name="sensors-pq", root=self.root, level="PQ") + """\
                    format: parquet
                    columns:
                      - {name: temp, pointer: /sensors/0/t, type: double}
                      - {name: count, pointer: /n, type: int64}
                      - {name: on, pointer: /status/on, type: bool}
                      - {name: label, pointer: /label, type: string}
"""
        jsonl = route.format(name="sensors-jsonl", root=self.root, level="JSON")
        self._write_config_with_routes(tag, pq + jsonl)

    def _publish(self):
        messages = []
        for plant, level in zip(fx.PLANTS, ("PQ", "JSON")):
            for device in fx.DEVICES:
                for t_ms, t, t2, n, on in published(plant, device):
                    ts = datetime.datetime.fromtimestamp(t_ms / 1000, datetime.timezone.utc)
                    payload = json.dumps({"ts": ts.strftime("%Y-%m-%dT%H:%M:%SZ"),
                                          "sensors": [{"t": f"{t}"}, {"t": t2}], "n": n,
                                          "status": {"on": on}, "label": f"L{n}"}).encode()
                    messages.append((f"{self.root}/{level}/{plant}/{device}", payload))
        self._publish_all(messages)


def query(targets):
    return {"range": {"from": "2018-10-01T17:00:00.000Z", "to": "2018-10-01T17:59:59.999Z"},
            "intervalMs": 2000, "maxDataPoints": 1340,
            "targets": [{"target": t, "refId": chr(65 + n)} for n, t in enumerate(targets)]}


class AnyRouteTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.stack = SensorStack.started()

    @classmethod
    def tearDownClass(cls):
        cls.stack.stop()

    def expected(self, plant, device, col):
        return [[row[col], row[0]] for row in published(plant, device)]

    def test_a_configured_column_name_gives_exactly_the_published_values(self):
        for plant in fx.PLANTS:   # plant 1: Parquet objects, plant 2: JSON Lines
            for device in fx.DEVICES:
                target = f"plant/{plant}/device/{device}/temp"
                status, body = self.stack.post("/query", query([target]))
                self.assertEqual(status, 200, body)
                self.assertEqual(body, [{"target": target,
                                         "datapoints": self.expected(plant, device, 1)}])

    def test_a_json_pointer_field_reads_any_value_of_the_payload(self):
        device = fx.DEVICES[1]
        status, body = self.stack.post("/query", query(
            [f"plant/1/device/{device}//sensors/1/t", f"plant/2/device/*/count",
             "plant/1/device/*/on"]))
        self.assertEqual(status, 200, body)
        self.assertEqual([s["target"] for s in body],
                         [f"plant/1/device/{device}//sensors/1/t"] +
                         [f"plant/2/device/{d}/count" for d in fx.DEVICES] +
                         [f"plant/1/device/{d}/on" for d in fx.DEVICES])
        self.assertEqual(body[0]["datapoints"], self.expected("1", device, 2))
        for d, series in zip(fx.DEVICES, body[1:4]):
            self.assertEqual(series["datapoints"], self.expected("2", d, 3))
        for d, series in zip(fx.DEVICES, body[4:]):
            self.assertEqual(series["datapoints"],
                             [[int(on), t] for t, _, _, _, on in published("1", d)])

    def test_a_weldspot_field_gives_no_points_and_a_string_column_is_not_a_field(self):
        device = fx.DEVICES[0]
        status, body = self.stack.post("/query", query([f"plant/1/device/{device}/Voltage"]))
        self.assertEqual((status, body[0]["datapoints"]), (200, []))
        status, body = self.stack.post("/query", query([f"plant/1/device/{device}/label"]))
        self.assertEqual(status, 400, body)
        self.assertIn("or a JSON pointer", body["error"])

    def test_search_and_the_builder_offer_the_routes_numeric_columns(self):
        status, names = self.stack.post("/search", {"target": f"plant/1/device/{fx.DEVICES[2]}"})
        self.assertEqual(status, 200)
        self.assertEqual(names, [f"plant/1/device/{fx.DEVICES[2]}/{f}" for f in
                                 ("Current", "MainPowerSwitch", "Voltage", "count", "on",
                                  "temp")])
        status, metrics = self.stack.post("/metrics", {})
        fields = [p for p in metrics[0]["payloads"] if p["name"] == "field"][0]["options"]
        self.assertEqual([o["value"] for o in fields],
                         ["Voltage", "Current", "MainPowerSwitch", "temp", "count", "on"])

    def test_a_route_that_is_not_in_the_config_is_a_usage_error(self):
        import subprocess
        r = subprocess.run([fx.BIN, "serve", "--config", self.stack.config, "--route", "nope",
                            "--listen", "127.0.0.1:0"], capture_output=True, text=True,
                           env=self.stack.proc_env, timeout=30)
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertIn("no such route (routes: sensors-pq, sensors-jsonl)", r.stderr)


if __name__ == "__main__":
    unittest.main()
