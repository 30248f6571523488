"""`mqtt2s3 run` as an operator runs it, against the real dev stack: /metrics counts what was
published and stored, /healthz and /readyz answer, systemd's notify socket gets READY=1 and
STOPPING=1 (and WATCHDOG=1 when asked), SIGHUP reopens a renamed log file, a terminal gets the
progress line, the systemd unit verifies, --version prints build information.

Environment: MQTT2S3_BIN, MQTT2S3_SOURCE_DIR, and the dev stack's env file (MQTT2S3_STACK_ENV
or <source>/.dev-stack/stack.env). Metrics ports: MQTT2S3_OPS_PORT_BASE (default 14900) and
the next two.
"""
import os
import pty
import re
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import textwrap
import time
import unittest
import urllib.error
import urllib.request
import uuid

import paho.mqtt.client as mqtt

BIN = os.environ["MQTT2S3_BIN"]
SRC = os.environ["MQTT2S3_SOURCE_DIR"]
PORT_BASE = int(os.environ.get("MQTT2S3_OPS_PORT_BASE", "14900"))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
import stack  # noqa: E402  (tests/support/stack.py)

STACK = stack.read_env()


def free_closed_port():
    """A loopback port nobody listens on (bound, then released)."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def http_get(port, path):
    """(status, body); status 0 when nothing answers."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()
    except (urllib.error.URLError, ConnectionError, OSError):
        return 0, ""


def wait_for(what, predicate, timeout=30.0, interval=0.2):
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = predicate()
        if last:
            return last
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what} (last: {last!r})")


def converter_config(name, extra, broker_port=None, client_id=True):
    """A converter's YAML: `name`/# from the broker (the stack's unless broker_port) into bucket
    `name`, with the stack's S3; `extra` (indented or not) adds the test's own sections."""
    client_id_line = f"  client_id: {name}\n" if client_id else ""
    return (f"broker:\n  port: {broker_port or STACK['MQTT_PORT']}\n{client_id_line}" +
            textwrap.dedent(f"""\
                subscriptions:
                  - filter: "{name}/#"
                s3:
                  endpoint: {STACK['S3_ENDPOINT']}
                  access_key_env: S3_ACCESS_KEY
                  secret_key_env: S3_SECRET_KEY
                routes:
                  - name: r
                    filter: "{name}/#"
                    bucket: "{name}"
                    key: "{{object_name}}"
                """) + textwrap.dedent(extra))


def read(path):
    with open(path) as f:
        return f.read()


def metric(text, name):
    m = re.search(rf"^{re.escape(name)} (\S+)$", text, re.M)
    return float(m.group(1)) if m else None


