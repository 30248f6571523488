"""Scale-out: three converters share one subscription (`$share/mqtt2s3/...`) on one mosquitto.

Each instance is the real `mqtt2s3 run` binary with its own client id, its own wal.dir and its
own instance_id (which is in every object name it writes). A private mosquitto 2.0
(SCALE_PORT_BASE+2, persistence on) hands each message of the shared subscription to one
member of the group.

1. 30,000 numbered QoS 1 messages over 3 plants x 10 devices: every message is stored exactly
   once, none is lost, and each instance stored a real share (printed).
2. The same with one instance killed by SIGKILL a third into the stream and not restarted:
   what the two survivors store, what is missing and why (printed, and asserted as observed
   with mosquitto 2.0.11); then the killed instance is restarted with the same client id and
   WAL, which recovers what it had acknowledged (its WAL) and what mosquitto still held for
   its session, and every message is stored at least once. docs/SCALING.md explains it.

By hand (from tests/scale):
    MQTT2S3_BIN=../../build/apps/mqtt2s3/mqtt2s3 MQTT2S3_STACK_ENV=/tmp/stack/stack.env \\
        PYTHONPATH=../../python /usr/bin/python3 -m unittest -v test_shared_subscription
"""

import os
import shutil
import tempfile
import time
import unittest
import uuid
from collections import Counter

from scale_harness import (PORT_BASE, Converter, Mosquitto, Publisher, converter_yaml,
                           delete_bucket, s3_client, stack_env, stored_messages, wait_stored)

PLANTS, DEVICES = 3, 10
INSTANCES = 3


class SharedSubscriptionTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.env = stack_env()
        cls.s3 = s3_client(cls.env)
        cls.tmp = tempfile.mkdtemp(prefix="scale-shared-")
        cls.port = PORT_BASE + 2
        cls.broker = Mosquitto("broker-s", cls.port, cls.tmp).start()
        cls.procs = []
        cls.buckets = []

    @classmethod
    def tearDownClass(cls):
        for p in reversed(cls.procs):
            try:
                p.kill9()
            except Exception:  # noqa: BLE001 - cleanup continues
                pass
        cls.broker.stop()
        for b in cls.buckets:
            delete_bucket(cls.s3, b)
            delete_bucket(cls.s3, b + "-dlq")
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def start_instances(self, root, bucket):
        convs = []
        for i in range(1, INSTANCES + 1):
            config = os.path.join(self.tmp, f"{root}-{i}.yaml")
            with open(config, "w") as f:
                f.write(converter_yaml(
                    self.env, instance=f"{root.lower()}-{i}", client_id=f"{root}-c{i}",
                    port=self.port, filter_=f"$share/mqtt2s3/{root}/#",
                    route_filter=f"{root}/#", bucket=bucket,
                    wal_dir=os.path.join(self.tmp, f"{root}-wal-{i}"), max_messages=1000))
            conv = Converter(self.env, config, self.tmp).start()
            self.procs.append(conv)
            convs.append(conv)
        for conv in convs:
            conv.wait_line(" subscribed", 1)
        return convs

    def new_stream(self, name):
        root = name + "-" + uuid.uuid4().hex[:6].upper()
        bucket = root.lower()
        self.buckets.append(bucket)
        return root, bucket

    def test_three_instances_store_every_message_exactly_once_and_split_the_load(self):
        n = 30_000
        root, bucket = self.new_stream("SHARE")
        convs = self.start_instances(root, bucket)
        t0 = time.monotonic()
        pub = Publisher(self.port, root, n, PLANTS, DEVICES, 0, root + "-pub").start()
        self.assertTrue(pub.wait(180), "mosquitto did not acknowledge every publish")
        published_s = time.monotonic() - t0
        msgs = wait_stored(self.s3, bucket, lambda m: len({s for s, _, _ in m}) >= n, 120)
        stored_s = time.monotonic() - t0
        cpu = [conv.cpu_seconds() for conv in convs]  # start-up included: an upper bound
        for conv in convs:
            self.assertEqual(conv.stop(), 0, conv.log()[-3000:])
        msgs = stored_messages(self.s3, bucket)  # after the graceful stops: nothing more
        counts = Counter(s for s, _, _ in msgs)
        split = Counter(inst for _, inst, _ in msgs)
        print(f"\nshared: {n} messages published in {published_s:.1f} s, all stored after "
              f"{stored_s:.1f} s; split by instance: "
              + ", ".join(f"{k} {v} ({100 * v / n:.1f}%)" for k, v in sorted(split.items())))
        if None not in cpu:
            print(f"shared: converter CPU {sum(cpu):.2f} s in all = "
                  f"{1e6 * sum(cpu) / n:.1f} us per message (3 processes, ASAN or not as built)")
        self.assertEqual(sorted(set(range(n)) - set(counts)), [], "lost messages")
        self.assertEqual(sorted(s for s, c in counts.items() if c > 1), [], "duplicates")
        self.assertEqual(len(msgs), n)
        self.assertEqual(len(split), INSTANCES, split)
        for inst, count in split.items():
            self.assertGreater(count, n // 10, f"{inst} stored only {count} of {n}")
        # Every object holds one instance's messages and is named by it.
        for _, inst, key in msgs:
            self.assertIn(f"_{inst}_", key)

    def test_killing_one_instance_mid_stream_and_what_a_restart_recovers(self):
        n, rate = 15_000, 1500
        root, bucket = self.new_stream("SHAREKILL")
        convs = self.start_instances(root, bucket)
        victim = convs[-1]
        victim_name = f"{root.lower()}-{INSTANCES}"
        pub = Publisher(self.port, root, n, PLANTS, DEVICES, rate, root + "-pub").start()
        for _ in range(600):
            if pub.sent_at[n // 3] is not None:
                break
            time.sleep(0.05)
        killed_at = time.monotonic()
        victim.kill9()
        self.assertTrue(pub.wait(120), "mosquitto did not acknowledge every publish")
        # Let the survivors store everything they were given (2 s max_age), then look.
        last, msgs = -1, []
        for _ in range(30):
            msgs = stored_messages(self.s3, bucket)
            if len(msgs) == last:
                break
            last = len(msgs)
            time.sleep(3.0)
        counts = Counter(s for s, _, _ in msgs)
        missing = sorted(set(range(n)) - set(counts))
        before = [s for s in missing if pub.sent_at[s] <= killed_at]
        after = [s for s in missing if pub.sent_at[s] > killed_at]
        by_victim = sum(1 for _, inst, _ in msgs if inst == victim_name)
        print(f"\nshared+kill: {n} published at {rate}/s, instance {victim_name} killed (SIGKILL) "
              f"after seq {max(s for s in range(n) if pub.sent_at[s] <= killed_at)}; before its "
              f"restart: stored {len(counts)} distinct ({by_victim} by it before the kill), "
              f"duplicates {sum(1 for c in counts.values() if c > 1)}, missing {len(missing)}: "
              f"{len(before)} published before the kill, {len(after)} after")
        self.assertTrue(set(counts) <= set(range(n)))
        self.assertEqual(sorted(s for s, c in counts.items() if c > 1), [],
                         "no duplicates without a restart")
        # Observed with mosquitto 2.0.11: the killed member's session (session expiry 1 h)
        # keeps its unacknowledged in-flight messages, and the broker goes on assigning it
        # every third message of the group after the kill (queued, not redelivered to the
        # survivors); so messages published after the kill are missing until it returns.
        self.assertGreater(len(after), 0,
                           "mosquitto gave the survivors everything after the kill (new "
                           "behaviour: update docs/SCALING.md)")

        # Restart the killed instance with the same client id and WAL.
        restarted = Converter(self.env, victim.config_path, self.tmp).start()
        self.procs.append(restarted)
        restarted.wait_line(" subscribed", 1)
        msgs = wait_stored(self.s3, bucket, lambda m: len({s for s, _, _ in m}) >= n, 90)
        for conv in convs[:-1] + [restarted]:
            self.assertEqual(conv.stop(), 0, conv.log()[-3000:])
        msgs = stored_messages(self.s3, bucket)
        counts = Counter(s for s, _, _ in msgs)
        dups = sorted(s for s, c in counts.items() if c > 1)
        print(f"shared+kill: after the restart: stored {len(counts)} distinct in {len(msgs)} "
              f"copies, duplicates {len(dups)}, still missing {n - len(counts)}")
        print("shared+kill: restarted instance log:\n  " + "\n  ".join(
            line for line in restarted.log().splitlines()
            if "WAL" in line or "connected" in line or "stopped" in line))
        self.assertEqual(sorted(set(range(n)) - set(counts)), [],
                         "the restart recovers every message (WAL + broker session)")


if __name__ == "__main__":
    unittest.main()
