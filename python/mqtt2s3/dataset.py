"""Analysis API: a selection of messages (bucket or plant, time range, devices, fields) as
columns, read in parallel (mqtt2s3.parallel) and decoded without a per-message parse::

    import boto3
    from mqtt2s3 import dataset
    s3 = boto3.client("s3", endpoint_url="http://127.0.0.1:8000")
    ds = dataset.read(s3, plant=1, time_from="2018-10-01", time_to="2018-10-02",
                      devices=["WELDING-STATION-3"],
                      fields={"voltage": "/weldspot/Voltage", "current": "/weldspot/Current"},
                      time_field="/weldspot/Timestamp", time_format="%Y%m%d %H%M%S")
    ds.event_time      # int64 Unix ms (NaT sentinel, int64 min, when unknown)
    ds.device          # object array of cluster keys
    ds["voltage"]      # float64, NaN where the payload has no such value
    ds.nulls           # {"voltage": 0, "current": 3}: rows without a value, per field
    df = ds.to_pandas()   # needs pandas

    # Any route: its configured columns (routes[].columns) and its time_field / time_format
    ds = dataset.read(s3, "plant-7", config="converter.yaml", route="sensors",
                      fields=["temp", "/sensors/0/t"])  # column names or JSON pointers

Columns: ``event_time``, ``device``, then each field. ``fields`` is a mapping of names to
JSON pointers (RFC 6901) into the (inflated) payload, or to ``(pointer, dtype)``; or a list
of pointers, each named by itself. With ``config`` (a converter config file) and ``route``,
a column name of that route's ``columns`` may stand wherever a pointer may, and ``fields=None``
reads every configured column with its type. dtype: ``auto`` (default), ``float64`` or
``object`` as below, or a route column type ``int64``, ``double``, ``string``, ``bool``,
``timestamp`` with the converter's conversion rules (mqtt2s3.columns), so a Parquet object's
typed columns and this API give the same values. ``auto`` gives int64 when every value is a
JSON integer, float64 when every present value is a number or a numeric string (NaN for
absent), else object (None for absent); ``float64`` is float64 with NaN where Python's float()
does not convert. An absent pointer or a value that does not convert is a null, never an
error, and counted in ``nulls``; a payload that is not JSON gives nulls in every field.

Rows come in object key order, then body order (cluster key, then arrival); duplicates are
dropped as mqtt2s3.parallel describes. Event time: the index's time on the index path; on the
group-directory path (no index read) the payload's ``time_field`` read with ``time_format``
(strftime, UTC, or the route's ``rfc3339`` / ``unix_ms`` / ``unix_s``), or Unix ms when the
value is a number; without ``time_field`` those rows have the NaT sentinel. Payloads starting
like a zlib stream (the welding COMPRESSED=1 level) are inflated before decoding
(``compressed="auto"``); ``compressed=False`` never inflates.
"""

import datetime
import json
import zlib
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence, Tuple, Union

import numpy as np

from . import columns as typed
from .parallel import DEFAULT_CONCURRENCY, Chunk, ParallelReader, ReadReport
from .reader import DEFAULT_MAX_GAP, Reader, Stats, parse_time

DEFAULT_BUCKET_TEMPLATE = "company-x-plant-{plant}"
NAT = np.iinfo(np.int64).min  # numpy's NaT as int64: event time unknown
_EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)
_ABSENT = None
_DTYPES = ("auto", "float64", "object") + typed.TYPES
_DIRECTIVES = {"Y": 4, "m": 2, "d": 2, "H": 2, "M": 2, "S": 2}


