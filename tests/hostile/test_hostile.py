"""Hostile-input corpus (issue 9 item 3), against the real binary and the dev stack.

Each case feeds the converter one kind of hostile input, asserts its specific outcome (the
decode error in the log, the dead-letter reason, what is stored), and then proves the converter
is still running and still stores a normal message sent after it.

  * FakeBrokerTest: a raw-socket MQTT 5 "broker" in this file accepts the converter's CONNECT
    and SUBSCRIBE, then sends one malformed packet per connection (remaining length of 5 bytes,
    a packet above broker.max_packet_size, a topic that is not UTF-8, a truncated packet and a
    close). The converter must log the codec's error (src/mqtt/codec_frame.cc, codec_wire.cc,
    session_inbound.cc), drop that connection and reconnect.
  * MosquittoTest: through the real mosquitto: a non-JSON payload on a route whose index key
    reads a payload field, a 2 MB publish to a converter that advertises a 1 MiB Maximum Packet
    Size, a 10 MB payload under the 16 MiB default, and hostile topic levels (the byte-level
    key checks are tests/converter/converter_integration_test.cc
    HostileTopicLevelsStayInsideTheRoutePrefix; here every message must be accounted for).

At the end a table of case -> outcome is printed. Run:

    cd tests/hostile && MQTT2S3_STACK_ENV=... MQTT2S3_BIN=... MQTT2S3_SOURCE_DIR=... \
        /usr/bin/python3 -m unittest -v test_hostile

Everything binds 127.0.0.1; the fake broker takes a free port in 17900-17999
(HOSTILE_PORT_MIN/HOSTILE_PORT_MAX override); every wait is bounded.
"""
import json
import os
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import uuid

import paho.mqtt.client as paho

BIN = os.environ["MQTT2S3_BIN"]
SRC = os.environ["MQTT2S3_SOURCE_DIR"]
PORT_MIN = int(os.environ.get("HOSTILE_PORT_MIN", "17900"))
PORT_MAX = int(os.environ.get("HOSTILE_PORT_MAX", "17999"))
RESULTS = []  # (case, outcome) rows for the closing table
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
import stack  # noqa: E402  (tests/support/stack.py)


STACK = stack.read_env()
CHILD_ENV = stack.child_env(STACK)
wait_until = stack.wait_until


_S3 = []


def s3():
    if not _S3:
        _S3.append(make_s3())
    return _S3[0]


def make_s3():
    return stack.s3_client(STACK)


def varint(n):
    out = bytearray()
    while True:
        b = n % 128
        n //= 128
        out.append(b | (0x80 if n else 0))
        if not n:
            return bytes(out)


def mqtt_str(raw):
    return struct.pack(">H", len(raw)) + raw


def publish_v5(topic_bytes, payload):
    """A QoS 0 MQTT 5 PUBLISH with no properties."""
    body = mqtt_str(topic_bytes) + b"\x00" + payload
    return b"\x30" + varint(len(body)) + body


