"""Shared setup of the dashboard integration tests: known weld spots put into the dev stack's
RGW by the real converter, then `mqtt2s3 serve` started on them.

Data path, all real: paho publishes (QoS 1) to mosquitto -> `mqtt2s3 run` with a generated
welding config (bucket per plant, index key DEVICE/WELD/1/Timestamp, clustered by device,
small batches so there are several objects) -> RGW -> `mqtt2s3 serve`.

Environment: MQTT2S3_BIN, MQTT2S3_SOURCE_DIR, and the dev stack's env file
($MQTT2S3_STACK_ENV or <source>/.dev-stack/stack.env).
"""
import datetime
import json
import os
import queue
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid
import zlib

import paho.mqtt.client as mqtt

BIN = os.environ["MQTT2S3_BIN"]
SRC = os.environ["MQTT2S3_SOURCE_DIR"]
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
import stack  # noqa: E402  (tests/support/stack.py)

T0 = datetime.datetime(2018, 10, 1, 17, 0, 0, tzinfo=datetime.timezone.utc)
T0_MS = int(T0.timestamp() * 1000)
PLANTS = ["1", "2"]
DEVICES = ["WELDING-STATION-03", "WELDING-STATION-12", "WELDING-STATION-20"]
PER_DEVICE = 60          # one weld per device and second: 17:00:00 .. 17:00:59
# Published with COMPRESSED=1 (zlib payloads) when the converter supports it.
COMPRESSED_DEVICE = "WELDING-STATION-20"


def voltage(plant, d, i):
    """The published voltage of device index d's i-th weld (deterministic, varied)."""
    return 200 + (i * 7 + d * 13 + int(plant) * 5) % 50


def current(plant, d, i):
    return 10 + (i * 3 + d) % 20


def published(plant, device):
    """[(epoch_ms, voltage, current), ...] as published for one device, in time order."""
    d = DEVICES.index(device)
    return [(T0_MS + i * 1000, voltage(plant, d, i), current(plant, d, i))
            for i in range(PER_DEVICE)]