@dataclass
class Dataset:
    """Columns of equal length; ``report``/``stats`` say how they were read."""
    event_time: np.ndarray
    device: np.ndarray
    columns: Dict[str, np.ndarray] = field(default_factory=dict)
    nulls: Dict[str, int] = field(default_factory=dict)  # per field: rows without a value
    report: ReadReport = field(default_factory=ReadReport)
    stats: Stats = field(default_factory=Stats)
    types: Dict[str, str] = field(default_factory=dict)  # per field: its dtype

    def __len__(self) -> int:
        return len(self.event_time)

    def __getitem__(self, name: str) -> np.ndarray:
        if name == "event_time":
            return self.event_time
        if name == "device":
            return self.device
        return self.columns[name]

    def devices(self) -> List[str]:
        return sorted(set(self.device.tolist()))

    def to_pandas(self):
        """A DataFrame: event_time (and ``timestamp`` fields) as datetime64[ms, UTC] (NaT when
        unknown), device, fields."""
        import pandas as pd

        def utc(ms):
            return pd.Series(ms.view("datetime64[ms]")).dt.tz_localize("UTC")
        data = {"event_time": utc(self.event_time), "device": self.device}
        for name, col in self.columns.items():
            data[name] = utc(col) if self.types.get(name) == "timestamp" else col
        return pd.DataFrame(data)


def _time_arg(t) -> Optional[int]:
    if t is None or isinstance(t, int):
        return t
    if isinstance(t, datetime.datetime):
        if t.tzinfo is None:
            t = t.replace(tzinfo=datetime.timezone.utc)
        return (t - _EPOCH) // datetime.timedelta(milliseconds=1)
    return parse_time(str(t))


def read(s3=None, bucket: Optional[str] = None, *, plant=None,
         bucket_template: str = DEFAULT_BUCKET_TEMPLATE, time_from=None, time_to=None,
         devices: Optional[Sequence[str]] = None,
         fields: Union[None, Dict[str, Union[str, Tuple[str, str]]], Sequence[str]] = None,
         time_field: Optional[str] = None, time_format: Optional[str] = None,
         config: Optional[str] = None, route: Optional[str] = None,
         prefix: str = "", prefix_template: Optional[str] = None, keys=None,
         concurrency: int = DEFAULT_CONCURRENCY, max_gap: int = DEFAULT_MAX_GAP,
         use_directory: bool = True, dedupe: bool = True, compressed="auto",
         on_request=None, reader: Optional[Reader] = None) -> Dataset:
    """Reads [time_from, time_to) of ``devices`` (None = all) from ``bucket`` (or the
    bucket of ``plant`` through ``bucket_template``, lower-cased like the converter).

    Times: Unix ms, datetime (naive = UTC) or text ("2018-10-01 17:00", ISO, Unix ms).
    Objects are found by listing ``prefix`` (or each hour's ``prefix_template`` prefix, see
    ParallelReader.discover), or given as ``keys``. ``reader`` shares a Reader (its stats
    and on_request); else one is made on ``s3``. ``config`` (a converter config file) with
    ``route`` (its name; may be left out when the file has one route) gives the route's
    columns by name, and its time_field / time_format / time_zone unless given here.
    """
    if bucket is None:
        if plant is None:
            raise ValueError("give bucket or plant")
        bucket = bucket_template.format(plant=plant).lower()
    t_from, t_to = _time_arg(time_from), _time_arg(time_to)
    if t_from is not None and t_to is not None and t_from >= t_to:
        raise ValueError("time_from must be before time_to")
    route_cfg = typed.load_route(config, route) if config is not None else None
    time_zone = "UTC"
    if route_cfg is not None and time_field is None and route_cfg.get("time_field"):
        time_field = route_cfg["time_field"]
        time_format = route_cfg.get("time_format", "rfc3339")
        time_zone = route_cfg.get("time_zone", "UTC")
    configured = typed.route_columns(config, route) if config is not None else []
    specs = _field_specs(fields, configured)
    pr = ParallelReader(s3, concurrency=concurrency, max_gap=max_gap,
                        use_directory=use_directory, on_request=on_request, reader=reader)
    if keys is None:
        keys = pr.discover(bucket, t_from, t_to, prefix, prefix_template)
    chunks, report = pr.read(bucket, keys, devices, t_from, t_to,
                             filter_directory_by_payload=time_field is not None, dedupe=dedupe)
    ds = decode(chunks, specs, time_field, time_format, t_from, t_to, compressed, time_zone)
    ds.report, ds.stats = report, pr.reader.stats
    return ds


