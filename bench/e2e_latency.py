#!/usr/bin/python3
"""End-to-end latency of mqtt2s3 on-wal (bench/e2e.sh --latency; docs/BENCHMARKS.md).

`simulate --rate R` publishes the welding stream at a steady R messages/s for D seconds at
QoS 1, the converter runs with routes[].batch.max_age 1s (count trigger out of reach), and
the harness polls the bucket listings every 0.1 s, reading each new object once. A message's
latency = the time its object was first listed - its publication time, estimated as
t0 + seq / R (the simulator paces every message, seq counts from 0 in publish order; t0 is
taken just before the simulator starts, so the estimate errs on the slow side by the
connection setup). Prints the distribution as JSON.
"""
import argparse
import json
import os
import re
import signal
import subprocess
import time

import e2e
import e2e_s3


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rate", type=int, default=5000, help="messages per second, all devices")
    ap.add_argument("--seconds", type=int, default=20)
    ap.add_argument("--mqtt2s3", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--docs", default="", help="docs dir: rewrite the BENCHMARKS.md section")
    args = ap.parse_args()
    args.mqtt_port = int(os.environ["MQTT_PORT"])
    args.n = args.rate * args.seconds
    args.timeout = args.seconds + 120
    s3 = e2e_s3.client()
    per_device = args.n // 30
    n = per_device * 30
    root = "L%s-wal" % time.strftime("%H%M%S")
    work = os.path.join(args.work, root)
    os.makedirs(work, exist_ok=True)
    overrides = {"max_age": "1s", "batch": 1000000}
    proc, _ = e2e.start_subject(args, "on-wal", 1, root, work, overrides, n)
    buckets = ["%s-plant-%d" % (root.lower(), p) for p in (1, 2, 3)]
    sim_log = open(os.path.join(work, "simulate.log"), "wb")
    t0 = time.monotonic()
    sim = subprocess.Popen([args.mqtt2s3, "simulate", "--port", str(args.mqtt_port), "--root",
                            root, "--plants", "3", "--devices", "10", "--count", str(per_device),
                            "--qos", "1", "--rate", str(args.rate), "--timeout", "5m"],
                           stdout=sim_log, stderr=subprocess.STDOUT)
    seen, latencies = set(), []
    deadline = t0 + args.seconds + 60
    while time.monotonic() < deadline and len(latencies) < n:
        for b in buckets:
            for k in e2e_s3._data_keys(s3, b):
                if (b, k) in seen:
                    continue
                now = time.monotonic()
                seen.add((b, k))
                body = s3.get_object(Bucket=b, Key=k)["Body"].read()
                latencies += [now - (t0 + int(s) / args.rate)
                              for s in e2e_s3.SEQ_RE.findall(body)]
        time.sleep(0.1)
    cpu, rss = e2e.proc_usage(proc.pid)
    proc.send_signal(signal.SIGTERM)
    e2e.stop(proc)
    sim.wait(60)
    e2e_s3.delete_buckets(s3, buckets)
    lat = sorted(latencies)

    def pct(p):
        return round(lat[min(len(lat) - 1, int(p / 100.0 * len(lat)))], 3) if lat else None
    result = {"rate": args.rate, "seconds": args.seconds, "published": n, "stored": len(lat),
              "objects": len(seen), "p50_s": pct(50), "p90_s": pct(90), "p99_s": pct(99),
              "max_s": round(lat[-1], 3) if lat else None,
              "within_2s": round(sum(1 for x in lat if x <= 2.0) / max(len(lat), 1), 4),
              "cpu_s_per_million": round(cpu / max(n, 1) * 1e6, 2), "peak_rss_mb": round(rss, 1)}
    print(json.dumps(result))
    with open(args.out, "w") as f:
        json.dump(result, f)
    if args.docs:
        write_docs(args.docs, result)


BEGIN, END = "<!-- e2e-latency:begin -->", "<!-- e2e-latency:end -->"


def write_docs(docs, r):
    with open("/proc/loadavg") as f:
        load = " ".join(f.read().split()[:3])
    section = (
        "%s\n\nRun at %s UTC, load average after: %s. %s msg/s for %d s at QoS 1, on-wal, "
        "max_age 1s.\n\n| stored / published | objects | p50 | p90 | p99 | max "
        "| durable within 2 s | CPU s / M msgs | peak RSS MB |\n"
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n"
        "| {:,} / {:,} | %d | %.2f s | %.2f s | %.2f s | %.2f s | %.2f %% | %.1f | %.1f |\n%s"
    ).format(r["stored"], r["published"]) % (
        BEGIN, time.strftime("%Y-%m-%d %H:%M", time.gmtime()), load, format(r["rate"], ","),
        r["seconds"], r["objects"], r["p50_s"], r["p90_s"], r["p99_s"], r["max_s"],
        100 * r["within_2s"], r["cpu_s_per_million"], r["peak_rss_mb"], END)
    md = os.path.join(docs, "BENCHMARKS.md")
    with open(md) as f:
        old = f.read()
    if BEGIN not in old:
        old += "\n%s\n%s\n" % (BEGIN, END)
    with open(md, "w") as f:
        f.write(re.sub(re.escape(BEGIN) + ".*?" + re.escape(END), lambda _: section, old,
                       flags=re.S))


if __name__ == "__main__":
    main()
