#!/usr/bin/python3
"""One end-to-end benchmark run (driven by bench/e2e.sh; docs/BENCHMARKS.md).

For each QoS and each subject in turn, against the dev stack named by $MQTT2S3_STACK_ENV:
start the subject, publish the same welding stream with `mqtt2s3 simulate` (3 plants x 10
devices, N messages, topic root unique per subject so every subject gets its own buckets),
wait until every message is received (the limit) or durable in S3, read the subject's CPU
time and peak RSS, stop it, and verify what S3 holds. Results go to a JSON file.

Subjects: limit (mosquitto_sub), on-receive, on-wal, on-upload (mqtt2s3 run), python
(bench/python_baseline.py). Every wait is bounded; everything binds 127.0.0.1.
"""
import argparse
import json
import os
import signal
import subprocess
import sys
import threading
import time

import yaml

import e2e_s3

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
TICK = os.sysconf("SC_CLK_TCK")
SUBJECTS = ["limit", "on-receive", "on-wal", "on-upload", "python"]


def proc_usage(pid):
    """(cpu seconds utime+stime, VmHWM in MB) of a live process."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    cpu = (int(fields[11]) + int(fields[12])) / TICK  # fields 14, 15 of stat(5)
    hwm = 0.0
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmHWM:"):
                hwm = int(line.split()[1]) / 1024.0
    return cpu, hwm


def stop(proc, grace_s=40):
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(grace_s)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


def wait_for_line(path, text, proc, timeout_s=30):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return False
        with open(path, "rb") as f:
            if text.encode() in f.read():
                return True
        time.sleep(0.05)
    return False


def converter_config(args, root, mode, work, overrides):
    """examples/welding.yaml, pointed at the stack, with this subject's root and ack mode."""
    with open(os.path.join(REPO, "examples", "welding.yaml")) as f:
        c = yaml.safe_load(f)
    c["instance_id"] = "bench"
    c["broker"].update({"port": args.mqtt_port, "client_id": "bench-" + root.lower()})
    c["subscriptions"] = [{"filter": root + "/#", "qos": 1}]
    c["s3"]["endpoint"] = os.environ["S3_ENDPOINT"]
    c["s3"]["region"] = os.environ.get("S3_REGION", "us-east-1")
    route = c["routes"][0]
    route["filter"] = root + "/+/+/+/+/+/+"
    route.setdefault("batch", {})["max_messages"] = overrides.get("batch", 10000)
    if "max_age" in overrides:
        route["batch"]["max_age"] = overrides["max_age"]
    for k in ("key", "bucket"):
        if k in overrides:
            route[k] = overrides[k]
    c["flush"] = {"control_topic": root + "/flush"}
    c["delivery"] = {"ack_mode": mode}
    c["wal"] = {"dir": os.path.join(work, "wal")}
    c["logging"] = {"level": "info", "format": "text"}
    path = os.path.join(work, "config.yaml")
    with open(path, "w") as f:
        yaml.safe_dump(c, f, sort_keys=False)
    return path


