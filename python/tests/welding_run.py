"""What the Python integration tests over converter output share: a welding route config for
the dev stack and a run of the real `mqtt2s3 run` around a publisher.

    write_config(path, env, root, per_object=30)      # or routes=[route(...), ...]
    log = run_converter(config, env, cwd, messages=[(topic, payload), ...], stored=count,
                        want=N, client_id=..., flush_topic=root + "/control/flush")
    messages_stored(s3, buckets); clean_up(s3, tmp, root, buckets)
    env = require_stack(cls)   # in setUpClass: skip (fail under CI=true) without a stack
"""

import os
import shutil
import signal
import subprocess
import threading
import time

import paho.mqtt.client as mqtt

import stack  # tests/support/stack.py, on sys.path of the caller
from mqtt2s3 import format as fmt
from mqtt2s3.reader import Reader


def require_stack(test_class):
    """The dev stack's env (stack.read_env) for a test class's setUpClass, and MQTT2S3_BIN
    set: otherwise the class is skipped, or fails under CI=true (stack.require)."""
    env = {}
    try:
        env = stack.read_env(required=("S3_ENDPOINT", "S3_ACCESS_KEY", "S3_SECRET_KEY",
                                       "MQTT_PORT"))
    except (OSError, RuntimeError) as e:
        stack.require(test_class, False, f"dev stack: {e}")
    stack.require(test_class, os.environ.get("MQTT2S3_BIN"), "MQTT2S3_BIN is not set")
    return env


HOUR_KEY = "{first:%Y/%m/%d/%H}/{object_name}"
HIVE_KEY = "date={first:%Y-%m-%d}/hour={first:%H}/{object_name}"
PARQUET_COLUMNS = (("voltage", "/weldspot/Voltage", "double"), ("seq", "/seq", "int64"))


def route(name, level="+", bucket="{root}-plant-{plant}", key=HOUR_KEY, parquet=False):
    """One welding route of write_config: topics `<root>/<level>/...` (the format level; `+`
    takes any), bucket and key templates, a Parquet body with PARQUET_COLUMNS when `parquet`."""
    return dict(name=name, level=level, bucket=bucket, key=key, parquet=parquet)


def _route_yaml(root, per_object, r):
    text = f"""\
          - name: {r['name']}
            filter: "{root}/{r['level']}/+/+/+/+/+"
            pattern: "{{root}}/{{format}}/{{compressed}}/{{plant}}/{{device}}/{{type}}/{{version}}"
            bucket: "{r['bucket']}"
            key: "{r['key']}"
            payload: json
            compressed_level: compressed
            time_field: /weldspot/Timestamp
            time_format: "%Y%m%d %H%M%S"
            index_key: "{{device}}/{{type}}/{{version}}/{{json:/weldspot/Timestamp}}"
            cluster: true
            cluster_components: 1
            dedupe_id: "{{json:/seq}}"
            batch:
              max_messages: {per_object}
              max_age: 10m
"""
    if r["parquet"]:
        text += "            format: parquet\n            columns:\n" + "".join(
            f"              - {{name: {n}, pointer: {p}, type: {t}}}\n"
            for n, p, t in PARQUET_COLUMNS)
    return text


def write_config(path, env, root, per_object, routes=None, metrics_listen=""):
    """examples/welding.yaml's route for topics under `root`, bucket `<root>-plant-<plant>`,
    `per_object` messages per object, a flush control topic `<root>/control/flush`.
    `routes`: route(...) dicts instead (tried in order); `metrics_listen`: host:port of
    /metrics ("" = off)."""
    routes = routes or [route("welding")]
    return stack.write_config(f"""\
        instance_id: {root.lower()}
        broker:
          host: {env.get('MQTT_HOST', '127.0.0.1')}
          port: {env['MQTT_PORT']}
          client_id: {root}
        subscriptions:
          - filter: "{root}/#"
            qos: 1
        s3:
          endpoint: {env['S3_ENDPOINT']}
          access_key_env: S3_ACCESS_KEY
          secret_key_env: S3_SECRET_KEY
          create_buckets: true
        routes:
""" + "".join(_route_yaml(root, per_object, r) for r in routes) + f"""\
        flush:
          control_topic: {root}/control/flush
        metrics:
          listen: "{metrics_listen}"
        dead_letter:
          bucket: {root.lower()}-dlq
        """, path)