class Run:
    """One `mqtt2s3 run` process with a notify socket; always killed at the end."""

    def __init__(self, tmp, config_text, extra_env=None):
        self.tmp = tmp
        self.config = stack.write_config(config_text, os.path.join(tmp, "config.yaml"))
        self.notify_path = os.path.join(tmp, "notify.sock")
        self.notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.notify.bind(self.notify_path)
        self.notify.settimeout(0.5)
        env = stack.child_env(STACK, NOTIFY_SOCKET=self.notify_path)
        env.update(extra_env or {})
        self.stderr = open(os.path.join(tmp, "stderr.txt"), "w+")
        self.proc = subprocess.Popen([BIN, "run", "--config", self.config], env=env,
                                     stdout=subprocess.DEVNULL, stderr=self.stderr)
        self.received = []

    def wait_notify(self, state, timeout=30.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if any(state in d.split("\n") for d in self.received):
                return
            try:
                self.received.append(self.notify.recv(4096).decode())
            except socket.timeout:
                if self.proc.poll() is not None:
                    break
        raise AssertionError(f"no {state} on NOTIFY_SOCKET; got {self.received}; "
                             f"stderr: {self.read_stderr()}")

    def read_stderr(self):
        self.stderr.flush()
        self.stderr.seek(0)
        return self.stderr.read()

    def close(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)
        self.notify.close()
        self.stderr.close()


def publish(topic_prefix, n):
    client = mqtt.Client(client_id=f"ops-pub-{uuid.uuid4().hex[:8]}")
    client.connect("127.0.0.1", int(STACK["MQTT_PORT"]))
    client.loop_start()
    try:
        infos = [client.publish(f"{topic_prefix}/{i % 3}", f'{{"i":{i}}}', qos=1)
                 for i in range(n)]
        for info in infos:
            info.wait_for_publish(timeout=10)
            assert info.is_published(), "publish not acknowledged by the broker"
    finally:
        client.loop_stop()
        client.disconnect()


class OpsTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="m2s-ops-")
        self.runs = []

    def tearDown(self):
        for r in self.runs:
            r.close()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def start(self, config_text, extra_env=None):
        r = Run(self.tmp, config_text, extra_env)
        self.runs.append(r)
        return r

    def start_converter(self, name, extra, broker_port=None, client_id=True, extra_env=None):
        """Starts `mqtt2s3 run` on converter_config(...)."""
        return self.start(converter_config(name, extra, broker_port, client_id), extra_env)

    def test_metrics_count_what_is_stored_and_service_protocol_is_followed(self):
        name = f"ops-{uuid.uuid4().hex[:8]}"
        port = PORT_BASE
        log = os.path.join(self.tmp, "mqtt2s3.log")
        run = self.start_converter(name, f"""\
            instance_id: ops
            batch:
              max_messages: 20
              max_age: 1s
            wal:
              dir: {self.tmp}/wal
            dead_letter:
              bucket: {name}-dlq
            logging:
              file: {log}
            metrics:
              listen: 127.0.0.1:{port}
            """, extra_env={"WATCHDOG_USEC": "400000"})
        run.wait_notify("READY=1")
        run.wait_notify("WATCHDOG=1", timeout=5)
        self.assertEqual(http_get(port, "/healthz"), (200, "ok\n"))
        wait_for("/readyz 200", lambda: http_get(port, "/readyz")[0] == 200)

        n = 50
        publish(name, n)

        def counts():
            status, text = http_get(port, "/metrics")
            if status != 200:
                return None
            got = (metric(text, "mqtt2s3_messages_received_total"),
                   metric(text, "mqtt2s3_messages_stored_total"))
            return text if got == (n, n) else None

        text = wait_for(f"received == stored == {n}", counts, timeout=60)
        self.assertEqual(metric(text, "mqtt2s3_messages_dead_lettered_total"), 0)
        self.assertEqual(metric(text, "mqtt2s3_messages_acked_total"), n)
        self.assertEqual(metric(text, "mqtt2s3_wal_appends_total"), n)
        self.assertEqual(metric(text, "mqtt2s3_broker_connected"), 1)
        self.assertEqual(metric(text, "mqtt2s3_ready"), 1)
        self.assertGreaterEqual(metric(text, "mqtt2s3_upload_duration_seconds_count"), 3)
        self.assertRegex(text, r'mqtt2s3_batches_flushed_total\{trigger="count"\} [1-9]')

        # SIGHUP after logrotate's rename: a new file appears under the configured name.
        self.assertIn("connected to broker", read(log))
        os.rename(log, log + ".1")
        run.proc.send_signal(signal.SIGHUP)
        wait_for("the log file reopened", lambda: os.path.exists(log) and
                 "reopened log file" in read(log), timeout=10)
        self.assertIsNone(run.proc.poll(), "SIGHUP must not stop the service")

        run.proc.send_signal(signal.SIGTERM)
        run.wait_notify("STOPPING=1", timeout=10)
        self.assertEqual(run.proc.wait(timeout=60), 0, run.read_stderr())

    def test_not_ready_while_the_broker_is_unreachable(self):
        name = f"ops-{uuid.uuid4().hex[:8]}"
        port = PORT_BASE + 1
        run = self.start_converter(name, f"""\
            instance_id: ops
            wal:
              dir: {self.tmp}/wal
            dead_letter:
              bucket: {name}-dlq
            metrics:
              listen: 127.0.0.1:{port}
            """, broker_port=free_closed_port())
        wait_for("/healthz 200", lambda: http_get(port, "/healthz")[0] == 200)
        # S3 is up: once its probe has run, the only thing missing is the broker.
        body = wait_for("/readyz naming only the broker",
                        lambda: (lambda r: r[0] == 503 and r[1] == "not ready: broker not "
                                 "connected\n" and r)(http_get(port, "/readyz")))
        self.assertEqual(body[0], 503)
        _, text = http_get(port, "/metrics")
        self.assertEqual(metric(text, "mqtt2s3_broker_connected"), 0)
        self.assertEqual(metric(text, "mqtt2s3_s3_reachable"), 1)
        self.assertFalse(any("READY=1" in d for d in run.received))

    def test_progress_line_every_ten_seconds_on_a_terminal(self):
        name = f"ops-{uuid.uuid4().hex[:8]}"
        config = stack.write_config(converter_config(name, f"""\
            wal:
              dir: {self.tmp}/wal-tty
            metrics:
              listen: ""
            """), os.path.join(self.tmp, "tty.yaml"))
        env = stack.child_env(STACK)
        master, slave = pty.openpty()
        proc = subprocess.Popen([BIN, "run", "--config", config], env=env,
                                stdout=subprocess.DEVNULL, stderr=slave)
        os.close(slave)
        out = b""
        try:
            deadline = time.monotonic() + 30
            while b"progress: received 0 (0.0/s)" not in out and time.monotonic() < deadline:
                ready, _, _ = select.select([master], [], [], 1.0)
                if ready:
                    try:
                        out += os.read(master, 4096)
                    except OSError:
                        break
        finally:
            proc.terminate()
            proc.wait(timeout=60)
            os.close(master)
        self.assertIn(b"progress: received 0 (0.0/s), stored 0, acked 0, buffered 0", out)

    def test_a_metrics_port_in_use_is_a_configuration_error(self):
        name = f"ops-{uuid.uuid4().hex[:8]}"
        busy = socket.socket()
        busy.bind(("127.0.0.1", PORT_BASE + 2))
        busy.listen(1)
        try:
            run = self.start_converter(name, f"""\
                delivery:
                  ack_mode: on-upload
                metrics:
                  listen: 127.0.0.1:{PORT_BASE + 2}
                """, client_id=False)
            self.assertEqual(run.proc.wait(timeout=30), 2)
            self.assertIn(f"127.0.0.1:{PORT_BASE + 2}", run.read_stderr())
        finally:
            busy.close()

    def test_systemd_unit_passes_systemd_analyze_verify(self):
        stack.require(self, shutil.which("systemd-analyze"),
                      "systemd-analyze not installed (scripts/install-deps.sh installs systemd)")
        with open(os.path.join(SRC, "packaging", "systemd", "mqtt2s3.service")) as f:
            unit = f.read()
        self.assertIn("Type=notify", unit)
        self.assertIn("WatchdogSec=", unit)
        path = os.path.join(self.tmp, "mqtt2s3.service")
        with open(path, "w") as f:
            f.write(unit.replace("/usr/local/bin/mqtt2s3", BIN))
        out = subprocess.run(["systemd-analyze", "verify", path], capture_output=True,
                             text=True, timeout=60)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertNotIn("mqtt2s3.service", out.stderr)

    def test_version_prints_the_version_and_how_it_was_built(self):
        out = subprocess.run([BIN, "--version"], capture_output=True, text=True, timeout=10)
        self.assertEqual(out.returncode, 0)
        lines = out.stdout.splitlines()
        self.assertRegex(lines[0], r"^mqtt2s3 \d+\.\d+\.\d+$")
        self.assertRegex(lines[1], r"^build: .*compiler .*Boost 1\.\d+")


if __name__ == "__main__":
    unittest.main()
