"""Plot the welding voltage of one plant over a time range, reading only what the plot needs.

The consumption side of the welding use case (examples/welding.yaml, docs/PLOT.md)::

    python3 -m mqtt2s3.plot_voltage --plant 1 --from "2018-10-01 17:00" --to "2018-10-01 18:00" \\
        [--device WELDING-STATION-12 ...] [--out voltage.png] [--endpoint URL]

It reads through mqtt2s3.dataset (parallel requests, ``--concurrency``): it LISTs the plant's
bucket and opens only the objects whose names meet [--from, --to); per object a HEAD, then the
group directory (one ranged GET per coalesced run of wanted devices) or the index (inline, or
one GET) and its ranged GETs; the weldspot payloads (``{"weldspot": {"Timestamp": "20181001
171035", "Voltage": "230", ...}}``, values are strings; zlib ones inflated) are decoded in bulk
and plotted, one panel per device sharing the time axis.

The device is the object's cluster key (examples/welding.yaml: the DEVICE-ID, first index-key
component). The time of a point is the index's event time, or ``weldspot.Timestamp`` read as
UTC where the directory is used (the converter read the index time from the same field).

``extract_series`` does the reading without plotting and is what tests check; ``make_figure``
draws its result. A plot is shown on screen when a display works (DISPLAY set and a GUI
backend loads), otherwise written to --out (default voltage.png); --out given always writes.
Credentials: AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, else S3_ACCESS_KEY/S3_SECRET_KEY, or the
variables the --config file's s3 section names. Secrets are never printed.
"""

import argparse
import datetime
import json
import os
import re
import sys
import zlib
from dataclasses import dataclass, field
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

import numpy as np

from . import dataset
from . import format as fmt
from .parallel import DEFAULT_CONCURRENCY
from .reader import (DEFAULT_MAX_GAP, Reader, ReaderError, Request, iso_ms, make_client,
                     parse_time)

DEFAULT_BUCKET_TEMPLATE = dataset.DEFAULT_BUCKET_TEMPLATE
VOLTAGE_FIELD = "/weldspot/Voltage"
TIME_FIELD = "/weldspot/Timestamp"
DEFAULT_OUT = "voltage.png"
TIMESTAMP_FORMAT = "%Y%m%d %H%M%S"
_COMPRESSED_LEVEL = 2  # ROOT/FORMAT/COMPRESSED/PLANT-ID/DEVICE-ID/MSG-TYPE/MSG-VERSION
_DEVICE_LEVEL = 4
_TOPIC_LEVELS = 7
_UTC = datetime.timezone.utc
_EPOCH = datetime.datetime(1970, 1, 1, tzinfo=_UTC)

Series = Dict[str, List[Tuple[datetime.datetime, float]]]


@dataclass
class WeldSpot:
    """The fields of one weldspot payload the plot needs."""
    time_ms: Optional[int]  # weldspot.Timestamp read as UTC; None when absent
    volts: float


@dataclass
class FetchReport:
    """What extract_series read: objects, requests by kind and bytes, and payload outcomes."""
    keys_listed: int = 0                     # keys the LIST pages returned (index objects too)
    overlapping: List[str] = field(default_factory=list)  # data objects whose name meets range
    overlapping_bytes: int = 0               # their body sizes together
    used: List[str] = field(default_factory=list)         # objects that had wanted messages
    lists: int = 0
    heads: int = 0
    index_gets: int = 0
    index_bytes: int = 0
    range_gets: int = 0
    range_bytes: int = 0
    messages: int = 0                        # payloads in range (wanted devices)
    points: int = 0
    duplicates: int = 0                      # dropped: same dedupe id (or same bytes) before
    skipped: int = 0                         # payloads that are not weldspots with a voltage
    first_skip_reason: str = ""
    directory_objects: int = 0               # objects read through their group directory

    def count(self, req: Request) -> None:
        """Reader.on_request callback."""
        if req.method == "LIST":
            self.lists += 1
            self.keys_listed += req.bytes
        elif req.method == "HEAD":
            self.heads += 1
        elif req.what == "index object":
            self.index_gets += 1
            self.index_bytes += req.bytes
        else:
            self.range_gets += 1
            self.range_bytes += req.bytes