class Converter:
    """One `mqtt2s3 run` with its own config, bucket (= topic root), WAL dir and log."""

    def __init__(self, tag, host="127.0.0.1", port=None, max_packet_size="16MiB"):
        self.name = f"hostile-{tag}-{uuid.uuid4().hex[:8]}"
        self.dir = tempfile.mkdtemp(prefix=self.name + "-")
        self.log = os.path.join(self.dir, "run.log")
        self.proc = None
        self.config = os.path.join(self.dir, "config.yaml")
        stack.write_config(f"""\
                instance_id: hostile
                broker:
                  host: {host}
                  port: {port or STACK['MQTT_PORT']}
                  client_id: {self.name}
                  max_packet_size: {max_packet_size}
                  reconnect_min: 100ms
                  reconnect_max: 500ms
                subscriptions:
                  - filter: "{self.name}/#"
                    qos: 1
                s3:
                  endpoint: {STACK['S3_ENDPOINT']}
                  access_key_env: S3_ACCESS_KEY
                  secret_key_env: S3_SECRET_KEY
                  request_timeout: 10s
                routes:
                  - name: hostile
                    filter: "{self.name}/+/+"
                    pattern: "{{root}}/{{plant}}/{{device}}"
                    bucket: "{{root}}"
                    key: "data/{{plant}}/{{device}}/{{object_name}}"
                    index_key: "{{device}}/{{json:/seq}}"
                    batch:
                      max_messages: 1
                      max_age: 1s
                dead_letter:
                  bucket: {self.name}-dlq
                metrics:
                  listen: ""
                wal:
                  dir: {os.path.join(self.dir, "wal")}
                """, self.config)

    def start(self):
        with open(self.log, "w") as log:
            self.proc = subprocess.Popen([BIN, "run", "--config", self.config], env=CHILD_ENV,
                                         stdout=log, stderr=subprocess.STDOUT)

    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def log_text(self):
        with open(self.log, errors="replace") as f:
            return f.read()

    def objects(self, bucket):
        """{key: (body, metadata)} of a bucket; index objects excluded."""
        client = s3()
        try:
            pages = client.get_paginator("list_objects_v2").paginate(Bucket=bucket)
            keys = [o["Key"] for p in pages for o in p.get("Contents", [])]
        except client.exceptions.NoSuchBucket:
            return {}
        out = {}
        for key in keys:
            if key.startswith("_index/"):
                continue
            got = client.get_object(Bucket=bucket, Key=key)
            out[key] = (got["Body"].read(), got.get("Metadata", {}))
        return out

    def stored(self):
        return self.objects(self.name)

    def dead(self):
        return self.objects(self.name + "-dlq")

    def stop(self):
        if self.running():
            self.proc.terminate()
            try:
                return self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        return self.proc.wait(timeout=30) if self.proc else None

    def cleanup(self):
        if self.running():
            self.proc.kill()
            self.proc.wait(timeout=30)
        shutil.rmtree(self.dir, ignore_errors=True)


class FakeBroker:
    """A raw-socket MQTT 5 server for one converter: connection i gets script[i] after its
    SUBSCRIBE is acknowledged; connections past the script get `final` and are kept open.

    Lifecycle: start() binds and spawns the accept thread; close() stops it. The counters are
    written by the thread and read by the test (ints, so reads are safe enough for polling)."""

    def __init__(self, script, final):
        self.script = script  # list of (bytes, close_after_send)
        self.final = final
        self.connects = 0
        self.subscribes = 0
        self.stopping = threading.Event()
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        for port in range(PORT_MIN, PORT_MAX + 1):
            try:
                self.sock.bind(("127.0.0.1", port))
                self.port = port
                break
            except OSError:
                continue
        else:
            raise RuntimeError(f"no free port in {PORT_MIN}-{PORT_MAX}")
        self.sock.listen(4)
        self.sock.settimeout(0.5)
        self.thread = threading.Thread(target=self._serve, daemon=True)

    def start(self):
        self.thread.start()

    def close(self):
        self.stopping.set()
        self.thread.join(timeout=10)
        self.sock.close()

    @staticmethod
    def _read_exact(conn, n):
        data = b""
        while len(data) < n:
            chunk = conn.recv(n - len(data))
            if not chunk:
                raise EOFError
            data += chunk
        return data

    def _read_packet(self, conn):
        first = self._read_exact(conn, 1)[0]
        length, mult = 0, 1
        for _ in range(4):
            b = self._read_exact(conn, 1)[0]
            length += (b & 0x7F) * mult
            mult *= 128
            if not b & 0x80:
                break
        return first >> 4, self._read_exact(conn, length)

    def _answer(self, conn, ptype, body):
        if ptype == 1:  # CONNECT -> CONNACK: no session present, success, no properties
            self.connects += 1
            conn.sendall(b"\x20\x03\x00\x00\x00")
        elif ptype == 8:  # SUBSCRIBE -> SUBACK granting each requested QoS
            self.subscribes += 1
            pid = body[:2]
            pos = 2
            plen, shift = 0, 0
            while True:
                b = body[pos]
                pos += 1
                plen |= (b & 0x7F) << shift
                shift += 7
                if not b & 0x80:
                    break
            pos += plen
            codes = b""
            while pos < len(body):
                (n,) = struct.unpack(">H", body[pos:pos + 2])
                pos += 2 + n
                codes += bytes([body[pos] & 0x03])
                pos += 1
            rest = pid + b"\x00" + codes
            conn.sendall(b"\x90" + varint(len(rest)) + rest)
        elif ptype == 12:  # PINGREQ
            conn.sendall(b"\xd0\x00")

    def _serve(self):
        index = 0
        for _ in range(50):  # bounded number of connections
            if self.stopping.is_set():
                return
            try:
                conn, _ = self.sock.accept()
            except socket.timeout:
                continue
            with conn:
                self._session(conn, index)
            index += 1

    def _session(self, conn, index):
        conn.settimeout(0.5)
        sent = False
        deadline = time.monotonic() + 60
        try:
            while not self.stopping.is_set() and time.monotonic() < deadline:
                try:
                    ptype, body = self._read_packet(conn)
                    self._answer(conn, ptype, body)
                    continue
                except socket.timeout:
                    pass
                if sent or self.subscribes == 0:
                    continue
                sent = True  # quiet after SUBACK: the converter is connected and subscribed
                if index < len(self.script):
                    data, close_after = self.script[index]
                    conn.sendall(data)
                    if close_after:
                        return
                else:
                    conn.sendall(self.final)
        except (EOFError, OSError):
            return  # the converter dropped the connection: what the hostile cases expect


