"""Time the Python analysis API (mqtt2s3.dataset) on a day of welding data: one device, then
every device, each in a fresh Reader (no cache), printing requests, bytes and seconds.

Data: the converter with a welding route (examples/welding.yaml) fed by the simulator, e.g.

    mqtt2s3 run --config welding.yaml &
    mqtt2s3 simulate --plants 1 --devices 10 --duration 24h --step 1s \\
        --start "2018-10-01 00:00:00" --flush-topic mqtt2s3/flush

Then (credentials from S3_ACCESS_KEY/S3_SECRET_KEY or AWS_*; endpoint from --endpoint or
$S3_ENDPOINT):

    .venv/bin/python bench/read_day.py --bucket company-x-plant-1 --day 2018-10-01 \\
        --device WELDING-STATION-3 [--concurrency 8] [--prefix-template '%Y/%m/%d/%H/']
        [--no-directory] [--repeat 2] [--query one|all]

Prints one line per query: rows, LIST/HEAD/GET counts, index GETs, bytes, seconds (wall
clock, decode included, plotting excluded), objects read through the group directory
(in the metadata, or in buckets of the companion index when it did not fit: FORMAT.md 3.4).
"""

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "python"))

from mqtt2s3 import dataset  # noqa: E402
from mqtt2s3.reader import Reader, make_client, parse_time  # noqa: E402

FIELDS = {"voltage": "/weldspot/Voltage", "current": "/weldspot/Current"}
TIMES = dict(time_field="/weldspot/Timestamp", time_format="%Y%m%d %H%M%S")


def run(a, devices, label):
    s3 = make_client(a.endpoint, a.region)
    index_gets = [0, 0, 0]  # whole index objects, index buckets (FORMAT.md 3.4), their bytes

    def count(req):
        if req.what == "index object":
            index_gets[0] += 1
        elif req.what == "index bucket":
            index_gets[1] += 1
            index_gets[2] += req.bytes
    reader = Reader(s3, on_request=count)
    t_from = parse_time(a.day)
    start = time.monotonic()
    ds = dataset.read(bucket=a.bucket, time_from=t_from, time_to=t_from + 86400000,
                      devices=devices, fields=FIELDS, prefix=a.prefix,
                      prefix_template=a.prefix_template, concurrency=a.concurrency,
                      use_directory=not a.no_directory, reader=reader, **TIMES)
    seconds = time.monotonic() - start
    s = ds.stats
    print(f"{label}: {len(ds)} rows, {s.lists} LIST, {s.heads} HEAD, {s.gets} GET "
          f"({index_gets[0]} index, {index_gets[1]} index bucket of {index_gets[2]} bytes), "
          f"{s.bytes} bytes, {seconds:.2f} s, "
          f"{ds.report.directory_objects}/{ds.report.objects} objects via the group directory, "
          f"{ds.report.duplicates} duplicates")


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--endpoint", default=os.environ.get("S3_ENDPOINT"))
    p.add_argument("--region", default="us-east-1")
    p.add_argument("--bucket", required=True)
    p.add_argument("--day", required=True, help="UTC day, e.g. 2018-10-01")
    p.add_argument("--device", default="WELDING-STATION-3")
    p.add_argument("--prefix", default="")
    p.add_argument("--prefix-template")
    p.add_argument("--concurrency", type=int, default=8)
    p.add_argument("--no-directory", action="store_true")
    p.add_argument("--repeat", type=int, default=1)
    p.add_argument("--query", choices=("one", "all", "both"), default="both",
                   help="one device, all devices, or both (one process: only the first is cold)")
    a = p.parse_args()
    for n in range(a.repeat):
        if a.query in ("one", "both"):
            run(a, [a.device], f"run {n + 1}, one device ({a.device}), one day")
        if a.query in ("all", "both"):
            run(a, None, f"run {n + 1}, all devices, one day")


if __name__ == "__main__":
    main()