def parse_weldspot(payload: bytes, compressed: bool = False) -> WeldSpot:
    """Voltage and timestamp of a weldspot payload; raises ValueError saying what is wrong.

    Values are strings in the use case ("230", "229.5"); JSON numbers are accepted too.
    """
    if compressed:
        try:
            payload = zlib.decompress(payload)
        except zlib.error as e:
            raise ValueError(f"compressed payload does not inflate: {e}") from None
    try:
        doc = json.loads(payload)
    except (ValueError, UnicodeDecodeError) as e:
        raise ValueError(f"payload is not JSON: {e}") from None
    spot = doc.get("weldspot") if isinstance(doc, dict) else None
    if not isinstance(spot, dict):
        raise ValueError("payload has no weldspot object")
    volts = spot.get("Voltage")
    if isinstance(volts, bool) or not isinstance(volts, (str, int, float)):
        raise ValueError("weldspot has no Voltage")
    try:
        volts = float(volts)
    except ValueError:
        raise ValueError(f"weldspot Voltage is not a number: {volts[:32]!r}") from None
    stamp = spot.get("Timestamp")
    time_ms = None
    if stamp is not None:
        try:
            t = datetime.datetime.strptime(str(stamp), TIMESTAMP_FORMAT).replace(tzinfo=_UTC)
        except ValueError:
            raise ValueError(f"weldspot Timestamp {str(stamp)[:32]!r} is not "
                             "'YYYYMMDD HHMMSS'") from None
        time_ms = (t - _EPOCH) // datetime.timedelta(milliseconds=1)
    return WeldSpot(time_ms, volts)


def device_of(topic: str, index_key: str = "") -> str:
    """DEVICE-ID of a use-case topic; else the first component of the index key."""
    levels = topic.split("/")
    if len(levels) == _TOPIC_LEVELS:
        return levels[_DEVICE_LEVEL]
    return index_key.split("/", 1)[0]


def is_compressed(topic: str) -> bool:
    levels = topic.split("/")
    return len(levels) == _TOPIC_LEVELS and levels[_COMPRESSED_LEVEL] == "1"


def natural_key(text: str) -> List:
    """Sort key that puts WELDING-STATION-2 before WELDING-STATION-10."""
    return [(0, int(p), "") if p.isdigit() else (1, 0, p) for p in re.split(r"(\d+)", text)]


def ms_to_datetime(ms: int) -> datetime.datetime:
    return _EPOCH + datetime.timedelta(milliseconds=ms)