class FakeBrokerTest(unittest.TestCase):
    """Malformed MQTT from the broker: a named decode error, a reconnect, and no crash."""

    def test_malformed_packets_drop_the_connection_and_the_converter_reconnects(self):
        conv = Converter("fake", max_packet_size="64KiB")
        topic_ok = f"{conv.name}/p/after".encode()
        big = 1_000_000
        bad_topic = conv.name.encode() + b"/p/"
        bad_publish = publish_v5(bad_topic + b"\xff\xfe", b'{"seq":1}')
        # The bad byte's offset in the frame: fixed header, topic length, the valid prefix.
        bad_at = 1 + len(varint(len(bad_publish) - 2)) + 2 + len(bad_topic)
        lost = "broker connection lost: mqtt: "
        script_cases = [
            ("fake broker: remaining length of 5 bytes",
             b"\x30\xff\xff\xff\xff\x7f", False,
             lost + "from broker: PUBLISH: remaining length: longer than 4 bytes at offset 1"),
            ("fake broker: PUBLISH above max_packet_size 64KiB",
             b"\x30" + varint(big) + b"\x00\x05", False,
             lost + f"from broker: PUBLISH: remaining length: packet of "
             f"{1 + len(varint(big)) + big} bytes exceeds the maximum packet size {64 * 1024} "
             "at offset 1"),
            ("fake broker: topic not UTF-8", bad_publish, False,
             lost + f"from broker: PUBLISH: topic name: invalid UTF-8 at offset {bad_at}"),
            ("fake broker: truncated PUBLISH, then close",
             b"\x30" + varint(100) + b"\x00\x10" + b"abcdefgh", True,
             lost + "broker 127.0.0.1:{port} closed the connection"),
        ]
        broker = FakeBroker([(data, close) for _, data, close, _ in script_cases],
                            publish_v5(topic_ok, b'{"seq":42}'))
        conv_cfg = conv.config
        with open(conv_cfg) as f:
            text = f.read().replace(f"port: {STACK['MQTT_PORT']}", f"port: {broker.port}")
        with open(conv_cfg, "w") as f:
            f.write(text)
        broker.start()
        try:
            conv.start()
            self.assertTrue(wait_until(lambda: broker.connects > len(script_cases) or
                                       not conv.running(), 60),
                            f"connects={broker.connects}\n{conv.log_text()[-3000:]}")
            self.assertTrue(conv.running(), conv.log_text()[-3000:])
            self.assertTrue(wait_until(lambda: len(conv.stored()) == 1, 30),
                            "the normal message after the hostile ones is stored")
            log = conv.log_text()
            for case, _, _, expected in script_cases:
                expected = expected.replace("{port}", str(broker.port))
                with self.subTest(case=case):
                    self.assertIn(expected, log)
                    RESULTS.append((case, f"logged '{expected}', reconnected"))
            (key, (body, _)), = conv.stored().items()
            self.assertTrue(key.startswith("data/p/after/"), key)
            self.assertEqual(json.loads(body.split(b"\n")[0]), {"seq": 42})
            self.assertTrue(conv.running())
            RESULTS.append(("fake broker: normal PUBLISH after the 4 above",
                            f"stored {key}; {broker.connects} connects, still running"))
        finally:
            conv.stop()
            broker.close()
            if os.environ.get("HOSTILE_KEEP"):
                print(conv.dir)
            else:
                conv.cleanup()


