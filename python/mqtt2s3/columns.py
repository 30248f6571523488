"""Typed columns from JSON values, with the converter's rules (routes[].columns), and a route's
configured columns read from a converter config file::

    from mqtt2s3 import columns
    cols = columns.route_columns("examples/welding-parquet.yaml", "welding")
    cols[0]                                  # Column("voltage", "/weldspot/Voltage", "double")
    values, nulls = columns.convert(["229.7", 230, None, "x"], "double")
    values                                   # float64 [229.7, 230., nan, nan]; nulls == 2

Types, as the converter's Parquet columns (docs/CONFIG.md, routes[].columns[].type; C++
src/route/column_extractor.cc), so a payload decoded here gives the value the converter
stores in a Parquet object's typed column:

- ``int64``: JSON integers, numbers with an integral value, or a string that is wholly one
  (``"42"``, ``"3.0"``). An int64 array; when any value is null, float64 with NaN (as pandas
  does; exact up to 2**53).
- ``double``: numbers, or a string that is wholly a finite number (``"229.7"``; no spaces,
  no ``+``, no NaN/infinity). float64, NaN for null.
- ``string``: strings; numbers and booleans as their JSON text. object array, None for null.
- ``bool``: true/false, the integers 0/1, the strings ``"true"``, ``"false"``, ``"1"``,
  ``"0"``. A bool array; when any value is null, an object array with None.
- ``timestamp``: UTC milliseconds: a number is Unix ms, a string is read with the column's
  ``time_format`` (``rfc3339``, ``unix_ms``, ``unix_s`` or a strftime pattern) in
  ``time_zone``. int64 with the NaT sentinel (int64 min) for null, as ``event_time``.

Anything else (absent, JSON null, objects, arrays, values that do not convert) is a null,
counted, never dropped. Strings are converted once per distinct value (numpy.unique), not
once per message.
"""

import datetime
import math
import re
from dataclasses import dataclass
from typing import List, Optional, Tuple

import numpy as np

