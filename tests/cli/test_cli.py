"""The mqtt2s3 binary as a user runs it, against the real dev stack.

Environment: MQTT2S3_BIN (the binary), MQTT2S3_SOURCE_DIR, and the dev stack's env file
(MQTT2S3_STACK_ENV or <source>/.dev-stack/stack.env).
"""
import os
import signal
import subprocess
import sys
import tempfile
import time
import unittest
import uuid

import paho.mqtt.client as mqtt

BIN = os.environ["MQTT2S3_BIN"]
SRC = os.environ["MQTT2S3_SOURCE_DIR"]
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
import stack  # noqa: E402  (tests/support/stack.py)


STACK = stack.read_env()


def run(*args, env=None, timeout=30):
    full_env = dict(os.environ)
    full_env.update(env or {})
    return subprocess.run([BIN, *args], capture_output=True, text=True, env=full_env,
                          timeout=timeout)


def good_config(name, secret_env="S3_SECRET_KEY"):
    return stack.write_config(f"""\
        instance_id: cli
        broker:
          port: {STACK['MQTT_PORT']}
          client_id: {name}
        subscriptions:
          - filter: "{name}/#"
        s3:
          endpoint: {STACK['S3_ENDPOINT']}
          access_key_env: S3_ACCESS_KEY
          secret_key_env: {secret_env}
        routes:
          - name: r
            filter: "{name}/#"
            bucket: "{name}"
            key: "{{topic}}/{{object_name}}"
        metrics:
          listen: ""
        dead_letter:
          bucket: {name}-dlq
        wal:
          dir: {tempfile.mkdtemp(prefix="mqtt2s3-cli-wal-")}
        """)


def welding_config(root):
    """A converter config with the use case's welding route for topics under ``root``/: one
    bucket per plant, hour partitions, event time and dedupe id from the payload, index key
    <device>/WELD/1/<time>, clustered by device."""
    return stack.write_config(f"""\
        instance_id: e2e
        broker:
          port: {STACK['MQTT_PORT']}
          client_id: {root}
        subscriptions:
          - filter: "{root}/#"
        s3:
          endpoint: {STACK['S3_ENDPOINT']}
          access_key_env: S3_ACCESS_KEY
          secret_key_env: S3_SECRET_KEY
        batch:
          max_age: 10m
        routes:
          - name: welding
            filter: "{root}/+/+/+/+/+/+"
            pattern: "{{root}}/{{format}}/{{compressed}}/{{plant}}/{{device}}/{{type}}/{{version}}"
            bucket: "{{root}}-plant-{{plant}}"
            key: "{{first:%Y/%m/%d/%H}}/{{object_name}}"
            time_field: /weldspot/Timestamp
            time_format: "%Y%m%d %H%M%S"
            index_key: "{{device}}/{{type}}/{{version}}/{{json:/weldspot/Timestamp}}"
            dedupe_id: "{{json:/seq}}"
        metrics:
          listen: ""
        dead_letter:
          bucket: {root}-dlq
        wal:
          dir: {tempfile.mkdtemp(prefix="mqtt2s3-cli-wal-")}
        """)


def convert(config_path, publish):
    """Runs the converter, calls ``publish()``, stops the converter with SIGTERM (which flushes
    every batch). (exit code, its stderr, what publish returned)."""
    proc = subprocess.Popen([BIN, "run", "--config", config_path], env=stack.child_env(STACK),
                            stderr=subprocess.PIPE, text=True)
    try:
        time.sleep(1.0)
        published = publish()
        time.sleep(0.5)
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    return proc.returncode, err, published


