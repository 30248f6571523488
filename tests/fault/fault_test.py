"""Fault tests of the delivery guarantee, against the real dev stack (docs/WAL.md).

Every test publishes a numbered QoS 1 stream with `mqtt2s3 simulate` (payload field "seq"),
injects one fault while `mqtt2s3 run` converts it, and then checks that every published
sequence number is in S3, printing what it verified (published, stored, duplicates).

Scale: FAULT_SCALE=small (default, what `make test` runs) or FAULT_SCALE=large (the issue's
figures: 50,000 messages and 10 kills, a 30 s S3 outage), e.g.

    FAULT_SCALE=large MQTT2S3_BIN=build/apps/mqtt2s3/mqtt2s3 MQTT2S3_SOURCE_DIR=. \
        python3 -m unittest -v tests/fault/fault_test.py

Environment: MQTT2S3_BIN, MQTT2S3_SOURCE_DIR, and the dev stack's env file (MQTT2S3_STACK_ENV
or <source>/.dev-stack/stack.env). Everything runs on 127.0.0.1; every wait is bounded.
"""
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
import unittest
import uuid

BIN = os.environ["MQTT2S3_BIN"]
SRC = os.environ["MQTT2S3_SOURCE_DIR"]
LARGE = os.environ.get("FAULT_SCALE", "small") == "large"
SEED = int(os.environ.get("FAULT_SEED", "1"))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
import stack  # noqa: E402  (tests/support/stack.py)


STACK = stack.read_env()
CHILD_ENV = stack.child_env(STACK)
wait_until = stack.wait_until


def s3():
    return stack.s3_client(STACK)


def devstack(*args):
    """scripts/dev-stack.sh with the running stack's settings (ports, directory)."""
    env = dict(os.environ)
    env.update({k: v for k, v in STACK.items() if k in (
        "MQTT2S3_STACK_DIR", "MQTT_PORT", "AEDES_PORT", "RGW_PORT", "MON_PORT", "OSD_PORT_MIN")})
    out = subprocess.run([os.path.join(SRC, "scripts", "dev-stack.sh"), *args], env=env,
                         capture_output=True, text=True, timeout=120)
    if out.returncode != 0:
        raise RuntimeError(f"dev-stack.sh {' '.join(args)} failed: {out.stderr[-2000:]}")