def paho_publish(messages, timeout=60):
    """Publishes [(topic, payload)] at QoS 1 through the stack's mosquitto; returns rc list."""
    client = paho.Client(client_id=f"hostile-pub-{uuid.uuid4().hex[:8]}")
    client.connect(STACK["MQTT_HOST"], int(STACK["MQTT_PORT"]))
    client.loop_start()
    try:
        infos = [client.publish(t, p, qos=1) for t, p in messages]
        for info in infos:
            info.wait_for_publish(timeout=timeout)
        return [info.rc for info in infos]
    finally:
        client.loop_stop()
        client.disconnect()


class MosquittoTest(unittest.TestCase):
    """Hostile messages through the real mosquitto to a converter with 1 MiB packets."""

    @classmethod
    def setUpClass(cls):
        cls.conv = Converter("mosq", max_packet_size="1MiB")
        cls.conv.start()
        ok = wait_until(lambda: "subscribed" in cls.conv.log_text().lower()
                        or not cls.conv.running(), 30)
        assert ok and cls.conv.running(), cls.conv.log_text()[-3000:]

    @classmethod
    def tearDownClass(cls):
        cls.conv.stop()
        cls.conv.cleanup()

    def assert_still_stores(self, device):
        name = self.conv.name
        paho_publish([(f"{name}/p/{device}", json.dumps({"seq": 7}))])
        self.assertTrue(wait_until(lambda: any(k.startswith(f"data/p/{device}/")
                                               for k in self.conv.stored()), 30),
                        f"normal message after the hostile one not stored\n"
                        f"{self.conv.log_text()[-3000:]}")
        self.assertTrue(self.conv.running())
        self.assertNotIn("broker connection lost", self.conv.log_text(),
                         "hostile messages through a real broker never cost the connection")

    def test_non_json_payload_is_dead_lettered_as_invalid_json(self):
        name = self.conv.name
        paho_publish([(f"{name}/p/notjson", b"\x00\xffnot json at all {")])
        self.assertTrue(wait_until(lambda: len(self.conv.dead()) >= 1, 30),
                        self.conv.log_text()[-3000:])
        (key, (body, meta)), = self.conv.dead().items()
        self.assertTrue(key.startswith("dead-letter/invalid_json/"), key)
        self.assertEqual(meta.get("dead-letter-reason"), "invalid_json")
        self.assertEqual(body, b"\x00\xffnot json at all {")
        self.assertFalse(any(k.startswith("data/p/notjson/") for k in self.conv.stored()))
        self.assert_still_stores("after-notjson")
        RESULTS.append(("mosquitto: non-JSON payload, {json:/seq} in index key",
                        f"dead-lettered {key[:35]}..., meta dead-letter-reason=invalid_json"))

    def test_payload_above_max_packet_size_is_not_delivered_and_nothing_breaks(self):
        # The converter advertises Maximum Packet Size 1 MiB in CONNECT; MQTT-3.1.2-25 says the
        # server must not send it a larger packet, so mosquitto discards the 2 MB message for
        # this subscriber. The publisher's PUBACK still succeeds: the loss is the broker's,
        # by the protocol, and the converter never sees the packet.
        name = self.conv.name
        rcs = paho_publish([(f"{name}/p/huge", b'{"seq":1,"pad":"' + b"x" * 2_000_000 + b'"}')])
        self.assertEqual(rcs, [0])
        self.assert_still_stores("after-huge")
        self.assertFalse(any(k.startswith("data/p/huge/") for k in self.conv.stored()))
        self.assertFalse(any(b"huge" in b for b, _ in self.conv.dead().values()))
        self.assertNotIn("exceeds the maximum packet size", self.conv.log_text())
        RESULTS.append(("mosquitto: 2 MB publish, broker.max_packet_size 1MiB",
                        "dropped by mosquitto (MQTT-3.1.2-25), converter connected, not stored"))

    def test_hostile_topic_levels_are_stored_inside_the_prefix_or_dead_lettered(self):
        name = self.conv.name
        # level -> the key segment it must be stored under: dot levels and "%" are
        # percent-encoded, an empty level becomes "_", UTF-8 passes through unchanged.
        expected = {"..": "%2E%2E", ".": "%2E", "": "_", "%2F": "%252F",
                    "%2F%2E%2E": "%252F%252E%252E",
                    "Schwei\u00dfger\u00e4t-\u2713": "Schwei\u00dfger\u00e4t-\u2713"}
        levels = list(expected)
        paho_publish([(f"{name}/q/{lv}", json.dumps({"seq": i})) for i, lv in enumerate(levels)])

        def seqs(objs):
            out = {}
            for key, (body, _) in objs.items():
                for line in body.split(b"\n"):
                    try:
                        out[json.loads(line)["seq"]] = key
                    except (ValueError, KeyError, TypeError):
                        pass
            return out

        def accounted():
            stored = {s: k for s, k in seqs(self.conv.stored()).items() if k.startswith("data/q/")}
            dead = {s: k for s, k in seqs(self.conv.dead()).items()}
            return stored, dead

        self.assertTrue(wait_until(lambda: len(set(accounted()[0]) | set(accounted()[1]))
                                   >= len(levels), 30), self.conv.log_text()[-3000:])
        stored, dead = accounted()
        for i, level in enumerate(levels):
            with self.subTest(level=level):
                self.assertTrue(i in stored or i in dead, "every message is accounted for")
                if i in stored:
                    key = stored[i]
                    self.assertTrue(key.startswith(f"data/q/{expected[level]}/"), key)
                    for bad in ("/../", "/./", "//"):
                        self.assertNotIn(bad, key)
                    RESULTS.append((f"mosquitto: topic level {level!r}", f"stored {key[:40]}"))
                else:
                    reason = dead[i].split("/")[1]
                    RESULTS.append((f"mosquitto: topic level {level!r}",
                                    f"dead-lettered, reason {reason}"))
        self.assert_still_stores("after-topics")