def replay_file(work, root, n, size, devices):
    """n welding-like messages of about `size` payload bytes, round-robin over 3 x devices."""
    path = os.path.join(work, "replay.jsonl")
    with open(path, "w") as f:
        for i in range(n):
            plant, dev = i % 3 + 1, (i // 3) % devices + 1
            payload = {"weldspot": {"Timestamp": "20181001 17%02d%02d" % (i // 60 % 60, i % 60),
                                    "Pad": ""}, "seq": i}
            pad = max(0, size - len(json.dumps(payload, separators=(",", ":"))))
            payload["weldspot"]["Pad"] = "x" * pad
            f.write(json.dumps({"topic": "%s/JSON/0/%d/WELDING-STATION-%d/WELD/1" % (
                root, plant, dev), "payload": payload}, separators=(",", ":")) + "\n")
    return path


def start_subject(args, subject, qos, root, work, overrides, n):
    log = open(os.path.join(work, "subject.log"), "wb")
    if subject == "limit":
        # Drains to /dev/null and exits by itself after -C n messages: its exit is "done".
        p = subprocess.Popen(["mosquitto_sub", "-h", "127.0.0.1", "-p", str(args.mqtt_port),
                              "-V", "mqttv5", "-q", str(qos), "-t", root + "/#", "-C", str(n)],
                             stdout=subprocess.DEVNULL, stderr=log)
        time.sleep(1.0)  # mosquitto_sub prints nothing when subscribed
        return p, None
    if subject == "python":
        cmd = [sys.executable if sys.executable else "/usr/bin/python3",
               os.path.join(HERE, "python_baseline.py"), "--port", str(args.mqtt_port),
               "--filter", root + "/#", "--qos", "1", "--flush-topic", root + "/flush",
               "--batch", str(overrides.get("batch", 10000)), "--client-id", "bench-" + root]
        p = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT)
    else:
        cfg = converter_config(args, root, subject, work, overrides)
        p = subprocess.Popen([args.mqtt2s3, "run", "-c", cfg], stdout=log,
                             stderr=subprocess.STDOUT)
    if not wait_for_line(log.name, "subscribed", p):
        stop(p)
        raise RuntimeError("%s did not subscribe; see %s" % (subject, log.name))
    return p, None


def run_one(args, s3, run_id, subject, qos, overrides=None, tag=""):
    overrides = overrides or {}
    devices = overrides.get("devices", 10)
    per_device = args.n // (3 * devices)
    n = per_device * 3 * devices
    root = "E%s-%s-Q%d%s" % (run_id, subject.replace("on-", ""), qos, tag)
    work = os.path.join(args.work, root)
    os.makedirs(work, exist_ok=True)
    sim_cmd = [args.mqtt2s3, "simulate", "--port", str(args.mqtt_port), "--root", root,
               "--qos", str(qos), "--timeout", "%ds" % args.timeout]
    if "size" in overrides:
        sim_cmd += ["--replay", replay_file(work, root, n, overrides["size"], devices)]
    else:
        sim_cmd += ["--plants", "3", "--devices", str(devices), "--count", str(per_device)]
    if subject != "limit":
        sim_cmd += ["--flush-topic", root + "/flush"]
    proc, _ = start_subject(args, subject, qos, root, work, overrides, n)
    sim_log = open(os.path.join(work, "simulate.log"), "wb")
    t0 = time.monotonic()
    sim = subprocess.Popen(sim_cmd, stdout=sim_log, stderr=subprocess.STDOUT)
    sim_end = {}

    def sim_waiter():
        try:
            _, status, ru = os.wait4(sim.pid, 0)
            sim_end.update(t=time.monotonic(), cpu=ru.ru_utime + ru.ru_stime, rc=status >> 8)
        except ChildProcessError:  # reaped elsewhere: the time is all that matters
            sim_end.update(t=time.monotonic(), cpu=float("nan"), rc=None)
    threading.Thread(target=sim_waiter, daemon=True).start()
    deadline = t0 + args.timeout
    buckets = (["%s-all" % root.lower()] if "bucket" in overrides else
               ["%s-plant-%d" % (root.lower(), p) for p in (1, 2, 3)])
    result = {"subject": subject, "qos": qos, "published": n, "root": root}
    result.update(overrides)
    if subject == "limit":
        # Never poll() it: wait4 (not Popen) reaps it and returns its rusage. If it has not
        # exited 10 s after the publisher finished, messages were lost: stop it, count unknown.
        # ru_maxrss would count the forked Python image, so peak RSS is the last VmHWM read
        # from /proc while it ran.
        ru, hwm = None, 0.0
        while ru is None and time.monotonic() < deadline:
            try:
                hwm = max(hwm, proc_usage(proc.pid)[1])
            except (OSError, IndexError, ValueError):
                pass  # exited between the two reads
            pid, _, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                ru, end = usage, time.monotonic()
            elif sim_end and time.monotonic() - sim_end["t"] > 10:
                break
            else:
                time.sleep(0.01)
        complete = ru is not None
        if ru is None:
            os.kill(proc.pid, signal.SIGTERM)
            _, _, ru = os.wait4(proc.pid, 0)
            end = sim_end.get("t", time.monotonic())
        proc.returncode = 0
        cpu, rss = ru.ru_utime + ru.ru_stime, hwm
        result.update(found=n if complete else None, unique=None, duplicates=None,
                      missing=0 if complete else None, objects=0)
    else:
        waiter = e2e_s3.DurableWaiter(s3, buckets, n)
        last, _ = waiter.wait(lambda: sim_end.get("t"), deadline)
        end = last or time.monotonic()
        cpu, rss = proc_usage(proc.pid)
        stop(proc)
        result.update(e2e_s3.verify(s3, buckets, n))
        e2e_s3.delete_buckets(s3, buckets)  # the dev stack's OSD keeps data in RAM
    while not sim_end and time.monotonic() < deadline + 30:
        time.sleep(0.1)
    if not sim_end:
        sim.kill()
    wall = max(end - t0, 1e-6)
    result.update(wall_s=round(wall, 3), msgs_per_s=round((result["found"] or 0) / wall),
                  cpu_s=round(cpu, 3), cpu_s_per_million=round(cpu / max(result["found"] or n, 1) * 1e6, 2),
                  peak_rss_mb=round(rss, 1), publish_s=round(sim_end.get("t", t0) - t0, 3),
                  publisher_cpu_s=round(sim_end.get("cpu", 0.0), 3), publisher_rc=sim_end.get("rc"))
    print(json.dumps(result), flush=True)
    return result


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=300000, help="messages per subject (x30 devices)")
    ap.add_argument("--qos", default="1,0", help="comma-separated QoS levels, in order")
    ap.add_argument("--subjects", default=",".join(SUBJECTS))
    ap.add_argument("--mqtt2s3", required=True, help="path of the mqtt2s3 binary")
    ap.add_argument("--work", required=True, help="scratch dir (WALs, logs)")
    ap.add_argument("--out", required=True, help="results JSON (appended runs)")
    ap.add_argument("--timeout", type=int, default=600, help="seconds per subject, at most")
    ap.add_argument("--repeat", type=int, default=1,
                    help="rounds over all subjects per QoS (the report takes medians)")
    args = ap.parse_args()
    args.mqtt_port = int(os.environ["MQTT_PORT"])
    s3 = e2e_s3.client()
    run_id = time.strftime("%H%M%S")
    started = time.strftime("%Y-%m-%d %H:%M", time.gmtime())
    results = []
    for qos in [int(q) for q in args.qos.split(",")]:
        for rep, subject in [(r, s) for r in range(args.repeat) for s in args.subjects.split(",")]:
            try:
                results.append(run_one(args, s3, run_id, subject, qos,
                                       tag="-R%d" % rep if args.repeat > 1 else ""))
            except Exception as e:  # one failed subject must not lose the others' numbers
                print("subject %s qos %d failed: %s" % (subject, qos, e), file=sys.stderr)
    with open(args.out, "w") as f:
        json.dump({"n": args.n, "repeat": args.repeat, "started": started, "results": results}, f, indent=1)


if __name__ == "__main__":
    main()