def rss_kib(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


class Scenario:
    """One converter configuration (bucket root, WAL dir, logs) and its processes."""

    def __init__(self, tag, wal=None, s3_endpoint=None, batch_messages=500,
                 receive_maximum=1000):
        self.name = f"fault-{tag}-{uuid.uuid4().hex[:8]}"
        self.dir = tempfile.mkdtemp(prefix=self.name + "-")
        self.wal_dir = os.path.join(self.dir, "wal")
        self.bucket = f"{self.name}-plant-1"
        self.logs = []
        self.proc = None
        endpoint = s3_endpoint or STACK["S3_ENDPOINT"]
        wal_keys = {"dir": self.wal_dir, **(wal or {})}
        self.config = os.path.join(self.dir, "config.yaml")
        with open(self.config, "w") as f:
            f.write(textwrap.dedent(f"""\
                instance_id: fault
                broker:
                  port: {STACK['MQTT_PORT']}
                  client_id: {self.name}
                  clean_start: false
                  session_expiry: 1h
                  receive_maximum: {receive_maximum}
                  reconnect_max: 1s
                subscriptions:
                  - filter: "{self.name}/#"
                    qos: 1
                s3:
                  endpoint: {endpoint}
                  access_key_env: S3_ACCESS_KEY
                  secret_key_env: S3_SECRET_KEY
                  request_timeout: 5s
                routes:
                  - name: welding
                    filter: "{self.name}/+/+/+/+/+/+"
                    pattern: "{{root}}/{{format}}/{{compressed}}/{{plant}}/{{device}}/{{type}}/{{version}}"
                    bucket: "{{root}}-plant-{{plant}}"
                    key: "{{object_name}}"
                    time_field: /weldspot/Timestamp
                    time_format: "%Y%m%d %H%M%S"
                    index_key: "{{device}}/{{type}}/{{version}}/{{json:/weldspot/Timestamp}}"
                    dedupe_id: "{{json:/seq}}"
                    batch:
                      max_messages: {batch_messages}
                      max_age: 2s
                upload:
                  retry_initial: 100ms
                  retry_max: 1s
                  parked_retry_interval: 1s
                service:
                  shutdown_grace: 20s
                metrics:
                  listen: ""
                dead_letter:
                  bucket: {self.name}-dlq
                logging:
                  level: {os.environ.get("FAULT_LOG_LEVEL", "info")}
                """))
            f.write("wal:\n" + "".join(f"  {k}: {v}\n" for k, v in wal_keys.items()))

    def start(self, config=None):
        log = open(os.path.join(self.dir, f"run-{len(self.logs)}.log"), "w+")
        self.logs.append(log.name)
        self.proc = subprocess.Popen([BIN, "run", "--config", config or self.config],
                                     env=CHILD_ENV, stdout=log, stderr=subprocess.STDOUT)
        log.close()  # the child has its own descriptor
        return self.proc

    def kill9(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=30)

    def stop(self):
        """Flushes every batch over the control topic, then SIGTERM; returns the exit code."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(timeout=60)

    def log_text(self):
        text = ""
        for path in self.logs:
            with open(path, errors="replace") as f:
                text += f.read()
        return text

    def publish(self, count, rate=0, devices=10):
        """Starts `mqtt2s3 simulate`: count messages in all, QoS 1, seq 0..count-1."""
        per_device = count // devices
        assert per_device * devices == count
        args = [BIN, "simulate", "--host", "127.0.0.1", "--port", STACK["MQTT_PORT"],
                "--root", self.name, "--plants", "1", "--devices", str(devices),
                "--count", str(per_device), "--qos", "1", "--client-id", self.name + "-pub",
                "--timeout", "5m"]
        if rate:
            args += ["--rate", str(rate)]
        return subprocess.Popen(args, env=CHILD_ENV, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True)

    def stored_seqs(self):
        """Every "seq" in the route's objects (index objects and the DLQ excluded)."""
        client = s3()
        seqs = []
        try:
            pages = client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket)
            keys = [o["Key"] for p in pages for o in p.get("Contents", [])]
        except client.exceptions.NoSuchBucket:
            return seqs
        for key in keys:
            if key.startswith("_index/"):
                continue
            body = client.get_object(Bucket=self.bucket, Key=key)["Body"].read()
            for line in body.split(b"\n"):
                if line:
                    seqs.append(json.loads(line)["seq"])
        return seqs

    def dead_lettered(self):
        client = s3()
        try:
            return client.list_objects_v2(Bucket=f"{self.name}-dlq").get("KeyCount", 0)
        except client.exceptions.NoSuchBucket:
            return 0

    def cleanup(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=30)
        shutil.rmtree(self.dir, ignore_errors=True)


def finish_publisher(pub, timeout=300):
    out, _ = pub.communicate(timeout=timeout)
    if pub.returncode != 0:
        raise AssertionError(f"simulate failed ({pub.returncode}): {out[-2000:]}")
    return out


