"""Broker failover: two bridged mosquittos, the converter's broker killed mid-stream.

Broker A (SCALE_PORT_BASE) and broker B (+1) are private mosquitto 2.0 instances, each with its
own config and persistence; A bridges to B (`topic # both 1`, cleansession false), so a message
published on either reaches subscribers of both. The converter (`mqtt2s3 run`, ack mode on-wal)
is configured with broker.host = A and broker.failover = [B]. Paho publishes a numbered QoS 1
stream to B at a steady rate; after a third of it A is killed with SIGKILL.

Asserted: the converter is connected and subscribed on B within seconds of the kill (its
session moves to the next broker at once, no backoff); every message published after that
subscription is stored exactly once; and every message stored at all is one that was
published. Measured and printed: the switch time, and what happened to the messages that
were in flight when A died (stored, lost, stored twice) - docs/SCALING.md explains the
numbers.

By hand (from tests/scale):
    MQTT2S3_BIN=../../build/apps/mqtt2s3/mqtt2s3 MQTT2S3_STACK_ENV=/tmp/stack/stack.env \\
        PYTHONPATH=../../python /usr/bin/python3 -m unittest -v test_failover
"""

import os
import shutil
import tempfile
import time
import unittest
import uuid
from collections import Counter

from scale_harness import (PORT_BASE, Converter, Mosquitto, Publisher, converter_yaml,
                           delete_bucket, s3_client, stack_env, stored_messages, wait_port,
                           wait_stored)

N = 6000          # messages
RATE = 500        # messages/s: a 12 s stream
KILL_AT = N // 3  # A is killed once this many are published
PLANTS, DEVICES = 3, 10


class FailoverTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.env = stack_env()
        cls.s3 = s3_client(cls.env)
        cls.root = "FAILOVER-" + uuid.uuid4().hex[:8].upper()
        cls.bucket = cls.root.lower()
        cls.tmp = tempfile.mkdtemp(prefix="scale-failover-")
        cls.procs = []

    @classmethod
    def tearDownClass(cls):
        for p in reversed(cls.procs):
            try:
                p.kill9()
            except Exception:  # noqa: BLE001 - cleanup continues
                pass
        delete_bucket(cls.s3, cls.bucket)
        delete_bucket(cls.s3, cls.bucket + "-dlq")
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def test_converter_moves_to_the_surviving_broker_and_stores_everything_published_after(self):
        port_a, port_b = PORT_BASE, PORT_BASE + 1
        b = Mosquitto("broker-b", port_b, self.tmp).start()
        self.procs.append(b)
        a = Mosquitto("broker-a", port_a, self.tmp, bridge_to=port_b).start()
        self.procs.append(a)
        time.sleep(1.0)  # the bridge connects (restart_timeout 1)

        config = os.path.join(self.tmp, "converter.yaml")
        with open(config, "w") as f:
            f.write(converter_yaml(self.env, instance="fo-1", client_id=self.root + "-conv",
                                   port=port_a, failover_ports=[port_b],
                                   filter_=self.root + "/#", bucket=self.bucket,
                                   wal_dir=os.path.join(self.tmp, "wal")))
        conv = Converter(self.env, config, self.tmp).start()
        self.procs.append(conv)
        conv.wait_line(" subscribed", 1)

        pub = Publisher(port_b, self.root, N, PLANTS, DEVICES, RATE, self.root + "-pub").start()
        for _ in range(600):
            if pub.sent_at[KILL_AT] is not None:
                break
            time.sleep(0.05)
        killed_at = time.monotonic()
        a.kill9()
        on_b = conv.wait_line(" subscribed", 2, timeout=30)
        switch_s = on_b - killed_at
        self.assertTrue(pub.wait(120), "broker B did not acknowledge every publish")

        acked = pub.acked()
        after = [s for s in range(N) if pub.sent_at[s] > on_b]
        first_after = after[0] if after else N
        msgs = wait_stored(self.s3, self.bucket,
                           lambda m: set(range(first_after, N)) <= {s for s, _, _ in m},
                           timeout=60)
        rc = conv.stop()
        msgs = stored_messages(self.s3, self.bucket)
        counts = Counter(s for s, _, _ in msgs)
        stored = set(counts)
        sent_before_kill = [s for s in range(N) if pub.sent_at[s] <= killed_at]
        in_gap = [s for s in range(N) if killed_at < pub.sent_at[s] <= on_b]
        lost_before = sorted(set(sent_before_kill) - stored)
        lost_gap = sorted(set(in_gap) - stored)
        twice = sorted(s for s, c in counts.items() if c > 1)
        print(f"\nfailover: A killed after seq {sent_before_kill[-1]}; converter subscribed on B "
              f"{switch_s * 1000:.0f} ms later; first seq published after that: {first_after}")
        print(f"failover: published {N} (acked by B {len(acked)}), stored {len(stored)} distinct "
              f"in {len(msgs)} copies; published before the kill and lost: {len(lost_before)} "
              f"{lost_before[:10]}{'...' if len(lost_before) > 10 else ''}; published between "
              f"the kill and the subscription on B ({len(in_gap)}) and lost: {len(lost_gap)}; "
              f"stored twice: {len(twice)}")
        print("failover: converter log:\n  " + "\n  ".join(
            line for line in conv.log().splitlines()
            if "broker" in line or "subscribed" in line or "stopped" in line))

        self.assertEqual(rc, 0, conv.log()[-3000:])
        self.assertLess(switch_s, 5.0, "the converter should be on B within seconds")
        missing_after = sorted(set(range(first_after, N)) - stored)
        self.assertEqual(missing_after, [], "messages published after the switch were lost")
        self.assertEqual([s for s in range(first_after, N) if counts[s] != 1], [],
                         "messages published after the switch were stored more than once")
        self.assertTrue(stored <= set(range(N)))
        # The converter's log names the broker it lost and the one it moves to.
        self.assertIn(f"127.0.0.1:{port_a}", conv.log())
        # Before the kill everything flowed through A: the stream up to shortly before the
        # kill is stored (what is lost is at most the last moments' worth in flight on A).
        self.assertLess(len(lost_before), RATE * 2, lost_before[:20])
        wait_port(port_a, up=False)


if __name__ == "__main__":
    unittest.main()
