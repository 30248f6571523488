#!/usr/bin/python3
"""Turns bench/e2e.py results into the table, docs/benchmarks.png and docs/BENCHMARKS.md.

  e2e_report.py results.json [--load-before "..."] [--docs docs/]   prints the table; with
  --docs it rewrites the section between the e2e-results markers of BENCHMARKS.md and the plot.
"""
import argparse
import json
import os
import platform
import re

BEGIN, END = "<!-- e2e-results:begin -->", "<!-- e2e-results:end -->"


def machine(load_before):
    model = "unknown"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as f:
        mem_kb = int(f.readline().split()[1])
    with open("/proc/loadavg") as f:
        load_after = " ".join(f.read().split()[:3])
    return ("%d cores (nproc), %s, %.1f GiB RAM, %s %s; load average (1/5/15 min) %s before, "
            "%s after" % (os.cpu_count(), model, mem_kb / 2**20, platform.system(),
                          platform.release(), load_before or "?", load_after))


def fmt(v, digits=0):
    if v is None:
        return "-"
    if isinstance(v, float) and v != v:
        return "n/a"
    return ("{:,.%df}" % digits).format(v)


def merge(results):
    """One row per (QoS, subject): medians over repetitions, correctness summed."""
    rows = []
    for r in results:
        key = (r["qos"], r["subject"])
        if key not in [(x["qos"], x["subject"]) for x in rows]:
            group = [x for x in results if (x["qos"], x["subject"]) == key]
            m = dict(group[0])
            for f in ("msgs_per_s", "cpu_s_per_million", "peak_rss_mb", "wall_s", "publish_s"):
                vals = sorted(x[f] for x in group if x.get(f) == x.get(f))
                m[f] = vals[len(vals) // 2] if vals else float("nan")
            for f in ("published", "found", "duplicates", "missing", "objects"):
                vals = [x[f] for x in group]
                m[f] = None if None in vals else sum(vals)
            m["runs"] = len(group)
            rows.append(m)
    return rows


def table(results):
    results = merge(results)
    rows = ["| QoS | subject | msgs/s | × limit | × python | CPU s / M msgs | × less CPU than python "
            "| peak RSS MB | found / published | duplicates | missing | objects | wall s | publisher s |",
            "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for qos in sorted({r["qos"] for r in results}, reverse=True):
        group = [r for r in results if r["qos"] == qos]
        limit = next((r for r in group if r["subject"] == "limit"), None)
        py = next((r for r in group if r["subject"] == "python"), None)
        for r in group:
            x_limit = r["msgs_per_s"] / limit["msgs_per_s"] if limit else None
            x_py = r["msgs_per_s"] / py["msgs_per_s"] if py else None
            cpu = r["cpu_s_per_million"]
            less = py["cpu_s_per_million"] / cpu if py and cpu else None
            rows.append("| %d | %s | %s | %s | %s | %s | %s | %s | %s / %s | %s | %s | %s | %s | %s |" % (
                qos, r["subject"], fmt(r["msgs_per_s"]), fmt(x_limit, 2), fmt(x_py, 2),
                fmt(cpu, 1), fmt(less, 1), fmt(r["peak_rss_mb"], 1), fmt(r["found"]),
                fmt(r["published"]), fmt(r["duplicates"]), fmt(r["missing"]),
                fmt(r["objects"]), fmt(r["wall_s"], 2), fmt(r["publish_s"], 2)))
    return "\n".join(rows)


def plot(results, path):
    results = merge(results)
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    subjects = []
    for r in results:
        if r["subject"] not in subjects:
            subjects.append(r["subject"])
    qoss = sorted({r["qos"] for r in results}, reverse=True)
    fig, axes = plt.subplots(1, 3, figsize=(15, 4.2))
    metrics = [("msgs_per_s", "messages / s (first publish → durable)"),
               ("cpu_s_per_million", "CPU s per million messages"),
               ("peak_rss_mb", "peak RSS (MB)")]
    width = 0.8 / max(len(qoss), 1)
    for ax, (key, title) in zip(axes, metrics):
        for i, qos in enumerate(qoss):
            vals = [next((r[key] for r in results if r["subject"] == s and r["qos"] == qos), 0)
                    for s in subjects]
            vals = [0 if v != v else v for v in vals]
            ax.bar([j + i * width for j in range(len(subjects))], vals, width,
                   label="QoS %d" % qos)
        ax.set_xticks([j + width * (len(qoss) - 1) / 2 for j in range(len(subjects))])
        ax.set_xticklabels(subjects, rotation=20)
        ax.set_title(title)
        ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=90)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("results")
    ap.add_argument("--load-before", default="")
    ap.add_argument("--docs", default="", help="docs dir: rewrite BENCHMARKS.md section + plot")
    args = ap.parse_args()
    with open(args.results) as f:
        data = json.load(f)
    text = table(data["results"])
    print(text)
    if not args.docs:
        return
    plot(data["results"], os.path.join(args.docs, "benchmarks.png"))
    section = "%s\n\nMachine: %s.\nN = %s messages per subject and run, %s run(s) per subject (medians; correctness summed), started %s UTC.\n\n%s\n\n" \
              "![e2e results](benchmarks.png)\n%s" % (
                  BEGIN, machine(args.load_before), format(data["n"], ","), data.get("repeat", 1),
                  data.get("started", "?"), text, END)
    md = os.path.join(args.docs, "BENCHMARKS.md")
    old = open(md).read() if os.path.exists(md) else "# Benchmarks\n\n%s\n%s\n" % (BEGIN, END)
    if BEGIN not in old:
        old += "\n%s\n%s\n" % (BEGIN, END)
    new = re.sub(re.escape(BEGIN) + ".*?" + re.escape(END), lambda _: section, old, flags=re.S)
    with open(md, "w") as f:
        f.write(new)


if __name__ == "__main__":
    main()