class FaultTest(unittest.TestCase):
    def setUp(self):
        self.scenarios = []

    def tearDown(self):
        for s in self.scenarios:
            if os.environ.get("FAULT_KEEP"):
                print(f"kept for inspection: {s.dir}")
            else:
                s.cleanup()

    def scenario(self, *args, **kwargs):
        s = Scenario(*args, **kwargs)
        self.scenarios.append(s)
        return s

    def wait_stored(self, s, count):
        """Until every seq is in S3 (batches age out after 2 s), bounded."""
        wait_until(lambda: set(range(count)) <= set(s.stored_seqs()), 90, step=1.0)

    def assert_all_stored(self, s, count, label):
        """Every seq 0..count-1 stored; returns the duplicate count (printed)."""
        seqs = s.stored_seqs()
        missing = sorted(set(range(count)) - set(seqs))
        duplicates = len(seqs) - len(set(seqs))
        print(f"\n[{label}] published {count}, stored {len(seqs)} ({len(set(seqs))} distinct), "
              f"missing {len(missing)}, duplicates {duplicates}, dead-lettered "
              f"{s.dead_lettered()}", flush=True)
        self.assertEqual(missing, [], f"{label}: lost messages (first: {missing[:20]})")
        return duplicates

    def test_kill_9_at_random_moments_loses_nothing(self):
        count, kills, rate = (50_000, 10, 2_500) if LARGE else (6_000, 10, 500)
        s = self.scenario("kill")
        rng = random.Random(SEED)
        s.start()
        # The broker queues for the session only once it exists: subscribe before publishing.
        self.assertTrue(wait_until(lambda: "subscribed" in s.log_text(), 30))
        pub = s.publish(count, rate=rate)
        stream_seconds = count / rate
        moments = sorted(rng.uniform(0.05, 0.95) * stream_seconds for _ in range(kills))
        t0 = time.monotonic()
        for i, at in enumerate(moments):
            time.sleep(max(0.0, t0 + at - time.monotonic()))
            s.kill9()
            s.start()  # same client id and WAL: recovers, then resumes the broker session
        finish_publisher(pub)
        self.wait_stored(s, count)
        self.assertEqual(s.stop(), 0)
        dup = self.assert_all_stored(s, count, f"kill -9 x{kills}")
        log = s.log_text()
        self.assertIn("WAL replay", log, "a restart replayed the log at least once")
        print(f"[kill -9 x{kills}] kill moments (s): {[round(m, 2) for m in moments]}; "
              f"duplicates {dup} (at-least-once; each carries its dedupe id)")

    def test_s3_outage_loses_nothing_and_memory_stays_bounded(self):
        count, rate, outage = (50_000, 2_000, 30) if LARGE else (6_000, 600, 8)
        s = self.scenario("rgw", batch_messages=500)
        s.start()
        self.assertTrue(wait_until(lambda: "subscribed" in s.log_text(), 30))
        pub = s.publish(count, rate=rate)
        time.sleep(count / rate / 4)
        before = rss_kib(s.proc.pid)
        devstack("stop", "rgw")
        peak = before
        try:
            t_end = time.monotonic() + outage
            while time.monotonic() < t_end:
                peak = max(peak, rss_kib(s.proc.pid))
                time.sleep(0.25)
        finally:
            devstack("start", "rgw")
        finish_publisher(pub)
        self.wait_stored(s, count)
        self.assertEqual(s.stop(), 0)
        self.assert_all_stored(s, count, f"S3 down {outage}s")
        print(f"[S3 down {outage}s] converter RSS before {before} KiB, peak during outage "
              f"{peak} KiB")
        # Bounded: acks continue into the WAL; buffered batches are capped (batch.max_buffered_bytes
        # and the upload backlog cap); the stream here is a few MB at most.
        self.assertLess(peak, before + 256 * 1024, "memory grew without bound while S3 was down")

    def test_broker_restart_mid_stream_loses_nothing(self):
        count, rate = (50_000, 2_500) if LARGE else (6_000, 600)
        s = self.scenario("broker")
        s.start()
        self.assertTrue(wait_until(lambda: "subscribed" in s.log_text(), 30))
        pub = s.publish(count, rate=rate)
        time.sleep(count / rate / 3)
        devstack("restart", "mosquitto")  # persistence on: sessions and queues survive
        finish_publisher(pub)
        self.assertTrue(wait_until(lambda: s.log_text().count("connected to broker ") >= 2, 30),
                        "the converter reconnected")
        self.wait_stored(s, count)
        self.assertEqual(s.stop(), 0)
        self.assert_all_stored(s, count, "mosquitto restart")
        self.assertIn("session present: true", s.log_text(), "the broker kept the session")

    def test_wal_disk_budget_full_engages_backpressure_and_releases(self):
        count = 20_000 if LARGE else 4_000
        # 2 segments of 64 KiB: ~400 messages fill it. Batches of 100,000 never fill by count,
        # so only the age trigger (2 s) and window pressure (on-upload acks while the log is
        # full) upload and free segments.
        s = self.scenario("budget", batch_messages=100_000, receive_maximum=200,
                          wal={"segment_size": "64KiB", "disk_budget": "128KiB"})
        s.start()
        self.assertTrue(wait_until(lambda: "subscribed" in s.log_text(), 30))
        pub = s.publish(count, rate=count // 4)  # 4 s: the log fills, then frees, then fills
        finish_publisher(pub)
        self.wait_stored(s, count)
        self.assertEqual(s.stop(), 0)
        self.assert_all_stored(s, count, "WAL budget 128 KiB")
        log = s.log_text()
        self.assertIn("WAL disk budget full", log, "backpressure engaged")
        self.assertIn("WAL has room again", log, "and released")
        print(f"[WAL budget] full {log.count('WAL disk budget full')}x, released "
              f"{log.count('WAL has room again')}x")

    def test_corrupt_segment_is_reported_and_the_rest_recovered(self):
        count = 3_000
        # First run: S3 unreachable, so everything stays in the WAL (acked on append).
        s = self.scenario("corrupt", s3_endpoint="http://127.0.0.1:1", batch_messages=100_000)
        s.start()
        self.assertTrue(wait_until(lambda: "subscribed" in s.log_text(), 30))
        finish_publisher(s.publish(count))
        time.sleep(1)  # past the group-commit interval
        s.kill9()
        segments = sorted(f for f in os.listdir(s.wal_dir) if f.endswith(".log"))
        self.assertEqual(len(segments), 1)
        path = os.path.join(s.wal_dir, segments[0])
        size = os.path.getsize(path)
        self.assertGreater(size, 200_000)
        offset = size // 2
        with open(path, "r+b") as f:
            f.seek(offset)
            data = bytearray(f.read(16))
            f.seek(offset)
            f.write(bytes(b ^ 0xFF for b in data))
        # Second run, S3 back: start-up names the file and offset, the rest is uploaded.
        good = s.config + ".good.yaml"
        with open(s.config) as src, open(good, "w") as dst:
            dst.write(src.read().replace("http://127.0.0.1:1", STACK["S3_ENDPOINT"]))
        s.start(good)
        self.assertTrue(wait_until(lambda: "WAL replay" in s.log_text(), 30))
        # Replayed messages go back into open batches, which age out (2 s) with no new message.
        self.assertTrue(wait_until(lambda: len(s.stored_seqs()) >= count - 400, 30, step=1.0),
                        "the replayed messages were uploaded by the age trigger")
        self.assertEqual(s.stop(), 0)
        log = s.log_text()
        corruption = [line for line in log.splitlines() if "WAL corruption" in line]
        print(f"\n[corrupt WAL] flipped 16 bytes at offset {offset} of {segments[0]} "
              f"({size} bytes); reported: {corruption}")
        self.assertTrue(corruption, "start-up reports the corruption")
        self.assertIn(segments[0], corruption[0])
        self.assertIn("offset", corruption[0])
        seqs = set(s.stored_seqs())
        lost = count - len(seqs & set(range(count)))
        print(f"[corrupt WAL] recovered {len(seqs)} of {count}; {lost} in the damaged block")
        self.assertGreater(len(seqs), count // 2, "everything outside the damaged block")
        self.assertLess(lost, 400, "only the damaged 32 KiB block is dropped")


if __name__ == "__main__":
    unittest.main()