class Stack:
    """Converter + serve processes and their data; start() once, stop() at the end."""

    def __init__(self):
        self.env = stack.read_env()
        tag = uuid.uuid4().hex[:8]
        self.root = f"SRVT-{tag}".upper()           # topic root; buckets are lower-cased
        self.tag = tag
        self.bucket_template = f"srvt-{tag}-plant-{{plant}}"
        self.flush_topic = f"mqtt2s3/flush/{tag}"
        self.tmp = tempfile.mkdtemp(prefix="serve-it-")
        self.procs = []
        self.base_url = None
        self.serve_args = []            # further `mqtt2s3 serve` flags
        self.wait_target = "Voltage"    # field of the all-devices query start() waits for
        self.s3 = stack.s3_client(self.env)
        self.proc_env = stack.child_env(self.env)
        self.config = os.path.join(self.tmp, "welding.yaml")
        # COMPRESSED=1 topics need the route's compressed_level (the converter inflates to
        # index); with a converter that lacks it, every device publishes uncompressed.
        self.compressed_device = COMPRESSED_DEVICE
        self._write_config(tag, 'compressed_level: compressed')
        check = subprocess.run([BIN, "check-config", self.config], capture_output=True,
                               text=True, env=self.proc_env, timeout=30)
        if check.returncode != 0:
            self.compressed_device = None
            self._write_config(tag, "")

    def _write_config(self, tag, compressed_line):
        self._write_config_with_routes(tag, f"""\
                  - name: welding
                    filter: "{self.root}/+/+/+/+/+/+"
                    pattern: "{{root}}/{{format}}/{{compressed}}/{{plant}}/{{device}}/{{type}}/{{version}}"
                    bucket: "{{root}}-plant-{{plant}}"
                    key: "{{first:%Y/%m/%d/%H}}/{{object_name}}"
                    payload: json
                    {compressed_line}
                    time_field: /weldspot/Timestamp
                    time_format: "%Y%m%d %H%M%S"
                    index_key: "{{device}}/{{type}}/{{version}}/{{json:/weldspot/Timestamp}}"
                    cluster: true
                    cluster_components: 1
                    batch:
                      max_messages: 50
                      max_age: 30s
""")

    def _write_config_with_routes(self, tag, routes):
        """The config file: this stack's broker, RGW, flush topic and WAL, and `routes` (YAML
        list items indented by 18 spaces, as in _write_config)."""
        stack.write_config(f"""\
                instance_id: serve-it-{tag}
                broker:
                  host: 127.0.0.1
                  port: {self.env['MQTT_PORT']}
                  client_id: serve-it-{tag}
                  protocol: "5"
                  receive_maximum: 1000
                subscriptions:
                  - filter: "{self.root}/#"
                    qos: 1
                s3:
                  endpoint: {self.env['S3_ENDPOINT']}
                  region: {self.env['S3_REGION']}
                  addressing: path
                  access_key_env: S3_ACCESS_KEY
                  secret_key_env: S3_SECRET_KEY
                  create_buckets: true
                routes:
{routes}
                flush:
                  control_topic: {self.flush_topic}
                metrics:
                  listen: ""
                dead_letter:
                  bucket: srvt-{tag}-dlq
                wal:
                  dir: {self.tmp}/wal
                logging:
                  level: info
                """, self.config)

    @classmethod
    def started(cls):
        """A new stack of this class, started; stopped (logs kept) when starting fails."""
        s = cls()
        try:
            s.start()
        except Exception:
            s.stop(check=False)
            raise
        return s

    def bucket(self, plant):
        return self.bucket_template.replace("{plant}", plant)

    def _spawn(self, args, ready, name, timeout=30):
        """Starts a process, waits (bounded) for an output line matching `ready`. A thread
        copies the output to <tmp>/<name>.log (and keeps the pipe drained)."""
        log_path = os.path.join(self.tmp, name + ".log")
        p = subprocess.Popen([BIN, *args], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                             text=True, env=self.proc_env)
        lines = queue.Queue()

        def pump():
            with open(log_path, "w") as log:
                for line in p.stdout:
                    log.write(line)
                    log.flush()
                    lines.put(line)
            lines.put(None)

        thread = threading.Thread(target=pump, daemon=True)
        thread.start()
        self.procs.append((p, thread))
        deadline = time.time() + timeout
        while time.time() < deadline:
            try:
                line = lines.get(timeout=0.5)
            except queue.Empty:
                continue
            if line is None:
                break
            m = re.search(ready, line)
            if m:
                return m
        raise AssertionError(f"{name} did not become ready within {timeout} s (log: {log_path})")

    def start(self):
        self._spawn(["run", "--config", self.config], r"subscribed", "converter")
        self._publish()
        self.base_url = self.spawn_serve("serve", *self.serve_args)
        self._wait_for_all_welds()

    def spawn_serve(self, name, *args):
        """Starts one more `mqtt2s3 serve` on this stack's data (log <tmp>/<name>.log, stopped
        by stop()) and returns its base URL."""
        m = self._spawn(["serve", "--config", self.config, "--listen", "127.0.0.1:0",
                         "--bucket-template", self.bucket_template, "--plants", ",".join(PLANTS),
                         *args],
                        r"listening on (http://127\.0\.0\.1:\d+)/", name)
        return m.group(1)

    def _publish(self):
        messages = []
        seq = 0
        for plant in PLANTS:
            for d, device in enumerate(DEVICES):
                compressed = device == self.compressed_device
                for t_ms, v, c in published(plant, device):
                    ts = datetime.datetime.fromtimestamp(t_ms / 1000, datetime.timezone.utc)
                    seq += 1
                    payload = json.dumps({"weldspot": {
                        "Timestamp": ts.strftime("%Y%m%d %H%M%S"), "Voltage": str(v),
                        "Current": str(c), "MainPowerSwitch": "1", "MainPowerSwitch_str": "ON"},
                        "seq": seq}).encode()
                    if compressed:
                        payload = zlib.compress(payload)
                    topic = f"{self.root}/JSON/{1 if compressed else 0}/{plant}/{device}/WELD/1"
                    messages.append((topic, payload))
        self._publish_all(messages)

    def _publish_all(self, messages):
        """Publishes (topic, payload) pairs at QoS 1, waits for every PUBACK, then sends the
        flush command so the converter uploads its open batches."""
        client = mqtt.Client(client_id=f"{self.root}-pub", protocol=mqtt.MQTTv5)
        client.connect("127.0.0.1", int(self.env["MQTT_PORT"]))
        client.loop_start()
        infos = [client.publish(topic, payload, qos=1) for topic, payload in messages]
        for info in infos:
            info.wait_for_publish(timeout=30)
            assert info.is_published(), "a message was not acknowledged by the broker"
        client.publish(self.flush_topic, b"{}", qos=1).wait_for_publish(timeout=30)
        client.loop_stop()
        client.disconnect()

    def _wait_for_all_welds(self):
        """Until serve returns every published weld of every plant (uploads are async)."""
        want = len(DEVICES) * PER_DEVICE
        deadline = time.time() + 60
        counts = {}
        while time.time() < deadline:
            for plant in PLANTS:
                status, body = self.post("/query", {
                    "range": {"from": "2018-10-01T16:00:00.000Z", "to": "2018-10-01T18:00:00.000Z"},
                    "maxDataPoints": 100000,
                    "targets": [{"target": f"plant/{plant}/device/*/{self.wait_target}",
                                 "refId": "A"}]})
                counts[plant] = (sum(len(s["datapoints"]) for s in body)
                                 if status == 200 else f"HTTP {status}: {body}")
            if all(c == want for c in counts.values()):
                return
            time.sleep(0.5)
        raise AssertionError(f"serve did not see all {want} welds per plant within 60 s: {counts}")

    def post(self, path, body, base_url=None):
        """(status, parsed JSON) of a POST with a JSON body (to base_url's serve if given)."""
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        req = urllib.request.Request((base_url or self.base_url) + path, data=data, method="POST",
                                     headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                return r.status, json.loads(r.read())
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read())

    def get(self, path):
        try:
            with urllib.request.urlopen(self.base_url + path, timeout=30) as r:
                return r.status, r.headers.get("Content-Type"), r.read()
        except urllib.error.HTTPError as e:
            return e.code, e.headers.get("Content-Type"), e.read()

    def stop(self, check=True):
        """Stops the processes (SIGTERM). With `check`, raises when one exited non-zero (e.g.
        a sanitizer report at exit); the logs are kept then."""
        failed = []
        for p, thread in reversed(self.procs):
            if p.poll() is None:
                p.terminate()
                try:
                    p.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait(timeout=10)
            thread.join(timeout=10)
            p.stdout.close()
            if p.returncode != 0:
                failed.append(f"{' '.join(p.args[1:2])} exited with {p.returncode}")
        self.procs = []
        # Logs, WAL and screenshots stay for a look when MQTT2S3_KEEP_TEST_DIRS=1.
        if not failed and os.environ.get("MQTT2S3_KEEP_TEST_DIRS") != "1":
            shutil.rmtree(self.tmp, ignore_errors=True)
        if failed and check:
            raise AssertionError("; ".join(failed) + f" (logs in {self.tmp})")
