"""Apache ActiveMQ Artemis, 3-node cluster: three converters on one `$share` subscription.

scripts/devstack/artemis.sh starts the cluster (ON_DEMAND load balancing, redistribution
delay 0, persistence on) in a private directory on ARTEMIS_TEST_PORT_BASE+50 (default 36450;
node i on +10i). Three `mqtt2s3 run` instances subscribe to `$share/mqtt2s3/<root>/#`, instance
i on node i with the other two nodes as broker.failover, each with its own client id, WAL and
instance id. A Paho publisher goes at full speed (no rate limit) and fails over itself.

  1. One converter killed with SIGKILL a third into the stream and never restarted. The
     instances run ack mode on-upload: a message is acknowledged only once its object is in
     S3, so what the dead instance held unacknowledged goes back to the broker, which hands
     it to the survivors (redistribution to the nodes that still have consumers).
  2. A broker node killed (SIGKILL) and started again mid-stream, with the publisher and one
     converter on it (ack mode on-wal, the default): both fail over to the other nodes; the
     messages the node had journalled are redistributed once it is back.

Each asserts 0 lost (every message a broker acknowledged is stored) and reports published,
stored, lost, duplicated and the failover times.

By hand (from tests/scale, a dev stack up for S3):
    MQTT2S3_BIN=../../build/apps/mqtt2s3/mqtt2s3 MQTT2S3_STACK_ENV=/tmp/stack/stack.env \\
        PYTHONPATH=../../python /usr/bin/python3 -m unittest -v test_artemis_cluster
"""

import os
import time
import unittest
import urllib.request
from collections import Counter

from artemis_harness import PORT_BASE, ArtemisTestCase, FailoverPublisher, report
from scale_harness import Converter, converter_yaml, stored_messages, wait_stored

PLANTS, DEVICES = 3, 10
NODES = 3
N = 15_000  # messages per test, at full speed


