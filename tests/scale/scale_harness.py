"""Shared harness of the scale-out and failover tests (tests/scale/).

Processes the tests start themselves, each bound to 127.0.0.1 and recorded by PID so the test
ends exactly what it started:
  Mosquitto   a private mosquitto 2.0 (own config, persistence on, optional bridge)
  Converter   the real `mqtt2s3 run` binary with a generated YAML, its log drained and
              timestamped (monotonic) as it arrives
  Publisher   Paho, publishing a numbered QoS 1 stream at a steady rate, recording when each
              sequence number went out
and `stored_messages()` reads back what landed in S3 (object name -> instance, body -> seq).

Environment: MQTT2S3_BIN (the binary), the dev stack's env file ($MQTT2S3_STACK_ENV or
<source>/.dev-stack/stack.env) for S3, and SCALE_PORT_BASE (default 15884): the tests use
SCALE_PORT_BASE .. SCALE_PORT_BASE+4 for their own brokers.
"""

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time

import paho.mqtt.client as mqtt

PORT_BASE = int(os.environ.get("SCALE_PORT_BASE", "15884"))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
import stack  # noqa: E402  (tests/support/stack.py)

from mqtt2s3.names import ObjectNameError, parse_object_name  # noqa: E402  (PYTHONPATH)


def stack_env():
    return stack.read_env(required=("S3_ENDPOINT", "S3_ACCESS_KEY", "S3_SECRET_KEY"))


def s3_client(env):
    return stack.s3_client(env, path_style=True)


