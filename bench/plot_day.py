"""Time plot_voltage on a day of welding data (issue 16): reading (mqtt2s3.plot_voltage's
extract_series: LIST, HEADs, ranged GETs, decode) and plotting (make_figure + savefig with the
Agg backend, no window) separately, --repeat times in one process (run 1 cold, later runs
warm: imports done, matplotlib loaded; each run has a fresh Reader, so no S3 cache).

    S3_ENDPOINT=... S3_ACCESS_KEY=... S3_SECRET_KEY=... PYTHONPATH=python \\
    .venv/bin/python bench/plot_day.py --bucket company-x-plant-1 --day 2018-10-01 \\
        [--device WELDING-STATION-3 ...] [--repeat 2] [--out /tmp/voltage.png]

No --device: every device of the bucket. The data: see bench/read_day.py.
"""

import argparse
import io
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "python"))

import matplotlib  # noqa: E402

matplotlib.use("Agg")

from mqtt2s3 import plot_voltage as pv  # noqa: E402
from mqtt2s3.reader import Reader, make_client, parse_time  # noqa: E402


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--endpoint", default=os.environ.get("S3_ENDPOINT"))
    p.add_argument("--region", default="us-east-1")
    p.add_argument("--bucket", required=True)
    p.add_argument("--day", required=True, help="UTC day, e.g. 2018-10-01")
    p.add_argument("--device", action="append")
    p.add_argument("--concurrency", type=int, default=8)
    p.add_argument("--repeat", type=int, default=2)
    p.add_argument("--out", default="/tmp/plot_day.png")
    a = p.parse_args()
    t_from = parse_time(a.day)
    t_to = t_from + 86400000
    for n in range(a.repeat):
        s3 = make_client(a.endpoint, a.region)
        report = pv.FetchReport()
        start = time.monotonic()
        series = pv.extract_series(Reader(s3), a.bucket, t_from, t_to, a.device, "", report,
                                   a.concurrency)
        read_s = time.monotonic() - start
        start = time.monotonic()
        pv.make_figure(series, "bench", t_from, t_to).savefig(a.out)
        plot_s = time.monotonic() - start
        buf = io.StringIO()
        pv.print_report(report, series, buf)
        req = [line for line in buf.getvalue().splitlines() if line.startswith("requests")]
        print(f"run {n + 1}, {', '.join(a.device) if a.device else 'all devices'}: "
              f"{report.points} points in {len(series)} panel(s), read {read_s:.2f} s, "
              f"plot {plot_s:.2f} s, total {read_s + plot_s:.2f} s; "
              f"{req[0] if req else ''}; {report.index_bytes + report.range_bytes} bytes")


if __name__ == "__main__":
    main()
