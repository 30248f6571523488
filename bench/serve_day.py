"""Time `mqtt2s3 serve` /query on a day of welding data (issue 16): one device, then every
device, --repeat times against the same running serve (run 1 cold: a fresh serve, nothing
cached; later runs warm: serve keeps the HEAD/index of up to --cached-objects objects).

    mqtt2s3 serve --config welding.yaml --listen 127.0.0.1:8089 [--cached-objects 128] &
    .venv/bin/python bench/serve_day.py --url http://127.0.0.1:8089 --day 2018-10-01 \\
        [--plant 1] [--device WELDING-STATION-3] [--field Voltage] [--repeat 2] [--query one|all|both]

maxDataPoints is 100000 (serve's largest), so a day of one device is thinned from 86,400 welds.
"""

import argparse
import datetime
import json
import time
import urllib.request


def query(url, day, target, max_points):
    t0 = datetime.datetime.strptime(day, "%Y-%m-%d")
    body = {"range": {"from": t0.strftime("%Y-%m-%dT00:00:00Z"),
                      "to": (t0 + datetime.timedelta(days=1)).strftime("%Y-%m-%dT00:00:00Z")},
            "maxDataPoints": max_points, "targets": [{"target": target, "refId": "A"}]}
    req = urllib.request.Request(url + "/query", data=json.dumps(body).encode(),
                                 headers={"Content-Type": "application/json"})
    start = time.monotonic()
    with urllib.request.urlopen(req, timeout=600) as r:
        data = r.read()
    seconds = time.monotonic() - start
    series = json.loads(data)
    return seconds, len(series), sum(len(s["datapoints"]) for s in series), len(data)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--url", default="http://127.0.0.1:8089")
    p.add_argument("--day", required=True)
    p.add_argument("--plant", default="1")
    p.add_argument("--device", default="WELDING-STATION-3")
    p.add_argument("--field", default="Voltage")
    p.add_argument("--max-points", type=int, default=100000)
    p.add_argument("--repeat", type=int, default=2)
    p.add_argument("--query", choices=("one", "all", "both"), default="both")
    a = p.parse_args()
    for n in range(a.repeat):
        for q, dev in (("one", a.device), ("all", "*")):
            if a.query not in (q, "both"):
                continue
            target = f"plant/{a.plant}/device/{dev}/{a.field}"
            s, nseries, points, size = query(a.url, a.day, target, a.max_points)
            print(f"run {n + 1}, {target}: {s:.2f} s, {nseries} series, {points} points, "
                  f"{size} bytes of JSON")


if __name__ == "__main__":
    main()
