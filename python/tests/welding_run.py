"""What the Python integration tests over converter output share: a welding route config for
the dev stack and a run of the real `mqtt2s3 run` around a publisher.

    write_config(path, env, root, per_object=30)
    log = run_converter(config, env, cwd, publish=lambda pub: ..., stored=count, want=N,
                        flush_topic=root + "/control/flush")
"""

import os
import signal
import subprocess
import threading
import time

import paho.mqtt.client as mqtt

import stack  # tests/support/stack.py, on sys.path of the caller


def write_config(path, env, root, per_object):
    """examples/welding.yaml's route for topics under `root`, bucket `<root>-plant-<plant>`,
    `per_object` messages per object, a flush control topic `<root>/control/flush`."""
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
          - name: welding
            filter: "{root}/+/+/+/+/+/+"
            pattern: "{{root}}/{{format}}/{{compressed}}/{{plant}}/{{device}}/{{type}}/{{version}}"
            bucket: "{{root}}-plant-{{plant}}"
            key: "{{first:%Y/%m/%d/%H}}/{{object_name}}"
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
        flush:
          control_topic: {root}/control/flush
        metrics:
          listen: ""
        dead_letter:
          bucket: {root.lower()}-dlq
        """, path)


def run_converter(config, env, cwd, messages, stored, want, client_id, flush_topic=None):
    """Runs the converter; publishes `messages` ((topic, payload) pairs, QoS 1) once it has
    subscribed; polls `stored()` until it reaches `want` (at most 60 polls, 0.5 s apart,
    publishing a flush command to `flush_topic` before each when given); SIGTERM. Returns
    the converter's log; raises RuntimeError when it fails."""
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