@dataclass(frozen=True)
class FieldSpec:
    """One field to decode: its name, pointer tokens, dtype (_DTYPES) and, for timestamp,
    how strings are written."""
    name: str
    tokens: Tuple[str, ...]
    dtype: str = "auto"
    time_format: str = "rfc3339"
    time_zone: str = "UTC"


def _field_specs(fields, configured: Sequence[typed.Column] = ()) -> List[FieldSpec]:
    """``fields`` (mapping, list or None) with the route's ``configured`` columns."""
    by_name = {c.name: c for c in configured}
    if fields is None:
        items = [(c.name, c.name) for c in configured]
    elif isinstance(fields, dict):
        items = list(fields.items())
    elif isinstance(fields, str):
        raise ValueError("fields: give a mapping or a list of JSON pointers, not one string")
    else:
        items = [(f, f) for f in fields]
    out, seen = [], set()
    for name, spec in items:
        where, dtype = (spec, None) if isinstance(spec, str) else spec
        if name in ("event_time", "device"):
            raise ValueError(f"field name {name!r} is taken by a fixed column")
        if name in seen:
            raise ValueError(f"field {name!r} is given twice")
        seen.add(name)
        if dtype is not None and dtype not in _DTYPES:
            raise ValueError(f"field {name!r}: dtype {dtype!r} is not one of {_DTYPES}")
        column = by_name.get(where) if not where.startswith("/") and where != "" else None
        if column is not None:
            out.append(FieldSpec(name, tuple(parse_pointer(column.pointer)),
                                 dtype or column.type, column.time_format, column.time_zone))
        elif where in ("",) or where.startswith("/") or not by_name:
            out.append(FieldSpec(name, tuple(parse_pointer(where)), dtype or "auto"))
        else:
            raise ValueError(f"field {name!r}: {where!r} is neither a JSON pointer nor a column "
                             f"of the route (columns: {', '.join(by_name)})")
    return out


def parse_pointer(pointer: str) -> List[str]:
    """RFC 6901: "" is the whole document, "/a/b" the tokens a, b (~1 = '/', ~0 = '~')."""
    if pointer == "":
        return []
    if not pointer.startswith("/"):
        raise ValueError(f"JSON pointer {pointer!r} must start with '/'")
    return [t.replace("~1", "/").replace("~0", "~") for t in pointer[1:].split("/")]


def _inflate(payloads: List[bytes], compressed) -> List[bytes]:
    if compressed is False:
        return payloads
    if compressed is True:
        return [zlib.decompress(p) for p in payloads]
    if not any(p[:1] == b"x" for p in payloads):  # JSON text never starts with 'x'
        return payloads
    out = []
    for p in payloads:
        if p[:1] == b"x" and len(p) > 1 and (p[0] << 8 | p[1]) % 31 == 0:
            try:
                p = zlib.decompress(p)
            except zlib.error:
                pass
        out.append(p)
    return out


def parse_json_many(payloads: List[bytes]) -> list:
    """Each payload's JSON value (None when not JSON), parsed with one json.loads.

    Each payload is wrapped in its own array, so a payload that is not one JSON value
    cannot merge with its neighbours unnoticed; then every payload is parsed on its own."""
    if not payloads:
        return []
    try:
        docs = json.loads(b"[[" + b"],[".join(payloads) + b"]]")
        if len(docs) == len(payloads) and all(len(d) == 1 for d in docs):
            return [d[0] for d in docs]
    except (ValueError, UnicodeDecodeError, TypeError):
        pass
    out = []
    for p in payloads:
        try:
            out.append(json.loads(p))
        except (ValueError, UnicodeDecodeError):
            out.append(None)
    return out


