"""Apache ActiveMQ Artemis, replicated primary/backup pair: interop, then kill -9 of the primary.

scripts/devstack/artemis.sh starts the pair (node 0 primary, node 1 backup, journal
replicated) in a private directory on ARTEMIS_TEST_PORT_BASE (default 36400). Against the
primary, with the real `mqtt2s3 run` binary:

  1. MQTT 3.1.1 and MQTT 5 sessions, manual acknowledgement (ack mode on-wal): every message
     stored exactly once.
  2. Receive Maximum: a raw MQTT 5 client announcing Receive Maximum 5 never gets a 6th
     unacknowledged message; the converter in ack mode on-upload with receive_maximum 100 and
     1,000-message batches stores everything (batches closed by window pressure).
  3. Persistent session: the converter stopped, messages published meanwhile, the converter
     restarted with the same client id gets them all (session present).
  4. TLS: the converter on the broker's TLS listener, verified against the dev CA.
  5. Fault: a publisher at full speed (Paho, no rate limit) and the converter (broker.failover =
     [backup]) on the primary; the primary is killed with SIGKILL a third into the stream. The
     backup takes over, both fail over to it. Asserted: 0 lost. Reported: published, stored,
     lost, duplicated, failover times (publisher and converter).

By hand (from tests/scale, a dev stack up for S3):
    MQTT2S3_BIN=../../build/apps/mqtt2s3/mqtt2s3 MQTT2S3_STACK_ENV=/tmp/stack/stack.env \\
        PYTHONPATH=../../python /usr/bin/python3 -m unittest -v test_artemis_ha
"""

import os
import socket
import struct
import time
import unittest

from artemis_harness import ArtemisTestCase, FailoverPublisher, report
from scale_harness import Converter, Publisher, converter_yaml, stored_messages, wait_stored

PLANTS, DEVICES = 3, 10
KILL_N = 20_000   # messages of the fault test, at full speed


def mqtt5_string(s):
    b = s.encode()
    return struct.pack("!H", len(b)) + b


def varint(n):
    out = bytearray()
    while True:
        n, d = n >> 7, n & 0x7F
        out.append(d | (0x80 if n else 0))
        if not n:
            return bytes(out)


def packet(first, body):
    return bytes([first]) + varint(len(body)) + body


class RawV5Subscriber:
    """A minimal MQTT 5 subscriber that acknowledges only when told: enough to see how many
    unacknowledged QoS 1 messages a broker sends against a given Receive Maximum."""

    def __init__(self, port, client_id, topic, receive_maximum):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        props = b"\x21" + struct.pack("!H", receive_maximum)
        self.sock.sendall(packet(0x10, mqtt5_string("MQTT") + bytes([5, 0x02]) +
                                 struct.pack("!H", 30) + varint(len(props)) + props +
                                 mqtt5_string(client_id)))
        assert self.read()[0] >> 4 == 2, "no CONNACK"
        self.sock.sendall(packet(0x82, struct.pack("!H", 1) + b"\x00" + mqtt5_string(topic) +
                                 b"\x01"))
        assert self.read()[0] >> 4 == 9, "no SUBACK"

    def _exact(self, n):
        buf = b""
        while len(buf) < n:
            chunk = self.sock.recv(n - len(buf))
            if not chunk:
                raise ConnectionError("broker closed the connection")
            buf += chunk
        return buf

    def read(self):
        first = self._exact(1)[0]
        length, shift = 0, 0
        while True:
            d = self._exact(1)[0]
            length |= (d & 0x7F) << shift
            shift += 7
            if not d & 0x80:
                break
        return first, self._exact(length)

    def publishes_within(self, seconds):
        """Packet ids of the QoS 1 PUBLISHes that arrive within `seconds` (no acks sent)."""
        ids, deadline = [], time.monotonic() + seconds
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return ids
            self.sock.settimeout(left)
            try:
                first, body = self.read()
            except socket.timeout:
                return ids
            if first >> 4 == 3:
                tlen = struct.unpack("!H", body[:2])[0]
                ids.append(struct.unpack("!H", body[2 + tlen:4 + tlen])[0])

    def ack(self, packet_ids):
        for pid in packet_ids:
            self.sock.sendall(packet(0x40, struct.pack("!H", pid)))

    def close(self):
        self.sock.close()