class LargePayloadTest(unittest.TestCase):
    """A 10 MB payload under the 16 MiB default packet size is stored byte for byte."""

    def test_ten_megabyte_payload_is_stored_intact(self):
        conv = Converter("large")
        conv.start()
        try:
            self.assertTrue(wait_until(lambda: "subscribed" in conv.log_text().lower()
                                       or not conv.running(), 30), conv.log_text()[-3000:])
            payload = b'{"seq":1,"pad":"' + (b"0123456789" * 1_000_000) + b'"}'
            self.assertEqual(paho_publish([(f"{conv.name}/p/big", payload)], timeout=120), [0])
            self.assertTrue(wait_until(lambda: len(conv.stored()) == 1, 60),
                            conv.log_text()[-3000:])
            (key, (body, _)), = conv.stored().items()
            self.assertEqual(body.rstrip(b"\n"), payload)
            self.assertTrue(conv.running())
            RESULTS.append(("mosquitto: 10 MB payload, max_packet_size 16MiB",
                            f"stored intact ({len(payload)} bytes) at {key[:30]}..."))
        finally:
            conv.stop()
            conv.cleanup()


def tearDownModule():
    width = max((len(c) for c, _ in RESULTS), default=10)
    print("\n\nHostile-input outcomes:")
    print(f"| {'case'.ljust(width)} | outcome |")
    print(f"|{'-' * (width + 2)}|---------|")
    for case, outcome in RESULTS:
        print(f"| {case.ljust(width)} | {outcome} |")


if __name__ == "__main__":
    unittest.main()
