#!/usr/bin/python3
"""Scaling sweep of mqtt2s3 on-wal at QoS 1 (bench/e2e.sh --sweep; docs/BENCHMARKS.md).

One dimension at a time around the welding default (≈150-byte payloads, 3 partitions, 10,000
messages per batch): message size 100 B / 1 KB / 64 KB, partitions 1 / 30 / 1,000 and batch
size 100 / 10,000 / 100,000. Each point is one e2e.run_one() with N messages (64 KB messages:
N/20, so the in-RAM OSD holds them). Prints and (with --docs) writes a table of throughput,
CPU µs per message, CPU ns per payload byte and peak RSS.
"""
import argparse
import json
import os
import re
import time

import e2e
import e2e_s3

BEGIN, END = "<!-- e2e-sweep:begin -->", "<!-- e2e-sweep:end -->"
DEVICE_KEY = "{device}/{first:%Y/%m/%d/%H}/{object_name}"

# (dimension, value label, overrides, message-count divisor)
POINTS = [
    ("size", "100 B", {"size": 100}, 1),
    ("size", "1 KB", {"size": 1024}, 1),
    ("size", "64 KB", {"size": 65536}, 20),
    ("partitions", "1", {"bucket": "{root}-all", "key": "{first:%Y/%m/%d/%H}/{object_name}"}, 1),
    ("partitions", "3 (default)", {}, 1),
    ("partitions", "30", {"key": DEVICE_KEY}, 1),
    ("partitions", "1,002", {"key": DEVICE_KEY, "devices": 334}, 1),
    ("partitions", "30, full batches", {"key": DEVICE_KEY, "n": 300000}, 1),  # RSS goal
    ("batch", "100", {"batch": 100}, 1),
    ("batch", "10,000", {"batch": 10000}, 1),
    ("batch", "100,000", {"batch": 100000}, 1),
    # Steady state of the RSS goal: the second round of 30 batches opens while the first uploads.
    ("partitions", "30, full batches x 2", {"key": DEVICE_KEY, "n": 600000}, 1),
]


def table(rows):
    out = ["| dimension | value | messages | msgs/s | CPU µs / msg | CPU ns / payload byte "
           "| peak RSS MB | objects | missing | duplicates |",
           "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        out.append("| %s | %s | {:,} | {:,} | %.2f | %.2f | %.1f | %d | %s | %s |".format(
            r["published"], r["msgs_per_s"]) % (
            r["dimension"], r["value"], r["cpu_s_per_million"], r["cpu_ns_per_byte"],
            r["peak_rss_mb"], r["objects"], r["missing"], r["duplicates"]))
    return "\n".join(out)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=30000)
    ap.add_argument("--mqtt2s3", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--timeout", type=int, default=600)
    ap.add_argument("--docs", default="")
    ap.add_argument("--points", default="",
                    help="comma-separated point numbers (0-based, as in POINTS) to run; "
                         "default all")
    args = ap.parse_args()
    wanted = {int(x) for x in args.points.split(",") if x.strip()}
    args.mqtt_port = int(os.environ["MQTT_PORT"])
    s3 = e2e_s3.client()
    run_id = time.strftime("%H%M%S")
    rows = []
    base_n = args.n
    for i, (dim, label, overrides, div) in enumerate(POINTS):
        if wanted and i not in wanted:
            continue
        args.n = overrides.get("n", base_n // div)
        try:
            r = e2e.run_one(args, s3, run_id, "on-wal", 1, overrides, tag="-S%d" % i)
        except Exception as e:  # keep the other points
            print("sweep point %s=%s failed: %s" % (dim, label, e))
            continue
        size = overrides.get("size", 150)
        r.update(dimension=dim, value=label,
                 cpu_ns_per_byte=round(r["cpu_s_per_million"] * 1000 / size, 2))
        rows.append(r)
    with open(args.out, "w") as f:
        json.dump(rows, f, indent=1)
    text = table(rows)
    print(text)
    if args.docs and not wanted:
        md = os.path.join(args.docs, "BENCHMARKS.md")
        with open("/proc/loadavg") as f:
            load = " ".join(f.read().split()[:3])
        section = "%s\n\nRun at %s UTC, N = %s (64 KB: N/20), load average after: %s.\n\n%s\n%s" % (
            BEGIN, time.strftime("%Y-%m-%d %H:%M", time.gmtime()), format(base_n, ","), load,
            text, END)
        old = open(md).read()
        if BEGIN not in old:
            old += "\n%s\n%s\n" % (BEGIN, END)
        with open(md, "w") as f:
            f.write(re.sub(re.escape(BEGIN) + ".*?" + re.escape(END), lambda _: section, old,
                           flags=re.S))


if __name__ == "__main__":
    main()