def extract_series(reader: Reader, bucket: str, time_from: int, time_to: int,
                   devices: Optional[Iterable[str]] = None, prefix: str = "",
                   report: Optional[FetchReport] = None, concurrency: int = DEFAULT_CONCURRENCY,
                   prefix_template: Optional[str] = None) -> Series:
    """{device: [(UTC time, volts)]} for event times in [time_from, time_to) (Unix ms).

    mqtt2s3.dataset.read over ``bucket`` (objects found by name under ``prefix``, or per
    hour with ``prefix_template``), only the wanted devices' byte ranges fetched, with
    ``concurrency`` requests in flight. Points are in time order (body order for equal
    times); duplicates across objects are dropped. Requests, bytes and payloads without a
    voltage are added to ``report``. Raises ReaderError / FormatError on S3 or format failures.
    """
    report = report if report is not None else FetchReport()
    previous = reader.on_request

    def on_request(req: Request) -> None:
        report.count(req)
        if previous:
            previous(req)

    reader.on_request = on_request
    try:
        from .parallel import ParallelReader
        pr = ParallelReader(reader=reader, concurrency=concurrency)
        listed = pr.discover(bucket, time_from, time_to, prefix, prefix_template)
        report.overlapping += [o.key for o in listed]
        report.overlapping_bytes += sum(o.size for o in listed)
        ds = dataset.read(bucket=bucket, keys=listed, time_from=time_from, time_to=time_to,
                          devices=list(devices) if devices else None,
                          fields={"volts": (VOLTAGE_FIELD, "float64")}, time_field=TIME_FIELD,
                          time_format=TIMESTAMP_FORMAT, concurrency=concurrency, reader=reader)
    finally:
        reader.on_request = previous
    report.used += ds.report.used
    report.directory_objects += ds.report.directory_objects
    report.duplicates += ds.report.duplicates
    report.messages += len(ds) + ds.report.duplicates
    volts = ds["volts"]
    good = ~np.isnan(volts) & (ds.event_time != dataset.NAT)
    report.skipped += int((~good).sum())
    if not good.all() and not report.first_skip_reason:
        bad = int(np.flatnonzero(~good)[0])
        report.first_skip_reason = (f"{ds.device[bad]}: no weldspot {VOLTAGE_FIELD} number"
                                    if np.isnan(volts[bad]) else
                                    f"{ds.device[bad]}: no weldspot {TIME_FIELD} time")
    series: Series = {}
    for device in sorted(set(ds.device[good].tolist()), key=natural_key):
        rows = np.flatnonzero(good & (ds.device == device))
        rows = rows[np.argsort(ds.event_time[rows], kind="stable")]
        series[device] = [(ms_to_datetime(t), v) for t, v in
                          zip(ds.event_time[rows].tolist(), volts[rows].tolist())]
        report.points += len(rows)
    return series


PANEL_INCHES = 0.75  # height of one device's panel: 10 devices make a 9-inch figure


def make_figure(series: Series, title: str, time_from: int, time_to: int, figure=None):
    """Voltage over UTC time, one panel per device sharing the time axis (device name as the
    panel's label), on ``figure`` (a new matplotlib Figure, no pyplot, when None). Returns
    the figure; ``figure.axes[i]`` is the i-th device's panel, its one line labelled with it."""
    import matplotlib.dates as mdates
    n = max(1, len(series))
    height = 1.5 + PANEL_INCHES * max(n, 3)
    if figure is None:
        from matplotlib.figure import Figure
        figure = Figure(figsize=(11, height), dpi=100)
    else:
        figure.set_size_inches(11, height)
    axes = figure.subplots(n, 1, sharex=True, squeeze=False)[:, 0]
    for ax, (device, points) in zip(axes, series.items()):
        ax.plot([t for t, _ in points], [v for _, v in points], label=device, linewidth=0.8,
                marker="." if len(points) <= 120 else None)
        ax.set_ylabel(f"{device}\n(V)", rotation=0, ha="right", va="center", fontsize="small")
        ax.grid(True, alpha=0.3)
        ax.tick_params(axis="y", labelsize="x-small")
    if not series:
        axes[0].set_ylabel("voltage (V)")
        axes[0].text(0.5, 0.5, "no weldspot messages in this range", ha="center", va="center",
                     transform=axes[0].transAxes)
    axes[0].set_xlim(ms_to_datetime(time_from), ms_to_datetime(time_to))
    span_s = (time_to - time_from) / 1000
    axes[-1].xaxis.set_major_formatter(mdates.DateFormatter(
        "%H:%M:%S" if span_s <= 600 else "%H:%M" if span_s <= 2 * 86400 else "%m-%d %H:%M",
        tz=_UTC))
    axes[-1].set_xlabel(f"time (UTC), {iso_ms(time_from)[:10]}")
    figure.suptitle(title)
    figure.subplots_adjust(left=0.2, right=0.97, top=1 - 0.5 / height, bottom=0.9 / height,
                           hspace=0.15)
    return figure