class CliTest(unittest.TestCase):
    def test_help_explains_every_subcommand_and_flag(self):
        out = run("--help")
        self.assertEqual(out.returncode, 0)
        for word in ("run", "check-config", "--version"):
            self.assertIn(word, out.stdout)
        out = run("run", "--help")
        self.assertEqual(out.returncode, 0)
        for word in ("--config", "--log-level"):
            self.assertIn(word, out.stdout)

    def test_version(self):
        out = run("--version")
        self.assertEqual(out.returncode, 0)
        self.assertRegex(out.stdout, r"^mqtt2s3 \d+\.\d+\.\d+")

    def test_check_config_names_file_line_and_key(self):
        path = stack.write_config("""\
            broker:
              port: seventy
            subscriptions:
              - filter: "a/#"
            s3:
              endpoint: http://127.0.0.1:8000
            routes:
              - name: r
                filter: "a/#"
                key: "{seq}"
            """)
        out = run("check-config", path)
        self.assertEqual(out.returncode, 2)
        self.assertIn(f"{path}:2", out.stderr)
        self.assertIn("broker.port", out.stderr)

    def test_check_config_rejects_unknown_keys_and_inline_secrets(self):
        path = stack.write_config("""\
            subscriptions:
              - filter: "a/#"
            s3:
              endpoint: http://127.0.0.1:8000
              secret_key: hunter2
            routes:
              - name: r
                filter: "a/#"
                kee: "{seq}"
            """)
        out = run("check-config", path)
        self.assertEqual(out.returncode, 2)
        self.assertIn("s3.secret_key", out.stderr)
        self.assertIn("kee", out.stderr)
        self.assertNotIn("hunter2", out.stderr + out.stdout)

    def test_check_config_masks_secrets(self):
        name = "cli-" + uuid.uuid4().hex[:8]
        path = good_config(name)
        out = run("check-config", path, env={"S3_ACCESS_KEY": STACK["S3_ACCESS_KEY"],
                                             "S3_SECRET_KEY": STACK["S3_SECRET_KEY"]})
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn("****", out.stdout)
        self.assertNotIn(STACK["S3_SECRET_KEY"], out.stdout + out.stderr)

    def test_wrong_secret_fails_at_start_with_a_clear_error(self):
        name = "cli-" + uuid.uuid4().hex[:8]
        path = good_config(name, secret_env="WRONG_SECRET")
        wrong = "not-the-secret-" + uuid.uuid4().hex
        out = run("run", "--config", path,
                  env={"S3_ACCESS_KEY": STACK["S3_ACCESS_KEY"], "WRONG_SECRET": wrong})
        self.assertEqual(out.returncode, 1, out.stderr)
        self.assertIn("SignatureDoesNotMatch", out.stderr)
        self.assertNotIn(wrong, out.stderr + out.stdout)

    def test_sigterm_finishes_uploads_and_exits_cleanly(self):
        name = "cli-" + uuid.uuid4().hex[:8]
        path = good_config(name)
        env = stack.child_env(STACK)
        proc = subprocess.Popen([BIN, "run", "--config", path], env=env,
                                stderr=subprocess.PIPE, text=True)
        try:
            time.sleep(1.0)
            pub = mqtt.Client(client_id="", protocol=mqtt.MQTTv311)
            pub.connect(STACK["MQTT_HOST"], int(STACK["MQTT_PORT"]))
            pub.loop_start()
            infos = [pub.publish(f"{name}/m{i}", f'{{"i":{i}}}', qos=1) for i in range(20)]
            for info in infos:
                info.wait_for_publish(10)
            pub.loop_stop()
            time.sleep(0.3)
            proc.send_signal(signal.SIGTERM)
            _, err = proc.communicate(timeout=30)
        finally:
            if proc.poll() is None:
                proc.kill()
        self.assertEqual(proc.returncode, 0, err)
        self.assertIn("stopped: received 20, stored 20", err)
        self.assertNotIn(STACK["S3_SECRET_KEY"], err)
        s3 = stack.s3_client(STACK)
        # One partition per topic: SIGTERM flushed each batch as one object.
        objects = s3.list_objects_v2(Bucket=name).get("Contents", [])
        lines = []
        for obj in objects:
            body = s3.get_object(Bucket=name, Key=obj["Key"])["Body"].read().decode()
            lines += body.splitlines()
        self.assertEqual(sorted(lines), sorted(f'{{"i":{i}}}' for i in range(20)))