def extract(docs: list, tokens: List[str]) -> list:
    """The value at the pointer in every document; None where absent."""
    out = []
    append = out.append
    for doc in docs:
        try:
            d = doc
            for t in tokens:
                d = d[t]
        except (KeyError, IndexError, TypeError):
            d = _walk(doc, tokens)  # arrays, or absent
        append(d)
    return out


def _walk(d, tokens):
    for t in tokens:
        if isinstance(d, dict):
            if t not in d:
                return _ABSENT
            d = d[t]
        elif isinstance(d, list) and t.isdigit() and (t == "0" or t[0] != "0") \
                and int(t) < len(d):
            d = d[int(t)]
        else:
            return _ABSENT
    return d


def to_column(values: list, dtype: str = "auto") -> np.ndarray:
    """A numpy column from JSON values (None = absent), as described for ``fields``."""
    n = len(values)
    kinds = set(map(type, values))
    if dtype == "auto" and kinds and kinds <= {int}:
        try:
            return np.array(values, dtype=np.int64)
        except OverflowError:
            pass
    if dtype in ("auto", "float64") and kinds <= {int, float, str, type(None)} \
            and (dtype == "float64" or kinds & {int, float, str}):
        try:
            col = np.array(values, dtype=np.float64)
            if col.shape == (n,):
                return col
        except (ValueError, TypeError, OverflowError):
            pass
    if dtype == "float64":
        return np.fromiter((_float_or_nan(v) for v in values), dtype=np.float64, count=n)
    return np.fromiter(values, dtype=object, count=n)


def _float_or_nan(v) -> float:
    if isinstance(v, bool) or not isinstance(v, (int, float, str)):
        return float("nan")
    try:
        return float(v)
    except (ValueError, OverflowError):
        return float("nan")


def parse_times(values: list, time_format: Optional[str]) -> np.ndarray:
    """Unix ms (int64, NAT where unparsable) of payload time values read as UTC: numbers are
    Unix ms; strings with ``time_format`` (strftime), else ISO 8601 / parse_time spellings."""
    n = len(values)
    if time_format:
        fast = _fixed_width_times(values, time_format)
        if fast is not None:
            return fast
    out = np.full(n, NAT, dtype=np.int64)
    for i, v in enumerate(values):
        try:
            if isinstance(v, (int, float)) and not isinstance(v, bool):
                out[i] = int(v)
            elif isinstance(v, str) and time_format:
                t = datetime.datetime.strptime(v, time_format)
                t = t.replace(tzinfo=t.tzinfo or datetime.timezone.utc)
                out[i] = (t - _EPOCH) // datetime.timedelta(milliseconds=1)
            elif isinstance(v, str):
                out[i] = parse_time(v.replace("+00:00", "Z"))
        except (ValueError, OverflowError):
            pass
    return out


def _fixed_width_times(values: list, time_format: str) -> Optional[np.ndarray]:
    """Vectorized strptime for formats of %Y %m %d %H %M %S and literal characters; None
    when the format or the values do not fit (the caller then parses one by one)."""
    layout, pos, i = [], 0, 0
    while i < len(time_format):
        c = time_format[i]
        if c == "%":
            d = time_format[i + 1:i + 2]
            if d not in _DIRECTIVES:
                return None
            layout.append((d, pos, _DIRECTIVES[d]))
            pos += _DIRECTIVES[d]
            i += 2
        else:
            layout.append(("", pos, c))
            pos += 1
            i += 1
    if not values or set(map(type, values)) != {str} or set(map(len, values)) != {pos}:
        return None
    codes = np.array(values, dtype=f"U{pos}").view(np.uint32).reshape(-1, pos).astype(np.int64)
    ok = np.ones(len(values), dtype=bool)
    parts = {"Y": 1970, "m": 1, "d": 1, "H": 0, "M": 0, "S": 0}
    for d, p, w in layout:
        if not d:
            ok &= codes[:, p] == ord(w)
            continue
        digits = codes[:, p:p + w] - 48
        ok &= ((digits >= 0) & (digits <= 9)).all(axis=1)
        parts[d] = (digits * (10 ** np.arange(w - 1, -1, -1))).sum(axis=1)
    y, mo, d = (np.asarray(parts[k]) for k in "Ymd")
    ok &= (mo >= 1) & (mo <= 12) & (d >= 1) & (d <= 31)
    months = ((y - 1970) * 12 + (mo - 1)).astype("datetime64[M]")
    days = months.astype("datetime64[D]").astype(np.int64) + (d - 1)
    ms = ((days * 24 + parts["H"]) * 60 + parts["M"]) * 60_000 + np.asarray(parts["S"]) * 1000
    return np.where(ok, ms, NAT)