def display_works() -> bool:
    """True when DISPLAY is set and a GUI backend can open a window."""
    if not os.environ.get("DISPLAY"):
        return False
    try:
        import matplotlib.pyplot as plt
        for backend in ("TkAgg", "QtAgg", "GTK3Agg"):
            try:
                plt.switch_backend(backend)
                plt.close(plt.figure())  # fails here when the X server is unreachable
                return True
            except Exception:  # ImportError, TclError, RuntimeError: try the next one
                continue
    except Exception:
        pass
    return False


def load_s3_config(path: str) -> Dict[str, str]:
    """The scalar keys of the top-level ``s3:`` block of a converter YAML file (endpoint,
    region, access_key_env, secret_key_env, ...). Only the simple block style is read."""
    out: Dict[str, str] = {}
    inside = False
    with open(path, encoding="utf-8") as f:
        for raw in f:
            line = raw.split(" #", 1)[0].rstrip() if not raw.lstrip().startswith("#") else ""
            if not line:
                continue
            if not line[0].isspace():
                inside = line.strip() == "s3:"
                continue
            if inside and ":" in line:
                key, _, value = line.strip().partition(":")
                value = value.strip()
                if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
                    value = value[1:-1]
                if value:
                    out[key.strip()] = value
    return out


def _credentials(cfg: Dict[str, str]) -> Tuple[Optional[str], Optional[str]]:
    access = secret = None
    if cfg.get("access_key_env"):
        access = os.environ.get(cfg["access_key_env"])
    if cfg.get("secret_key_env"):
        secret = os.environ.get(cfg["secret_key_env"])
    return access, secret


def print_report(r: FetchReport, series: Series, out) -> None:
    total = r.index_bytes + r.range_bytes
    share = f"; the overlapping objects' bodies hold {r.overlapping_bytes}" \
        if r.overlapping_bytes else ""
    out.write(f"objects: {r.keys_listed} key(s) listed, {len(r.overlapping)} overlap the range "
              f"by name, {len(r.used)} used\n")
    for key in r.used:
        out.write(f"  {key}\n")
    out.write(f"requests: {r.lists} LIST, {r.heads} HEAD, {r.index_gets} GET index "
              f"({r.index_bytes} bytes), {r.range_gets} GET range ({r.range_bytes} bytes); "
              f"{r.directory_objects} object(s) read through the group directory\n")
    out.write(f"bytes: {total} fetched{share}\n")
    out.write(f"messages: {r.messages} fetched, {r.points} plotted, {r.duplicates} duplicate(s), "
              f"{r.skipped} skipped\n")
    if r.first_skip_reason:
        out.write(f"  first skipped: {r.first_skip_reason}\n")
    for device, points in series.items():
        volts = [v for _, v in points]
        out.write(f"  {device}: {len(points)} point(s), {min(volts):g}..{max(volts):g} V\n")


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python3 -m mqtt2s3.plot_voltage",
                                description="Plot weldspot voltage of one plant over time.")
    p.add_argument("--plant", required=True, help="PLANT-ID, e.g. 1")
    p.add_argument("--from", dest="time_from", required=True,
                   help="first time, UTC: '2018-10-01 17:00', 2018-10-01T17:00:00Z or Unix ms")
    p.add_argument("--to", dest="time_to", required=True, help="end time (exclusive), UTC")
    p.add_argument("--device", action="append", help="DEVICE-ID to plot; repeat; default all")
    p.add_argument("--out", help=f"PNG to write (default {DEFAULT_OUT} when no display)")
    p.add_argument("--no-show", action="store_true", help="never open a window")
    p.add_argument("--config", help="converter YAML: endpoint, region and credential variable "
                                    "names from its s3 section")
    p.add_argument("--endpoint", help="S3 endpoint URL (default: --config, else $S3_ENDPOINT)")
    p.add_argument("--region", help="signing region (default: --config, else us-east-1)")
    p.add_argument("--bucket-template", default=DEFAULT_BUCKET_TEMPLATE,
                   help="bucket name for a plant, lower-cased like the converter does "
                        "(default %(default)s)")
    p.add_argument("--bucket", help="bucket to read (overrides --bucket-template)")
    p.add_argument("--prefix", default="", help="only keys under this prefix")
    p.add_argument("--prefix-template", help="list each hour's prefix instead of the bucket, "
                                             "e.g. '%%Y/%%m/%%d/%%H/' (keys partitioned by "
                                             "event time only)")
    p.add_argument("--concurrency", type=int, default=DEFAULT_CONCURRENCY,
                   help="requests in flight at once (default %(default)s)")
    p.add_argument("--max-gap", type=int, default=DEFAULT_MAX_GAP,
                   help="one GET for two wanted ranges at most this many bytes apart")
    p.add_argument("--trace", action="store_true", help="print every request to stderr")
    return p