def run_converter(config, env, cwd, messages, stored, want, client_id, flush_topic=None,
                  before_stop=None):
    """Runs the converter; publishes `messages` ((topic, payload) pairs, QoS 1) once it has
    subscribed; polls `stored()` until it reaches `want` (at most 60 polls, 0.5 s apart,
    publishing a flush command to `flush_topic` before each when given); calls
    `before_stop()` (e.g. to read /metrics) while it still runs; SIGTERM. Returns the
    converter's log; raises RuntimeError when it fails."""
    proc = subprocess.Popen([os.environ["MQTT2S3_BIN"], "run", "--config", config],
                            env=stack.child_env(env), stderr=subprocess.PIPE, text=True, cwd=cwd)
    log, subscribed = [], threading.Event()

    def drain():
        for line in proc.stderr:
            log.append(line)
            if " subscribed" in line:
                subscribed.set()

    drainer = threading.Thread(target=drain, daemon=True)
    drainer.start()
    try:
        if not subscribed.wait(30):
            raise RuntimeError("converter did not subscribe within 30 s: " + "".join(log))
        pub = mqtt.Client(client_id=client_id, protocol=mqtt.MQTTv311)
        pub.max_inflight_messages_set(100)
        pub.connect(env.get("MQTT_HOST", "127.0.0.1"), int(env["MQTT_PORT"]))
        pub.loop_start()
        infos = [pub.publish(topic, payload, qos=1) for topic, payload in messages]
        for info in infos:
            info.wait_for_publish(10)
        if not all(i.is_published() for i in infos):
            raise RuntimeError("the broker did not acknowledge every message")
        for _ in range(60):
            if flush_topic:
                pub.publish(flush_topic, b"{}", qos=1).wait_for_publish(10)
            if stored() >= want or proc.poll() is not None:
                break
            time.sleep(0.5)
        pub.loop_stop()
        pub.disconnect()
        if before_stop and proc.poll() is None:
            before_stop()
        proc.send_signal(signal.SIGTERM)
        proc.wait(60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)
        drainer.join(10)
    if proc.returncode != 0:
        raise RuntimeError(f"converter failed ({proc.returncode}): {''.join(log)[-3000:]}")
    return "".join(log)


def messages_stored(s3, buckets):
    """Messages in the buckets' data objects (the mqtt2s3-count of each; a bucket not created
    yet counts 0)."""
    total = 0
    for bucket in buckets:
        try:
            listed = Reader(s3).list_objects(bucket)
        except Exception:
            continue  # the bucket comes with the first upload
        for o in listed:
            meta = s3.head_object(Bucket=bucket, Key=o.key).get("Metadata", {})
            total += int(fmt.normalize_metadata(meta).get("mqtt2s3-count", 0))
    return total


def clean_up(s3, tmp, root, buckets):
    """A test class's tearDownClass: removes the temporary directory `tmp`, empties and
    deletes the buckets and `<root>-dlq`; a bucket that was never created is passed over."""
    shutil.rmtree(tmp, ignore_errors=True)
    for bucket in list(buckets) + [root.lower() + "-dlq"]:
        try:
            for o in s3.list_objects_v2(Bucket=bucket).get("Contents", []):
                s3.delete_object(Bucket=bucket, Key=o["Key"])
            s3.delete_bucket(Bucket=bucket)
        except s3.exceptions.ClientError:
            pass  # never created (the dead-letter bucket when nothing went there)