def event_times(values: list, time_format: Optional[str], time_zone: str = "UTC") -> np.ndarray:
    """Unix ms of payload time values: parse_times for strftime patterns (and None); a route's
    ``rfc3339`` / ``unix_ms`` / ``unix_s`` as the converter reads them; ``time_zone`` is the
    offset of times written without one."""
    if time_format in ("rfc3339", "unix_ms", "unix_s"):
        return typed.convert(values, "timestamp", time_format, time_zone)[0]
    t = parse_times(values, time_format)
    offset = typed.zone_offset_ms(time_zone)
    if offset:
        t = np.where(t == NAT, NAT, t - offset)
    return t


def _to_field(values: list, spec: FieldSpec) -> Tuple[np.ndarray, int]:
    if spec.dtype in typed.TYPES:
        return typed.convert(values, spec.dtype, spec.time_format, spec.time_zone)
    col = to_column(values, spec.dtype)
    if col.dtype == np.float64:
        return col, int(np.isnan(col).sum())
    if col.dtype == object:
        return col, int(np.equal(col, None).sum())
    return col, 0


def decode(chunks: List[Chunk], specs: Sequence[FieldSpec], time_field: Optional[str],
           time_format: Optional[str], t_from: Optional[int], t_to: Optional[int],
           compressed="auto", time_zone: str = "UTC") -> Dataset:
    """Columns from fetched chunks (see ``read``); directory rows outside the window, by
    their payload time, are dropped here."""
    specs = [s if isinstance(s, FieldSpec) else FieldSpec(s[0], tuple(s[1]), s[2]) for s in specs]
    time_tokens = parse_pointer(time_field) if time_field is not None else None
    times, devices, values = [], [], {s.name: [] for s in specs}
    for c in chunks:
        docs = parse_json_many(_inflate(c.payloads, compressed))
        if c.event_times is not None:
            t = np.array(c.event_times, dtype=np.int64)
        elif time_tokens is not None:
            t = event_times(extract(docs, time_tokens), time_format, time_zone)
        else:
            t = np.full(len(docs), NAT, dtype=np.int64)
        keep = None
        if c.filter_by_time:
            keep = t != NAT
            if t_from is not None:
                keep &= t >= t_from
            if t_to is not None:
                keep &= t < t_to
            if keep.all():
                keep = None
            else:
                t = t[keep]
                docs = [d for d, k in zip(docs, keep) if k]
        times.append(t)
        devices.append(c.devices if keep is None else [d for d, k in zip(c.devices, keep) if k])
        for s in specs:
            values[s.name].extend(extract(docs, list(s.tokens)))
    event_time = np.concatenate(times) if times else np.zeros(0, dtype=np.int64)
    device = np.fromiter((d for ds in devices for d in ds), dtype=object, count=len(event_time))
    ds = Dataset(event_time, device)
    for s in specs:
        ds.columns[s.name], ds.nulls[s.name] = _to_field(values[s.name], s)
        ds.types[s.name] = s.dtype
    return ds