class EndToEndTest(unittest.TestCase):
    """The binary converts a stream into indexed objects; the Python reader fetches one device
    from them with HEAD, one index GET and one ranged GET, byte for byte."""

    def test_converter_objects_serve_single_devices_with_ranged_gets(self):
        from mqtt2s3.reader import Reader

        root = "e2e-" + uuid.uuid4().hex[:8]

        def publish():
            return subprocess.run(
                ["/usr/bin/python3", os.path.join(SRC, "scripts/demo/publish_welding.py"),
                 "--host", STACK["MQTT_HOST"], "--port", STACK["MQTT_PORT"], "--root", root,
                 "--plants", "1", "--devices", "10", "--count", "100"],
                capture_output=True, text=True, timeout=120)
        code, err, pub = convert(welding_config(root), publish)
        self.assertEqual(pub.returncode, 0, pub.stderr)
        env = stack.child_env(STACK)
        self.assertEqual(code, 0, err)
        self.assertIn("stopped: received 1000, stored 1000 in 1 object(s)", err)

        s3 = stack.s3_client(STACK)
        bucket = root.lower() + "-plant-1"
        reader = Reader(s3)
        listed = list(reader.list_objects(bucket, prefix="2018/"))
        self.assertEqual(len(listed), 1)
        obj = reader.open(bucket, listed[0].key)
        entries = reader.select(obj.index, component="WELDING-STATION-3")
        messages = reader.fetch(bucket, listed[0].key, entries)
        self.assertEqual(len(messages), 100)
        self.assertEqual(reader.stats.heads, 1)
        self.assertLessEqual(reader.stats.gets, 2, "index GET + one ranged GET")
        body = s3.get_object(Bucket=bucket, Key=listed[0].key)["Body"].read()
        for m in messages:
            self.assertIn(b'"Voltage"', m.payload)
            self.assertTrue(m.topic.endswith("/WELDING-STATION-3/WELD/1"), m.topic)
            self.assertIn(m.payload + b"\n", body)
        self.assertLess(sum(len(m.payload) + 1 for m in messages), len(body) / 5,
                        "one device of ten reads less than a fifth of the object")

        # mqtt2s3 get finds the objects itself (issue 16). Payloads only: through the group
        # directory, HEAD + one ranged GET, no index GET. Full lines: through the index.
        get = [BIN, "get", "--endpoint", STACK["S3_ENDPOINT"], "-b", bucket,
               "--list-prefix", "2018/", "--from", "2018-10-01", "--to", "2018-10-02",
               "--device", "WELDING-STATION-3"]
        env = dict(env, AWS_ACCESS_KEY_ID=STACK["S3_ACCESS_KEY"],
                   AWS_SECRET_ACCESS_KEY=STACK["S3_SECRET_KEY"])
        direct = subprocess.run(get + ["--payload-only"], env=env, capture_output=True,
                                timeout=60)
        self.assertEqual(direct.returncode, 0, direct.stderr)
        self.assertEqual(direct.stdout, b"".join(m.payload + b"\n" for m in messages))
        self.assertIn(b"1 object(s), 1 through the group directory", direct.stderr)
        self.assertIn(b"requests: 1 LIST, 1 HEAD, 1 GET", direct.stderr)
        lines = subprocess.run(get, env=env, capture_output=True, timeout=60)
        self.assertEqual(lines.returncode, 0, lines.stderr)
        self.assertEqual(len(lines.stdout.splitlines()), 100)
        self.assertIn(b"requests: 1 LIST, 1 HEAD, 2 GET", lines.stderr)
        self.assertTrue(lines.stdout.startswith(b"2018-10-01T"), lines.stdout[:80])


if __name__ == "__main__":
    unittest.main()