def wait_port(port, up=True, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                if up:
                    return
        except OSError:
            if not up:
                return
        time.sleep(0.05)
    raise RuntimeError(f"port {port} did not go {'up' if up else 'down'} within {timeout} s")


class Mosquitto:
    """A private mosquitto: own directory, config, persistence file and log."""

    def __init__(self, name, port, workdir, bridge_to=None, extra=""):
        self.name, self.port = name, port
        self.dir = os.path.join(workdir, name)
        os.makedirs(self.dir, exist_ok=True)
        self.conf = os.path.join(self.dir, "mosquitto.conf")
        lines = [
            f"listener {port} 127.0.0.1",
            "allow_anonymous true",
            "persistence true",
            f"persistence_location {self.dir}/",
            # The default (30 min) would make persistence meaningless under kill -9.
            "autosave_interval 1",
            # Per-session queue limit: far above what the tests leave queued, so nothing is
            # dropped silently by the broker (mosquitto's default is 1000).
            "max_queued_messages 200000",
            f"log_dest file {self.dir}/mosquitto.log",
            "log_type error", "log_type warning", "log_type notice", "log_type information",
        ]
        if bridge_to is not None:
            lines += [
                f"connection {name}-to-peer",
                f"address 127.0.0.1:{bridge_to}",
                "topic # both 1",
                "cleansession false",
                f"remote_clientid bridge-{name}",
                "bridge_protocol_version mqttv311",
                "try_private true",
                "restart_timeout 1",
            ]
        with open(self.conf, "w") as f:
            f.write("\n".join(lines) + "\n" + extra)
        self.proc = None

    def start(self):
        self.proc = subprocess.Popen(["mosquitto", "-c", self.conf], stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
        wait_port(self.port)
        return self

    def kill9(self):
        if self.proc and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.kill9()

    def log(self):
        try:
            with open(os.path.join(self.dir, "mosquitto.log")) as f:
                return f.read()
        except OSError:
            return ""


def converter_yaml(env, *, instance, client_id, port, filter_, bucket, wal_dir,
                   failover_ports=(), max_messages=500, max_age="2s", route_filter=None,
                   metrics_listen="", extra="", broker_extra="", ack_mode="on-wal"):
    """The converter's YAML: one route `{root}/{plant}/{device}` -> `{plant}/{object_name}`.

    metrics_listen: "" (off) by default: instances on one host each need their own port.
    broker_extra: more `broker:` keys, each line indented by two spaces."""
    failover = ""
    if failover_ports:
        failover = "  failover:\n" + "".join(
            f"    - host: 127.0.0.1\n      port: {p}\n" for p in failover_ports)
    return f"""\
instance_id: {instance}
broker:
  host: 127.0.0.1
  port: {port}
{failover}  client_id: {client_id}
  keepalive: 5s
  reconnect_min: 100ms
  reconnect_max: 2s
{broker_extra}subscriptions:
  - filter: "{filter_}"
    qos: 1
s3:
  endpoint: {env['S3_ENDPOINT']}
  access_key_env: S3_ACCESS_KEY
  secret_key_env: S3_SECRET_KEY
  create_buckets: true
routes:
  - name: stream
    filter: "{route_filter or filter_}"
    pattern: "{{root}}/{{plant}}/{{device}}"
    bucket: "{bucket}"
    key: "{{plant}}/{{object_name}}"
    payload: json
    index_key: "{{device}}"
    batch:
      max_messages: {max_messages}
      max_age: {max_age}
delivery:
  ack_mode: {ack_mode}
wal:
  dir: {wal_dir}
dead_letter:
  bucket: {bucket}-dlq
metrics:
  listen: "{metrics_listen}"
{extra}"""


class Converter:
    """`mqtt2s3 run --config FILE` with its log lines kept as (monotonic time, line)."""

    def __init__(self, env, config_path, cwd):
        self.env = stack.child_env(env)
        self.config_path, self.cwd = config_path, cwd
        self.lines = []
        self.cv = threading.Condition()
        self.proc = None

    def start(self):
        self.proc = subprocess.Popen([os.environ["MQTT2S3_BIN"], "run", "--config",
                                      self.config_path], env=self.env, cwd=self.cwd,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        self.reader = threading.Thread(target=self._drain, daemon=True)
        self.reader.start()
        return self

    def _drain(self):
        for line in self.proc.stderr:
            with self.cv:
                self.lines.append((time.monotonic(), line.rstrip("\n")))
                self.cv.notify_all()

    def wait_line(self, needle, count=1, timeout=30.0):
        """Monotonic arrival time of the count-th line containing `needle`."""
        deadline = time.monotonic() + timeout
        with self.cv:
            while True:
                hits = [t for t, line in self.lines if needle in line]
                if len(hits) >= count:
                    return hits[count - 1]
                left = deadline - time.monotonic()
                if left <= 0 or (self.proc.poll() is not None and not self.reader.is_alive()):
                    raise RuntimeError(f"no {count}x '{needle}' within {timeout} s:\n" + self.log())
                self.cv.wait(min(left, 0.2))

    def log(self):
        with self.cv:
            return "\n".join(line for _, line in self.lines)

    def kill9(self):
        if self.proc and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)

    def cpu_seconds(self):
        """User + system CPU time so far (Linux /proc), or None once it exited."""
        try:
            with open(f"/proc/{self.proc.pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except (OSError, IndexError, ValueError):
            return None

    def stop(self, timeout=60):
        """SIGTERM (flush, upload, ack); returns the exit code."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.kill9()
        self.reader.join(10)
        return self.proc.returncode


def payload(seq, plant, device):
    return json.dumps({"seq": seq, "plant": plant, "device": device}, separators=(",", ":"))


class Publisher:
    """Publishes seq 0..n-1 at QoS 1 over plants x devices at `rate` messages/s on a thread.

    sent_at[seq] is the monotonic time the publish call returned; acked() the seqs the broker
    acknowledged (PUBACK). n must stay below 65535 (packet ids identify messages)."""

    def __init__(self, port, root, n, plants, devices, rate, client_id):
        assert n < 65535
        self.port, self.root, self.n = port, root, n
        self.plants, self.devices, self.rate = plants, devices, rate
        self.sent_at = [None] * n
        self.mids = [None] * n
        # Appended from Paho's network thread. No lock: Paho calls on_publish holding its own
        # outgoing-message lock, which publish() takes too, so a lock here could deadlock.
        self.acked_mids = []
        self.client = mqtt.Client(client_id=client_id, protocol=mqtt.MQTTv311)
        self.client.max_inflight_messages_set(200)
        self.client.max_queued_messages_set(0)
        self.client.on_publish = lambda client, userdata, mid: self.acked_mids.append(mid)
        self.thread = threading.Thread(target=self._run, daemon=True)

    def topic_of(self, seq):
        plant = seq % self.plants
        device = (seq // self.plants) % self.devices
        return f"{self.root}/plant-{plant}/dev-{device}", plant, device

    def start(self):
        self.client.connect("127.0.0.1", self.port)
        self.client.loop_start()
        self.thread.start()
        return self

    def _run(self):
        t0 = time.monotonic()
        for seq in range(self.n):
            if self.rate:
                delay = t0 + seq / self.rate - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
            topic, plant, device = self.topic_of(seq)
            self.mids[seq] = self.client.publish(topic, payload(seq, plant, device), qos=1).mid
            self.sent_at[seq] = time.monotonic()

    def acked(self):
        done = set(self.acked_mids)
        return {seq for seq, mid in enumerate(self.mids) if mid is not None and mid in done}

    def wait(self, timeout=120.0):
        """Until every message is sent and acknowledged (or the timeout)."""
        self.thread.join(timeout)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and len(set(self.acked_mids)) < self.n:
            time.sleep(0.05)
        self.client.loop_stop()
        self.client.disconnect()
        return len(self.acked()) == self.n


def stored_messages(s3, bucket):
    """[(seq, instance, key)] for every message in every data object of `bucket`."""
    out = []
    token = None
    keys = []
    for _ in range(1000):  # pages of 1000 keys; bounded
        kw = {"Bucket": bucket}
        if token:
            kw["ContinuationToken"] = token
        try:
            page = s3.list_objects_v2(**kw)
        except s3.exceptions.NoSuchBucket:
            return out
        keys += [o["Key"] for o in page.get("Contents", [])]
        if not page.get("IsTruncated"):
            break
        token = page["NextContinuationToken"]
    for key in keys:
        if key.startswith("_index/"):
            continue  # companion index objects (format.index_prefix)
        try:
            name = parse_object_name(key)
        except ObjectNameError:
            continue  # not a batch
        body = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
        for line in body.splitlines():
            if line:
                out.append((json.loads(line)["seq"], name.instance, key))
    return out


def wait_stored(s3, bucket, predicate, timeout=60.0):
    """Polls stored_messages until predicate(messages) holds; returns the last read."""
    deadline = time.monotonic() + timeout
    msgs = stored_messages(s3, bucket)
    while not predicate(msgs) and time.monotonic() < deadline:
        time.sleep(1.0)
        msgs = stored_messages(s3, bucket)
    return msgs


def delete_bucket(s3, bucket):
    for _ in range(100):
        try:
            objs = s3.list_objects_v2(Bucket=bucket).get("Contents", [])
        except s3.exceptions.ClientError:
            return
        for o in objs:
            s3.delete_object(Bucket=bucket, Key=o["Key"])
        if not objs:
            break
    try:
        s3.delete_bucket(Bucket=bucket)
    except s3.exceptions.ClientError:
        pass