def main(argv: Optional[Sequence[str]] = None, s3_client=None, out=None) -> int:
    """Exit code 0 success, 1 runtime failure, 2 usage. ``s3_client`` replaces the boto3
    client (tests)."""
    out = out or sys.stdout
    try:
        a = _parser().parse_args(argv)
    except SystemExit as e:
        return 2 if e.code else 0
    try:
        t_from, t_to = parse_time(a.time_from), parse_time(a.time_to)
        if t_from >= t_to:
            raise ValueError("--from must be before --to")
        if a.max_gap < 0:
            raise ValueError("--max-gap must be >= 0")
        if a.concurrency < 1:
            raise ValueError("--concurrency must be >= 1")
        bucket = a.bucket or a.bucket_template.format(plant=a.plant).lower()
        if s3_client is None:
            cfg = load_s3_config(a.config) if a.config else {}
            access, secret = _credentials(cfg)
            s3_client = make_client(a.endpoint or cfg.get("endpoint")
                                    or os.environ.get("S3_ENDPOINT"),
                                    a.region or cfg.get("region") or "us-east-1",
                                    access, secret)
    except (ValueError, KeyError, IndexError, OSError) as e:
        print(f"plot_voltage: {e}", file=sys.stderr)
        return 2

    def trace(req: Request) -> None:
        print(f"{req.method} {req.key} {req.range or '-'} {req.bytes} ({req.what})",
              file=sys.stderr)

    reader = Reader(s3_client, max_gap=a.max_gap, on_request=trace if a.trace else None)
    report = FetchReport()
    devices = ", ".join(a.device) if a.device else "all devices"
    out.write(f"plant {a.plant}: bucket {bucket}, {iso_ms(t_from)} .. {iso_ms(t_to)}, "
              f"{devices}\n")
    try:
        series = extract_series(reader, bucket, t_from, t_to, a.device, a.prefix, report,
                                a.concurrency, a.prefix_template)
    except (ReaderError, fmt.FormatError) as e:
        print(f"plot_voltage: {e}", file=sys.stderr)
        return 1
    print_report(report, series, out)
    if a.device:
        for d in a.device:
            if d not in series:
                out.write(f"  {d}: no points\n")

    start, end = iso_ms(t_from)[:16].replace("T", " "), iso_ms(t_to)[:16].replace("T", " ")
    if start[:10] == end[:10]:
        end = end[11:]
    title = f"Weld voltage, plant {a.plant}, {start} to {end} UTC"
    show = not a.no_show and display_works()
    try:
        if show:
            import matplotlib.pyplot as plt
            fig = make_figure(series, title, t_from, t_to, plt.figure())
            if a.out:
                fig.savefig(a.out)
                out.write(f"wrote {a.out}\n")
            plt.show()
        else:
            path = a.out or DEFAULT_OUT
            make_figure(series, title, t_from, t_to).savefig(path)
            out.write(f"wrote {path} (no display)\n" if not a.out else f"wrote {path}\n")
    except OSError as e:
        print(f"plot_voltage: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