NAT = np.iinfo(np.int64).min
TYPES = ("int64", "double", "string", "bool", "timestamp")
_EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)
_TWO63 = 2.0 ** 63
# std::from_chars(general) on the whole string: optional '-', digits with an optional point,
# optional exponent.
_DOUBLE = re.compile(r"-?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_INT = re.compile(r"-?[0-9]+")
_ZONE = re.compile(r"([+-])([0-9]{2}):?([0-9]{2})")


@dataclass(frozen=True)
class Column:
    """One typed column: a name, a JSON pointer into the payload and a type of TYPES."""
    name: str
    pointer: str
    type: str = "string"
    time_format: str = "rfc3339"   # timestamp only
    time_zone: str = "UTC"         # timestamp only: offset for formats without one


def text_to_double(text: str) -> Optional[float]:
    if not text.isascii() or not _DOUBLE.fullmatch(text):
        return None
    d = float(text)
    return d if math.isfinite(d) else None


def _integral(d: float) -> Optional[int]:
    if not math.isfinite(d) or d != math.trunc(d) or d < -_TWO63 or d >= _TWO63:
        return None
    return int(d)


def text_to_int64(text: str) -> Optional[int]:
    if text.isascii() and _INT.fullmatch(text):
        i = int(text)
        return i if -2 ** 63 <= i < 2 ** 63 else None  # out of range: no double retry
    d = text_to_double(text)
    return None if d is None else _integral(d)


def _text_to_bool(text: str) -> Optional[bool]:
    return {"true": True, "1": True, "false": False, "0": False}.get(text)


def zone_offset_ms(time_zone: str) -> int:
    """"UTC", "" or Z -> 0; "+01:00" / "-0530" -> the offset in ms."""
    if time_zone in ("", "UTC", "Z"):
        return 0
    m = _ZONE.fullmatch(time_zone)
    if not m:
        raise ValueError(f"time_zone {time_zone!r}: expected UTC, +01:00 or -0530")
    sign = -1 if m.group(1) == "-" else 1
    return sign * (int(m.group(2)) * 60 + int(m.group(3))) * 60000


def text_to_ms(text: str, time_format: str = "rfc3339", time_zone: str = "UTC") -> Optional[int]:
    """A timestamp string as UTC Unix ms, or None when it does not parse."""
    try:
        if time_format == "unix_ms":
            i = text_to_int64(text)
            return i
        if time_format == "unix_s":
            d = text_to_double(text)
            return None if d is None else math.floor(d * 1000)
        if time_format == "rfc3339":
            t = datetime.datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
            if t.tzinfo is None:
                return (t.replace(tzinfo=datetime.timezone.utc) - _EPOCH) \
                    // datetime.timedelta(milliseconds=1) - zone_offset_ms(time_zone)
        else:
            t = datetime.datetime.strptime(text, time_format)
            if t.tzinfo is None:
                return (t.replace(tzinfo=datetime.timezone.utc) - _EPOCH) \
                    // datetime.timedelta(milliseconds=1) - zone_offset_ms(time_zone)
        return (t - _EPOCH) // datetime.timedelta(milliseconds=1)
    except (ValueError, OverflowError):
        return None


def _per_distinct(strings: np.ndarray, fn, fill, dtype) -> np.ndarray:
    """fn over the distinct values of ``strings`` (an object array of str), spread back."""
    if len(strings) == 0:
        return np.zeros(0, dtype=dtype)
    uniq, inverse = np.unique(strings.astype(str), return_inverse=True)
    conv = [fn(s) for s in uniq.tolist()]
    return np.array([fill if v is None else v for v in conv], dtype=dtype)[inverse]


def convert(values: list, type_: str, time_format: str = "rfc3339",
            time_zone: str = "UTC") -> Tuple[np.ndarray, int]:
    """(column, nulls) of JSON values (None = absent) converted to ``type_`` (see above)."""
    if type_ not in TYPES:
        raise ValueError(f"column type {type_!r} is not one of {TYPES}")
    n = len(values)
    arr = np.empty(n, dtype=object)
    arr[:] = values
    kinds = np.empty(n, dtype=object)
    kinds[:] = list(map(type, values))
    is_int, is_float, is_str = kinds == int, kinds == float, kinds == str
    is_bool = kinds == bool
    if type_ == "double":
        out = np.full(n, np.nan)
        num = is_int | is_float
        try:
            out[num] = arr[num].astype(np.float64)
        except OverflowError:  # an integer beyond the double range
            out[num] = [float(v) if abs(v) < 1.7e308 else math.nan for v in arr[num]]
        out[is_str] = _per_distinct(arr[is_str], text_to_double, math.nan, np.float64)
        ok = ~np.isnan(out)
        return out, int(n - ok.sum())
    if type_ in ("int64", "timestamp"):
        out = np.full(n, NAT, dtype=np.int64)
        ok = np.zeros(n, dtype=bool)
        ints = arr[is_int]
        if len(ints):
            try:
                fits = np.ones(len(ints), dtype=bool)
                values_ = np.array(ints.tolist(), dtype=np.int64)
            except OverflowError:  # beyond int64: those are nulls
                fits = np.array([-2 ** 63 <= v < 2 ** 63 for v in ints], dtype=bool)
                values_ = np.array(ints[fits].tolist(), dtype=np.int64)
            idx = np.flatnonzero(is_int)[fits]
            out[idx] = values_
            ok[idx] = True
        floats = arr[is_float].astype(np.float64)
        if type_ == "int64":
            good = np.isfinite(floats) & (floats == np.trunc(floats)) & (floats >= -_TWO63) \
                & (floats < _TWO63)
            parse = text_to_int64
        else:
            good = np.isfinite(floats) & (floats >= -_TWO63) & (floats < _TWO63)
            floats = np.floor(floats)

            def parse(s):
                return text_to_ms(s, time_format, time_zone)
        idx = np.flatnonzero(is_float)[good]
        out[idx] = floats[good].astype(np.int64)
        ok[idx] = True
        strs = _per_distinct(arr[is_str], parse, NAT, np.int64)
        out[is_str] = strs
        ok[np.flatnonzero(is_str)[strs != NAT]] = True
        nulls = int(n - ok.sum())
        if type_ == "timestamp":
            out[~ok] = NAT
            return out, nulls
        if nulls:
            f = out.astype(np.float64)
            f[~ok] = np.nan
            return f, nulls
        return out, 0
    if type_ == "bool":
        out = np.empty(n, dtype=object)
        out[:] = None
        out[is_bool] = arr[is_bool]
        small = is_int & ((arr == 0) | (arr == 1))
        out[small] = arr[small] == 1
        out[is_str] = _per_distinct(arr[is_str], _text_to_bool, None, object)
        isnull = np.equal(out, None)
        nulls = int(isnull.sum())
        return (out.astype(bool) if not nulls else out), nulls
    # string
    out = np.empty(n, dtype=object)
    out[:] = None
    out[is_str] = arr[is_str]
    out[is_bool] = np.where(arr[is_bool].astype(bool), "true", "false")
    out[is_int] = arr[is_int].astype(str).astype(object)
    out[is_float] = [_float_text(v) for v in arr[is_float]]
    return out, int(np.equal(out, None).sum())


def _float_text(d: float) -> str:
    """Shortest round-trip text of a JSON number read as a double (std::to_chars): 2.0 -> "2"."""
    text = repr(d)
    return text[:-2] if text.endswith(".0") else text


# -- converter configuration -------------------------------------------------------------------

def _yaml_loader():
    """PyYAML's SafeLoader with YAML 1.2 booleans only: the converter (yaml-cpp, typed by
    the config table) reads `on`, `yes` and `no` as the strings they are, e.g. a column named
    `on`."""
    import yaml

    class Loader(yaml.SafeLoader):
        pass
    Loader.yaml_implicit_resolvers = {
        k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:bool"]
        for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()}
    Loader.add_implicit_resolver("tag:yaml.org,2002:bool",
                                 re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
                                 list("tTfF"))
    return Loader


def load_route(config_path: str, route: Optional[str] = None) -> dict:
    """The route named ``route`` of a converter config file (YAML), as a dict; with no name,
    the only route. ValueError naming the file when there is no such route."""
    import yaml
    with open(config_path, encoding="utf-8") as f:
        doc = yaml.load(f, Loader=_yaml_loader()) or {}
    routes = doc.get("routes") or []
    if route is None:
        if len(routes) != 1:
            raise ValueError(f"{config_path}: {len(routes)} routes; name one with route=")
        return routes[0]
    for r in routes:
        if r.get("name") == route:
            return r
    names = ", ".join(str(r.get("name")) for r in routes)
    raise ValueError(f"{config_path}: no route {route!r} (routes: {names})")


def route_columns(config_path: str, route: Optional[str] = None) -> List[Column]:
    """The typed columns (routes[].columns) of a route of a converter config file."""
    r = load_route(config_path, route)
    out = []
    for c in r.get("columns") or []:
        type_ = c.get("type", "string")
        if type_ not in TYPES:
            raise ValueError(f"{config_path}: route {r.get('name')!r} column {c.get('name')!r}: "
                             f"type {type_!r} is not one of {TYPES}")
        out.append(Column(c["name"], c["pointer"], type_, c.get("time_format", "rfc3339"),
                          r.get("time_zone", "UTC")))
    return out
