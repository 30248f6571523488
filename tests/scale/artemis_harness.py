"""Apache ActiveMQ Artemis for the scale-out and failover tests (tests/scale/test_artemis_*.py).

  Artemis            a topology started by scripts/devstack/artemis.sh (replicated
                     primary/backup pair, or a 2-3 node cluster) in a private directory, on
                     ARTEMIS_TEST_PORT_BASE (default 36400; node i on base+10i .. +10i+2);
                     nodes are killed (SIGKILL) and started again by PID through the script
  FailoverPublisher  Paho at full speed (no rate limit) over a list of brokers: when its
                     connection drops it connects to the next one and publishes again every
                     message that was not acknowledged (PUBACK), so every message is published
                     at least once; records when it switched
  ArtemisTestCase    a test class around one topology: up in setUpClass; tearDownClass
                     kills the converters, stops every node and deletes the test buckets
  report             published / stored / lost / duplicated, printed in one line per test

Environment: MQTT2S3_BIN and the dev stack's env file, as scale_harness.py;
ARTEMIS_TEST_PORT_BASE; MQTT2S3_ARTEMIS_READY_TIMEOUT (s per node, default 60).
"""

import os
import shutil
import subprocess
import tempfile
import threading
import time
import unittest
import uuid
from collections import Counter

import paho.mqtt.client as mqtt

from scale_harness import Publisher, delete_bucket, payload, s3_client, stack_env