class ArtemisClusterTest(ArtemisTestCase):
    TOPOLOGY, NODES, PORT_OFFSET = "cluster", NODES, 50

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.ports = [cls.broker.mqtt_port(i) for i in range(NODES)]
        # Instance 2's /metrics, read just before it is killed (a port of our range).
        cls.victim_metrics = f"127.0.0.1:{PORT_BASE + 50 + 10 * NODES}"

    def start_instances(self, root, bucket, **kw):
        convs = []
        for i in range(NODES):
            config = os.path.join(self.tmp, f"{root}-{i}.yaml")
            with open(config, "w") as f:
                f.write(converter_yaml(
                    self.env, instance=f"{root.lower()}-{i}", client_id=f"{root}-c{i}",
                    port=self.ports[i], failover_ports=self.ports[i + 1:] + self.ports[:i],
                    filter_=f"$share/mqtt2s3/{root}/#", route_filter=f"{root}/#",
                    bucket=bucket, wal_dir=os.path.join(self.tmp, f"{root}-wal-{i}"),
                    metrics_listen=self.victim_metrics if i == 2 else "", **kw))
            conv = Converter(self.env, config, self.tmp).start()
            self.procs.append(conv)
            convs.append(conv)
        for conv in convs:
            conv.wait_line(" subscribed", 1)
        time.sleep(1.0)  # the cluster learns of the consumers on the other nodes
        return convs

    def victim_counts(self):
        """Instance 2's received / stored / acked counters, from its /metrics."""
        text = urllib.request.urlopen(f"http://{self.victim_metrics}/metrics", timeout=5).read()
        got = {}
        for line in text.decode().splitlines():
            for name in ("received", "stored", "acked"):
                if line.startswith(f"mqtt2s3_messages_{name}_total "):
                    got[name] = int(float(line.split()[1]))
        return got

    def publish_until(self, pub, seq):
        for _ in range(2400):
            if pub.first_sent_at[seq] is not None:
                return
            time.sleep(0.05)
        self.fail(f"the publisher did not reach seq {seq}")

    def wait_all_stored(self, pub, bucket, since):
        """Polls until every acknowledged message is stored; returns (msgs, seconds since)."""
        msgs = wait_stored(self.s3, bucket, lambda m: pub.acked <= {s for s, _, _ in m}, 120)
        return msgs, time.monotonic() - since

    def test_1_converter_killed_and_not_restarted_loses_nothing(self):
        root, bucket = self.new_stream("ARTSHKILL")
        convs = self.start_instances(root, bucket, ack_mode="on-upload", max_messages=500,
                                     max_age="1s", broker_extra="  receive_maximum: 1000\n")
        victim = convs[2]
        t0 = time.monotonic()
        pub = FailoverPublisher([self.ports[0], self.ports[1]], root, N, PLANTS, DEVICES,
                                root + "-pub").start()
        self.publish_until(pub, N // 3)
        # Killed while it holds messages: received, not yet acknowledged (they are only acked
        # once their object is in S3). Its node's share arrives over a cluster bridge, so it
        # may lag the publisher.
        held = self.victim_counts()
        for _ in range(200):
            if held.get("received", 0) > held.get("acked", 0):
                break
            time.sleep(0.05)
            held = self.victim_counts()
        killed_at = time.monotonic()
        victim.kill9()
        self.assertTrue(pub.wait(180), f"not every message acknowledged: {len(pub.acked)}")
        published_s = time.monotonic() - t0
        msgs, settle_s = self.wait_all_stored(pub, bucket, killed_at)
        for conv in convs[:2]:
            self.assertEqual(conv.stop(), 0, conv.log()[-3000:])
        msgs = stored_messages(self.s3, bucket)
        split = Counter(inst for _, inst, _ in msgs)
        lost, dups = report(
            "$share, converter killed", N, pub.acked, msgs,
            f"published in {published_s:.1f} s ({N / published_s:.0f} msg/s); split "
            + ", ".join(f"{k} {v}" for k, v in sorted(split.items()))
            + f"; the killed instance had received {held.get('received')}, stored "
              f"{held.get('stored')}, acked {held.get('acked')}; everything acknowledged was "
              f"stored {settle_s:.1f} s after the kill (batches close after 1 s)")
        self.assertEqual(lost, [], "messages acknowledged by the broker and not stored")
        self.assertTrue({s for s, _, _ in msgs} <= set(range(N)))
        self.assertGreater(len(split), 1, split)
        self.assertGreater(held.get("received", 0), held.get("acked", 0),
                           "the killed instance held no unacknowledged message")

    def test_2_broker_node_restarted_loses_nothing(self):
        root, bucket = self.new_stream("ARTNODE")
        convs = self.start_instances(root, bucket, max_messages=1000)
        t0 = time.monotonic()
        # The publisher and converter 1 are on node 1, the one restarted.
        pub = FailoverPublisher([self.ports[1], self.ports[2], self.ports[0]], root, N, PLANTS,
                                DEVICES, root + "-pub").start()
        self.publish_until(pub, N // 3)
        killed_at = self.broker.kill(1)
        moved_at = convs[1].wait_line("connected to broker", 2, timeout=60)
        time.sleep(2.0)
        t_restart = time.monotonic()
        self.broker.start(1)
        restart_s = time.monotonic() - t_restart
        self.assertTrue(pub.wait(180), f"not every message acknowledged: {len(pub.acked)}")
        published_s = time.monotonic() - t0
        msgs, settle_s = self.wait_all_stored(pub, bucket, killed_at)
        for conv in convs:
            self.assertEqual(conv.stop(), 0, conv.log()[-3000:])
        msgs = stored_messages(self.s3, bucket)
        pub_switch = [f"{(t1 - killed_at) * 1000:.0f} ms to port {p}" for _, t1, p in pub.switches]
        lost, dups = report(
            "node restarted", N, pub.acked, msgs,
            f"published in {published_s:.1f} s ({N / published_s:.0f} msg/s), "
            f"{sum(pub.sends.values()) - N} sent again by the publisher after the drop; "
            f"failover: converter 1 "
            f"connected to another node {(moved_at - killed_at) * 1000:.0f} ms after the kill, "
            f"publisher acked again after {', '.join(pub_switch) or 'no switch'}; node 1 down "
            f"{t_restart - killed_at:.1f} s, ready again in {restart_s:.1f} s; everything "
            f"acknowledged stored {settle_s:.1f} s after the kill")
        print("[artemis node restarted] converter 1 log:\n  " + "\n  ".join(
            line for line in convs[1].log().splitlines()
            if "connected" in line or "subscribed" in line or "stopped" in line), flush=True)
        self.assertEqual(lost, [], "messages acknowledged by a broker and not stored")
        self.assertTrue({s for s, _, _ in msgs} <= set(range(N)))


if __name__ == "__main__":
    unittest.main()