class ArtemisHaTest(ArtemisTestCase):
    TOPOLOGY, NODES, PORT_OFFSET = "ha", 2, 0

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.primary, cls.backup = cls.broker.mqtt_port(0), cls.broker.mqtt_port(1)

    def converter(self, root, bucket, port=None, failover=(), **kw):
        config = os.path.join(self.tmp, f"{root}.yaml")
        with open(config, "w") as f:
            f.write(converter_yaml(self.env, instance=root.lower()[:20], client_id=root + "-c",
                                   port=port or self.primary, failover_ports=failover,
                                   filter_=root + "/#", bucket=bucket,
                                   wal_dir=os.path.join(self.tmp, root + "-wal"), **kw))
        conv = Converter(self.env, config, self.tmp).start()
        self.procs.append(conv)
        return conv

    def publish(self, root, n, port=None):
        pub = Publisher(port or self.primary, root, n, PLANTS, DEVICES, 0, root + "-pub").start()
        self.assertTrue(pub.wait(120), "Artemis did not acknowledge every publish")

    def assert_exactly_once(self, name, conv, bucket, n):
        msgs = wait_stored(self.s3, bucket, lambda m: len({s for s, _, _ in m}) >= n, 60)
        self.assertEqual(conv.stop(), 0, conv.log()[-3000:])
        msgs = stored_messages(self.s3, bucket)
        lost, dups = report(name, n, range(n), msgs)
        self.assertEqual(lost, [], "lost messages")
        self.assertEqual(dups, [], "duplicates")

    def test_1_mqtt_311_and_5_sessions_with_manual_ack(self):
        n = 3000
        streams = [(v,) + self.new_stream("ARTV" + v.replace(".", "")) for v in ("3.1.1", "5")]
        convs = [self.converter(root, bucket, broker_extra=f'  protocol: "{v}"\n')
                 for v, root, bucket in streams]
        for conv in convs:
            conv.wait_line(" subscribed", 1)
        for (v, root, bucket), conv in zip(streams, convs):
            self.publish(root, n)
        for (v, root, bucket), conv in zip(streams, convs):
            self.assertIn(f"mqtt{v.replace('3.1.1', '311')}://", conv.log())
            self.assert_exactly_once(f"MQTT {v}", conv, bucket, n)

    def test_2_receive_maximum_is_honoured(self):
        root, _ = self.new_stream("ARTRM")
        sub = RawV5Subscriber(self.primary, root + "-raw", root + "/#", receive_maximum=5)
        try:
            self.publish(root, 20)
            first = sub.publishes_within(2.0)
            self.assertEqual(len(first), 5, f"unacknowledged deliveries: {first}")
            got = list(first)
            for _ in range(10):  # ack in rounds: never more than 5 outstanding
                sub.ack(got[-5:] if len(got) <= 5 else got[-len(got) % 5 or -5:])
                more = sub.publishes_within(1.0)
                self.assertLessEqual(len(more), 5)
                got += more
                if len(got) >= 20:
                    break
            self.assertEqual(len(got), 20)
        finally:
            sub.close()
        print(f"\n[artemis Receive Maximum] a client announcing 5 got exactly 5 unacknowledged "
              f"QoS 1 messages, then 5 per round of acks (20 in all)", flush=True)
        # The converter holding acks until upload, its window (100) far below a batch (1,000).
        root, bucket = self.new_stream("ARTUP")
        conv = self.converter(root, bucket, ack_mode="on-upload", max_messages=1000,
                              broker_extra="  receive_maximum: 100\n")
        conv.wait_line(" subscribed", 1)
        self.publish(root, 2000)
        self.assert_exactly_once("on-upload, Receive Maximum 100", conv, bucket, 2000)

    def test_3_persistent_session_keeps_what_arrives_while_the_converter_is_down(self):
        root, bucket = self.new_stream("ARTSESS")
        conv = self.converter(root, bucket)
        conv.wait_line(" subscribed", 1)
        self.assertEqual(conv.stop(), 0, conv.log()[-3000:])
        self.publish(root, 2000)  # queued in the converter's session on the broker
        conv = Converter(self.env, conv.config_path, self.tmp).start()
        self.procs.append(conv)
        conv.wait_line("session present: true", 1)
        self.assert_exactly_once("persistent session", conv, bucket, 2000)

    def test_4_tls(self):
        root, bucket = self.new_stream("ARTTLS")
        conv = self.converter(root, bucket, port=self.broker.mqtts_port(0), broker_extra=(
            f"  tls:\n    enabled: true\n    ca_file: {self.broker.ca_file()}\n"))
        conv.wait_line(" subscribed", 1)
        self.publish(root, 1000)
        self.assertIn("mqtt5+tls://", conv.log())
        self.assert_exactly_once("TLS", conv, bucket, 1000)

    def test_9_kill_primary_mid_stream_loses_nothing(self):
        root, bucket = self.new_stream("ARTKILL")
        conv = self.converter(root, bucket, failover=[self.backup], max_messages=2000)
        conv.wait_line(" subscribed", 1)
        t0 = time.monotonic()
        pub = FailoverPublisher([self.primary, self.backup], root, KILL_N, PLANTS, DEVICES,
                                root + "-pub").start()
        for _ in range(1200):
            if pub.first_sent_at[KILL_N // 3] is not None:
                break
            time.sleep(0.05)
        killed_at = self.broker.kill(0)
        on_backup = conv.wait_line(f"connected to broker 127.0.0.1:{self.backup}", 1, timeout=60)
        self.assertTrue(pub.wait(180), f"not every message acknowledged: {len(pub.acked)}")
        published_s = time.monotonic() - t0
        msgs = wait_stored(self.s3, bucket,
                           lambda m: pub.acked <= {s for s, _, _ in m}, timeout=90)
        rc = conv.stop()
        msgs = stored_messages(self.s3, bucket)
        pub_switch = [f"{(t1 - killed_at) * 1000:.0f} ms to port {p}" for _, t1, p in pub.switches]
        lost, dups = report(
            "kill -9 primary", KILL_N, pub.acked, msgs,
            f"published in {published_s:.1f} s ({KILL_N / published_s:.0f} msg/s), "
            f"{sum(pub.sends.values()) - KILL_N} sent again by the publisher after the drop (no "
            f"PUBACK yet); failover: converter "
            f"connected to the backup {(on_backup - killed_at) * 1000:.0f} ms after the kill, "
            f"publisher acked again after {', '.join(pub_switch) or 'no switch'}")
        print("[artemis kill -9 primary] converter log:\n  " + "\n  ".join(
            line for line in conv.log().splitlines()
            if "broker" in line or "subscribed" in line or "stopped" in line), flush=True)
        self.assertEqual(rc, 0, conv.log()[-3000:])
        self.assertEqual(len(pub.acked), KILL_N)
        self.assertEqual(lost, [], "messages acknowledged by a broker and not stored")
        self.assertTrue({s for s, _, _ in msgs} <= set(range(KILL_N)))


if __name__ == "__main__":
    unittest.main()