SOURCE_DIR = os.environ.get(
    "MQTT2S3_SOURCE_DIR",
    os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")))
SCRIPT = os.path.join(SOURCE_DIR, "scripts", "devstack", "artemis.sh")
PORT_BASE = int(os.environ.get("ARTEMIS_TEST_PORT_BASE", "36400"))


class Artemis:
    """One topology of scripts/devstack/artemis.sh in `workdir`; `up_seconds` is the start time."""

    def __init__(self, workdir, topology, nodes=None, port_base=PORT_BASE):
        self.dir = os.path.join(workdir, "artemis")
        self.topology, self.port_base = topology, port_base
        self.nodes = 2 if topology == "ha" else (nodes or 3)
        self.env = dict(os.environ, ARTEMIS_DIR=self.dir, ARTEMIS_PORT_BASE=str(port_base),
                        DEVSTACK_READY_TIMEOUT=os.environ.get("MQTT2S3_ARTEMIS_READY_TIMEOUT", "60"))
        self.up_seconds = None

    def _run(self, *args, timeout=120):
        r = subprocess.run([SCRIPT, *args], env=self.env, capture_output=True, text=True,
                           timeout=timeout)
        if r.returncode != 0:
            raise RuntimeError(f"artemis.sh {' '.join(args)} failed ({r.returncode}):\n"
                               f"{r.stdout}\n{r.stderr}")
        return r.stdout

    def up(self):
        t0 = time.monotonic()
        args = ["up", self.topology] + ([] if self.topology == "ha" else [str(self.nodes)])
        out = self._run(*args)
        self.up_seconds = time.monotonic() - t0
        return out

    def down(self):
        return self._run("down")

    def kill(self, node):
        """SIGKILL; returns the monotonic time just before the signal."""
        t = time.monotonic()
        self._run("kill", str(node))
        return t

    def start(self, node):
        return self._run("start", str(node))

    def mqtt_port(self, node):
        return self.port_base + 10 * node

    def mqtts_port(self, node):
        return self.port_base + 10 * node + 1

    def ca_file(self):
        return os.path.join(self.dir, "tls", "ca.pem")

    def log(self, node):
        try:
            with open(os.path.join(self.dir, "log", f"artemis-{node}.out")) as f:
                return f.read()
        except OSError:
            return ""


class FailoverPublisher:
    """Publishes seq 0..n-1 at QoS 1 as fast as Paho goes, over `ports` in turn.

    Each connection is a fresh MQTT 3.1.1 clean session; after a drop every seq without a
    PUBACK is published again on the next broker (at least once). acked: the seqs some broker
    acknowledged; sends: how often each seq went out; switches: (monotonic time of the drop,
    time of the first PUBACK on the next broker, port)."""

    def __init__(self, ports, root, n, plants, devices, client_id, inflight=200,
                 deadline_s=180.0, on_progress=None):
        self.ports, self.root, self.n = list(ports), root, n
        self.plants, self.devices, self.client_id = plants, devices, client_id
        self.inflight, self.deadline_s = inflight, deadline_s
        self.on_progress = on_progress  # called with the count of first sends, from the thread
        self.acked = set()
        self.sends = Counter()
        self.first_sent_at = [None] * n
        self.switches = []
        self.error = None
        self.thread = threading.Thread(target=self._run, daemon=True)

    topic_of = Publisher.topic_of  # same topics and payloads as the rate-limited publisher

    def start(self):
        self.thread.start()
        return self

    def _connect(self, port):
        state = {"up": threading.Event(), "down": threading.Event(), "acked": []}
        c = mqtt.Client(client_id=self.client_id, protocol=mqtt.MQTTv311, clean_session=True)
        c.max_inflight_messages_set(self.inflight)
        c.max_queued_messages_set(0)
        c.on_connect = lambda cl, u, f, rc: state["up"].set() if rc == 0 else state["down"].set()
        c.on_disconnect = lambda cl, u, rc: state["down"].set()
        # Appended on Paho's thread; no lock (Paho holds its own while calling back).
        c.on_publish = lambda cl, u, mid: state["acked"].append(mid)
        try:
            c.connect("127.0.0.1", port, keepalive=5)
        except OSError:
            return None, state
        c.loop_start()
        if not state["up"].wait(5) or state["down"].is_set():
            c.loop_stop()
            return None, state
        return c, state

    def _run(self):
        try:
            self._publish_all()
        except Exception as e:  # noqa: BLE001 - reported by wait()
            self.error = e

    def _publish_all(self):
        deadline = time.monotonic() + self.deadline_s
        idx, dropped_at = 0, None
        while len(self.acked) < self.n and time.monotonic() < deadline:
            port = self.ports[idx % len(self.ports)]
            client, state = self._connect(port)
            if client is None:
                idx += 1
                time.sleep(0.1)
                continue
            mids = {}
            todo = [s for s in range(self.n) if s not in self.acked]
            first_ack_seen = dropped_at is None
            for seq in todo:
                if state["down"].is_set() or time.monotonic() > deadline:
                    break
                topic, plant, device = self.topic_of(seq)
                info = client.publish(topic, payload(seq, plant, device), qos=1)
                mids[info.mid] = seq
                self.sends[seq] += 1
                if self.first_sent_at[seq] is None:
                    self.first_sent_at[seq] = time.monotonic()
                    if self.on_progress:
                        self.on_progress(seq + 1)
                if not first_ack_seen and state["acked"]:
                    first_ack_seen = True
                    self.switches.append((dropped_at, time.monotonic(), port))
            while not state["down"].is_set() and time.monotonic() < deadline:
                if len(state["acked"]) >= len(mids):
                    break
                time.sleep(0.01)
            for mid in list(state["acked"]):
                if mid in mids:
                    self.acked.add(mids[mid])
            if not first_ack_seen and state["acked"]:
                self.switches.append((dropped_at, time.monotonic(), port))
            if state["down"].is_set():
                dropped_at = time.monotonic()
                idx += 1
            client.loop_stop()
            try:
                client.disconnect()
            except Exception:  # noqa: BLE001 - the connection is gone anyway
                pass

    def wait(self, timeout=180.0):
        self.thread.join(timeout)
        if self.error:
            raise self.error
        return len(self.acked) == self.n


def report(name, n, published, msgs, extra=""):
    """Prints and returns (lost, duplicated) for stored [(seq, instance, key)]."""
    counts = Counter(s for s, _, _ in msgs)
    lost = sorted(set(published) - set(counts))
    dups = sorted(s for s, c in counts.items() if c > 1)
    print(f"\n[artemis {name}] published {len(published)} of {n} (acked), stored {len(counts)} "
          f"distinct in {len(msgs)} copies, lost {len(lost)} {lost[:10]}, duplicated "
          f"{len(dups)}{'; ' + extra if extra else ''}", flush=True)
    return lost, dups


class ArtemisTestCase(unittest.TestCase):
    """Base of the Artemis tests: TOPOLOGY ("ha" | "cluster"), NODES and PORT_OFFSET (added to
    ARTEMIS_TEST_PORT_BASE) per class; procs are killed and buckets deleted at the end."""

    TOPOLOGY, NODES, PORT_OFFSET = "ha", 2, 0

    @classmethod
    def setUpClass(cls):
        cls.env = stack_env()
        cls.s3 = s3_client(cls.env)
        cls.tmp = tempfile.mkdtemp(prefix=f"scale-artemis-{cls.TOPOLOGY}-")
        cls.broker = Artemis(cls.tmp, cls.TOPOLOGY, cls.NODES,
                             port_base=PORT_BASE + cls.PORT_OFFSET)
        cls.procs, cls.buckets = [], []
        try:
            cls.broker.up()
        except Exception:
            shutil.rmtree(cls.tmp, ignore_errors=True)
            raise
        print(f"\n[artemis {cls.TOPOLOGY}] {cls.broker.nodes} nodes ready in "
              f"{cls.broker.up_seconds:.1f} s", flush=True)

    @classmethod
    def tearDownClass(cls):
        for p in reversed(cls.procs):
            try:
                p.kill9()
            except Exception:  # noqa: BLE001 - cleanup continues
                pass
        try:
            cls.broker.down()
        finally:
            for b in cls.buckets:
                delete_bucket(cls.s3, b)
                delete_bucket(cls.s3, b + "-dlq")
            shutil.rmtree(cls.tmp, ignore_errors=True)

    def new_stream(self, name):
        """A fresh topic root and its bucket (deleted at the end)."""
        root = name + "-" + uuid.uuid4().hex[:6].upper()
        self.buckets.append(root.lower())
        return root, root.lower()
