#!/usr/bin/env python3
"""Reads files written by src/parquet (via parquet_gen) with four independent Parquet readers
and checks every value, the schema and logical types, statistics, the page index and the
payload value locations against the generator's JSON sidecars.

    check_readers.py --gen build/tests/parquet/parquet_gen --out /tmp/pq [--seed N]

Exit 0: all readers agree with the sidecar; 1: a mismatch (printed) or a reader missing.
"""
import argparse
import json
import math
import os
import struct
import subprocess
import sys

try:
    import duckdb
    import fastparquet
    import polars as pl
    import pyarrow as pa
    import pyarrow.parquet as pq
except ImportError as e:  # pragma: no cover
    print(f"FAIL: {e}: the readers are missing (use the project venv: scripts/python-env.sh)")
    sys.exit(1)

FAILURES = []


def fail(msg):
    FAILURES.append(msg)
    if len(FAILURES) <= 40:
        print("FAIL:", msg)


# ---- minimal thrift compact decoder (test-only): struct -> {field id: value} ----

class Compact:
    def __init__(self, buf, pos=0):
        self.buf, self.pos = buf, pos

    def byte(self):
        b = self.buf[self.pos]
        self.pos += 1
        return b

    def varint(self):
        shift = v = 0
        while True:
            b = self.byte()
            v |= (b & 0x7F) << shift
            shift += 7
            if not b & 0x80:
                return v

    def zigzag(self):
        v = self.varint()
        return (v >> 1) ^ -(v & 1)

    def value(self, t):
        if t == 1:
            return True
        if t == 2:
            return False
        if t == 3:
            return struct.unpack("b", bytes([self.byte()]))[0]
        if t in (4, 5, 6):
            return self.zigzag()
        if t == 7:
            v = struct.unpack_from("<d", self.buf, self.pos)[0]
            self.pos += 8
            return v
        if t == 8:
            n = self.varint()
            v = bytes(self.buf[self.pos:self.pos + n])
            self.pos += n
            return v
        if t == 9:
            h = self.byte()
            n, et = h >> 4, h & 15
            if n == 15:
                n = self.varint()
            if et in (1, 2):
                return [self.byte() == 1 for _ in range(n)]
            return [self.value(et) for _ in range(n)]
        if t == 12:
            return self.struct()
        raise ValueError(f"type {t} at {self.pos}")

    def struct(self):
        out, last = {}, 0
        while True:
            h = self.byte()
            if h == 0:
                return out
            t, d = h & 15, h >> 4
            fid = last + d if d else self.zigzag()
            out[fid] = self.value(t)
            last = fid


def footer(data):
    assert data[:4] == b"PAR1" and data[-4:] == b"PAR1", "magic"
    n = struct.unpack_from("<I", data, len(data) - 8)[0]
    return Compact(data, len(data) - 8 - n).struct()


# ---- expected values ----

def expected(meta):
    cols = []
    for spec, raw in zip(meta["columns"], meta["values"]):
        t = spec["type"]
        vals = []
        for v in raw:
            if v is None:
                vals.append(None)
            elif t == "double":
                vals.append(float("nan") if v == "nan" else float.fromhex(v))
            elif t in ("string", "json", "binary"):
                b = bytes.fromhex(v)
                vals.append(b.decode("utf-8") if t in ("string", "json") else b)
            else:
                vals.append(v)
        cols.append(vals)
    return cols


def same(a, b):
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, float) or isinstance(b, float):
        if math.isnan(a) or math.isnan(b):
            return math.isnan(a) and math.isnan(b)
        return a == b and math.copysign(1, a) == math.copysign(1, b)
    return a == b


def norm(v, t):
    """A reader's cell -> the sidecar's representation."""
    if v is None:
        return None
    try:
        if v != v:  # NaN
            return float("nan") if t == "double" else None
    except Exception:
        pass
    if t == "timestamp_ms":
        if hasattr(v, "value") and not hasattr(v, "timestamp"):
            return int(v.value) // 1_000_000
        if hasattr(v, "timestamp"):  # datetime / pandas.Timestamp
            import datetime as dt
            if getattr(v, "tzinfo", None) is None:
                v = v.replace(tzinfo=dt.timezone.utc)
            if hasattr(v, "value"):
                return int(v.value) // 1_000_000
            return round(v.timestamp() * 1000)
        if hasattr(v, "astype"):  # numpy datetime64
            return int(v.astype("datetime64[ms]").astype("int64"))
        return int(v)
    if t == "binary" and isinstance(v, (bytearray, memoryview)):
        return bytes(v)
    if t == "json" and not isinstance(v, (str, bytes)):
        return json.dumps(v, separators=(",", ":"), ensure_ascii=False)
    if t in ("string", "json") and isinstance(v, bytes):
        return v.decode("utf-8")
    if t == "bool":
        return bool(v)
    if t == "int64":
        return int(v)
    if t == "double":
        return float(v)
    return v


def compare(reader, case, meta, cols, got_columns):
    """got_columns: {name: list of cells}."""
    for spec, want in zip(meta["columns"], cols):
        name, t = spec["name"], spec["type"]
        if name not in got_columns:
            fail(f"{reader} {case}: column {name} missing")
            continue
        got = got_columns[name]
        if len(got) != len(want):
            fail(f"{reader} {case}.{name}: {len(got)} rows, want {len(want)}")
            continue
        bad = 0
        for i, (g, w) in enumerate(zip(got, want)):
            g = norm(g, t)
            if t == "json" and w is not None and g is not None:
                g, w = json.loads(g), json.loads(w)
            if not same(g, w):
                bad += 1
                if bad <= 3:
                    fail(f"{reader} {case}.{name}[{i}]: got {g!r:.80} want {w!r:.80}")
        if bad:
            fail(f"{reader} {case}.{name}: {bad} mismatched values")


# ---- per reader ----

def check_pyarrow(path, case, meta, cols):
    table = pq.read_table(path)
    want_types = {
        "int64": [pa.int64()], "double": [pa.float64()], "bool": [pa.bool_()],
        "timestamp_ms": [pa.timestamp("ms", tz="UTC"), pa.timestamp("ms", tz="+00:00")],
        "string": [pa.string(), pa.large_string(), pa.string_view()],
        "binary": [pa.binary(), pa.large_binary(), pa.binary_view()],
    }
    for spec in meta["columns"]:
        f = table.schema.field(spec["name"])
        ok = want_types.get(spec["type"])
        if spec["type"] == "json":
            ok_json = pa.types.is_string(f.type) or pa.types.is_large_string(f.type) or \
                "json" in str(f.type).lower()
            if not ok_json:
                fail(f"pyarrow {case}.{spec['name']}: type {f.type}")
        elif f.type not in ok:
            fail(f"pyarrow {case}.{spec['name']}: type {f.type}, want one of {ok}")
        if f.nullable != spec["nullable"]:
            fail(f"pyarrow {case}.{spec['name']}: nullable {f.nullable}")
    got = {}
    for spec in meta["columns"]:
        col = table.column(spec["name"])
        if spec["type"] == "json" and not pa.types.is_string(col.type):
            col = col.cast(pa.string()) if hasattr(col, "cast") else col
        if spec["type"] == "timestamp_ms":
            got[spec["name"]] = [None if v is None else v for v in
                                 col.cast(pa.int64()).to_pylist()]
        else:
            got[spec["name"]] = col.to_pylist()
    compare("pyarrow", case, meta, cols, got)

    # Metadata: logical types, statistics, page index flags.
    pf = pq.ParquetFile(path)
    md = pf.metadata
    if md.num_row_groups != len(meta["row_groups"]):
        fail(f"pyarrow {case}: {md.num_row_groups} row groups")
    if md.created_by != "mqtt2s3 0.1.0":
        fail(f"pyarrow {case}: created_by {md.created_by!r}")
    lt = {c.name: (str(c.logical_type), c.converted_type) for c in
          [md.schema.column(i) for i in range(md.num_columns)]}
    for spec in meta["columns"]:
        logical, converted = lt[spec["name"]]
        want = {"timestamp_ms": ("Timestamp", "TIMESTAMP_MILLIS"), "string": ("String", "UTF8"),
                "json": ("JSON", "JSON")}.get(spec["type"])
        if want and (want[0] not in logical or converted != want[1]):
            fail(f"pyarrow {case}.{spec['name']}: logical {logical} converted {converted}")
        if spec["type"] == "timestamp_ms" and ("isAdjustedToUTC=true" not in logical
                                               or "milliseconds" not in logical):
            fail(f"pyarrow {case}.{spec['name']}: {logical}")
    start = 0
    for rg in range(md.num_row_groups):
        n = md.row_group(rg).num_rows
        if n != meta["row_groups"][rg]:
            fail(f"pyarrow {case}: row group {rg} has {n} rows")
        for ci, spec in enumerate(meta["columns"]):
            cc = md.row_group(rg).column(ci)
            vals = cols[ci][start:start + n]
            check_chunk_stats(case, rg, spec, cc, vals)
            if (cc.bloom_filter_offset is not None) != (spec["name"] in ("device", "seq")
                                                         and any(v is not None for v in vals)):
                fail(f"pyarrow {case}.{spec['name']} rg{rg}: bloom filter offset "
                     f"{cc.bloom_filter_offset}")
            if not cc.has_offset_index:
                fail(f"pyarrow {case}.{spec['name']} rg{rg}: no offset index")
            want_ci = spec["statistics"] and not (
                spec["type"] == "double" and any_nan_only_page_possible(vals))
            if spec["statistics"] and not cc.has_column_index and want_ci:
                fail(f"pyarrow {case}.{spec['name']} rg{rg}: no column index")
        start += n


def any_nan_only_page_possible(vals):
    # A chunk loses its column index when a page holds only NaNs (spec); the checker cannot
    # see page boundaries through pyarrow, so any NaN excuses a missing column index.
    return any(isinstance(v, float) and math.isnan(v) for v in vals)


def check_chunk_stats(case, rg, spec, cc, vals):
    t, name = spec["type"], spec["name"]
    where = f"pyarrow {case}.{name} rg{rg}"
    st = cc.statistics
    if not spec["statistics"]:
        if st is not None and st.has_min_max:
            fail(f"{where}: statistics written though disabled")
        return
    if st is None:
        fail(f"{where}: no statistics")
        return
    nulls = sum(v is None for v in vals)
    if st.null_count != nulls:
        fail(f"{where}: null_count {st.null_count}, want {nulls}")
    present = [v for v in vals if v is not None and not (isinstance(v, float) and math.isnan(v))]
    if not present:
        if st.has_min_max:
            fail(f"{where}: min/max on a chunk without values")
        return
    if not st.has_min_max:
        fail(f"{where}: no min/max")
        return
    lo, hi = st.min, st.max
    if t == "timestamp_ms":
        lo, hi = norm(lo, t), norm(hi, t)
    if t in ("string", "json", "binary"):
        key = (lambda v: v.encode("utf-8") if isinstance(v, str) else v)
        lo_b, hi_b = key(lo), key(hi)
        pmin, pmax = min(map(key, present)), max(map(key, present))
        if len(pmin) <= 64 and lo_b != pmin:
            fail(f"{where}: min {lo_b!r:.60} want {pmin!r:.60}")
        if len(pmax) <= 64 and hi_b != pmax:
            fail(f"{where}: max {hi_b!r:.60} want {pmax!r:.60}")
        if not (lo_b <= pmin and hi_b >= pmax and len(lo_b) <= 64 and len(hi_b) <= 68):
            fail(f"{where}: truncated bounds {lo_b!r:.60}..{hi_b!r:.60} do not bound the values")
        return
    pmin, pmax = min(present), max(present)
    if t == "double" and pmin == 0:
        pmin = -0.0
    if t == "double" and pmax == 0:
        pmax = 0.0
    if not (same(lo, pmin) and same(hi, pmax)):
        fail(f"{where}: min/max {lo!r}/{hi!r}, want {pmin!r}/{pmax!r}")


def check_page_index_and_locations(path, case, meta, cols):
    """Decodes the footer, page index and page headers ourselves."""
    data = open(path, "rb").read()
    fmd = footer(data)
    if len(fmd.get(7, [])) != len(meta["columns"]):
        fail(f"footer {case}: column_orders missing")
    start = 0
    for rg_i, rg in enumerate(fmd[4]):
        n = rg[3]
        for ci, chunk in enumerate(rg[1]):
            spec = meta["columns"][ci]
            cmd = chunk[3]
            oi = Compact(data, chunk[4]).struct()
            if Compact(data, chunk[4]).struct() != oi or chunk[5] <= 0:
                fail("offset index")
            pages = oi[1]
            rows_seen = 0
            for p_i, loc in enumerate(pages):
                off, size, first = loc[1], loc[2], loc[3]
                if first != rows_seen:
                    fail(f"{case}.{spec['name']} rg{rg_i} page {p_i}: first_row {first}")
                c = Compact(data, off)
                ph = c.struct()
                if ph[1] != 0 or (c.pos - off) + ph[3] != size:
                    fail(f"{case}.{spec['name']} rg{rg_i} page {p_i}: bad page at {off}")
                rows_seen += ph[5][1]
            if rows_seen != n:
                fail(f"{case}.{spec['name']} rg{rg_i}: pages hold {rows_seen} rows, want {n}")
            if pages[0][1] != cmd[9]:
                fail(f"{case}.{spec['name']} rg{rg_i}: data_page_offset mismatch")
            if 6 in chunk:
                cidx = Compact(data, chunk[6]).struct()
                if len(cidx[1]) != len(pages) or sum(cidx[5]) != sum(
                        v is None for v in cols[ci][start:start + n]):
                    fail(f"{case}.{spec['name']} rg{rg_i}: column index disagrees")
                if cidx[4] not in (0, 1, 2):
                    fail("boundary order")
                if spec["name"] == "event_time" and cidx[4] != 1:
                    fail(f"{case}: event_time pages not ASCENDING ({cidx[4]})")
        start += n
    for name, locs in meta["locations"].items():
        ci = [c["name"] for c in meta["columns"]].index(name)
        for i, (loc, want) in enumerate(zip(locs, cols[ci])):
            if (loc is None) != (want is None):
                fail(f"{case}.{name}[{i}]: location {loc} for value {want is None}")
            elif loc is not None and data[loc[0]:loc[0] + loc[1]] != want:
                fail(f"{case}.{name}[{i}]: bytes at {loc} differ")


def check_duckdb(path, case, meta, cols):
    con = duckdb.connect()
    rel = con.execute(f"SELECT * FROM read_parquet('{path}')")
    names = [d[0] for d in rel.description]
    rows = rel.fetchall()
    got = {n: [r[i] for r in rows] for i, n in enumerate(names)}
    for spec in meta["columns"]:
        if spec["type"] == "timestamp_ms" and spec["name"] in got:
            got[spec["name"]] = [None if v is None else norm(v, "timestamp_ms")
                                 for v in got[spec["name"]]]
    compare("duckdb", case, meta, cols, got)
    types = dict(con.execute(f"SELECT name, type FROM parquet_schema('{path}')").fetchall())
    if types.get("event_time") not in ("INT64",):
        fail(f"duckdb {case}: event_time physical {types.get('event_time')}")
    schema = dict(con.execute(f"DESCRIBE SELECT * FROM read_parquet('{path}')").fetchall()[i][:2]
                  for i in range(len(meta["columns"])))
    if not str(schema.get("event_time", "")).startswith("TIMESTAMP WITH TIME ZONE"):
        fail(f"duckdb {case}: event_time is {schema.get('event_time')}")
    # Statistics as DuckDB sees them (it uses them for pruning).
    stats = con.execute(
        f"SELECT row_group_id, path_in_schema, stats_null_count, stats_min_value, stats_max_value"
        f" FROM parquet_metadata('{path}')").fetchall()
    if len(stats) != len(meta["columns"]) * len(meta["row_groups"]):
        fail(f"duckdb {case}: parquet_metadata rows {len(stats)}")
    check_duckdb_bloom(con, path, case, meta, cols)
    # A filter that prunes by statistics still returns the right count.
    t_col = cols[[c["name"] for c in meta["columns"]].index("event_time")]
    mid = sorted(t_col)[len(t_col) // 2]
    n = con.execute(f"SELECT count(*) FROM read_parquet('{path}') WHERE epoch_ms(event_time) >= {mid}"
                    ).fetchone()[0]
    if n != sum(v >= mid for v in t_col):
        fail(f"duckdb {case}: filtered count {n}")


def check_duckdb_bloom(con, path, case, meta, cols):
    """DuckDB reads our split-block bloom filters: a present value is never excluded; an
    absent one is excluded from (nearly) every row group."""
    names = [c["name"] for c in meta["columns"]]
    for col, absent in (("device", "'no-such/device'"), ("seq", "1234567")):
        vals = cols[names.index(col)]
        start, excluded_absent = 0, 0
        probe = dict(con.execute(
            f"SELECT row_group_id, bloom_filter_excludes FROM "
            f"parquet_bloom_probe('{path}', '{col}', {absent})").fetchall())
        for rg, n in enumerate(meta["row_groups"]):
            present = [v for v in vals[start:start + n] if v is not None]
            excluded_absent += bool(probe.get(rg))
            if present:
                lit = f"'{present[0]}'" if col == "device" else str(present[0])
                hit = dict(con.execute(
                    f"SELECT row_group_id, bloom_filter_excludes FROM "
                    f"parquet_bloom_probe('{path}', '{col}', {lit})").fetchall())
                if hit.get(rg):
                    fail(f"duckdb {case}.{col} rg{rg}: bloom filter excludes present {lit}")
            start += n
        if excluded_absent < len(meta["row_groups"]) - 1:
            fail(f"duckdb {case}.{col}: absent value excluded from only {excluded_absent} of "
                 f"{len(meta['row_groups'])} row groups (bloom filter unused?)")


def check_polars(path, case, meta, cols):
    df = pl.read_parquet(path)
    got = {}
    for spec in meta["columns"]:
        s = df[spec["name"]]
        if spec["type"] == "timestamp_ms":
            if "UTC" not in str(s.dtype):
                fail(f"polars {case}: event_time dtype {s.dtype}")
            got[spec["name"]] = s.dt.epoch("ms").to_list()
        else:
            got[spec["name"]] = s.to_list()
    compare("polars", case, meta, cols, got)
    lf = pl.scan_parquet(path).filter(pl.col("seq") > 0).select(pl.len()).collect()
    seq = cols[[c["name"] for c in meta["columns"]].index("seq")]
    if lf.item() != sum(v is not None and v > 0 for v in seq):
        fail(f"polars {case}: filtered count {lf.item()}")


def check_fastparquet(path, case, meta, cols):
    import pandas as pd
    pf = fastparquet.ParquetFile(path)
    df = pf.to_pandas()
    got = {}
    for name in df.columns:  # pandas.NA / NaT -> None, keeping NaN doubles as NaN
        if str(df[name].dtype) != "float64":
            df[name] = df[name].astype(object).where(df[name].notna(), None)
    for spec in meta["columns"]:
        s = df[spec["name"]]
        if spec["type"] == "timestamp_ms":
            got[spec["name"]] = [None if v is None or v != v else norm(v, "timestamp_ms")
                                 for v in s.tolist()]
        elif spec["type"] in ("int64", "double", "bool"):
            # pandas nullable / float-with-NaN representations
            vals = []
            for v in s.astype(object).tolist():
                if v is None or (spec["type"] != "double" and v != v):
                    vals.append(None)
                elif spec["type"] == "double" and v != v:
                    vals.append(float("nan"))
                else:
                    vals.append(v)
            got[spec["name"]] = vals
        else:
            got[spec["name"]] = [None if v is None or (isinstance(v, float) and v != v) else v
                                 for v in s.tolist()]
    # fastparquet (pandas) cannot tell a NaN double from a null one.
    for ci, spec in enumerate(meta["columns"]):
        if spec["type"] == "double":
            got[spec["name"]] = [None if (w is None and g is not None and g != g) else g
                                 for g, w in zip(got[spec["name"]], cols[ci])]
    compare("fastparquet", case, meta, cols, got)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--gen", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", default="1")
    ap.add_argument("--keep", action="store_true")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    subprocess.run([args.gen, args.out, args.seed], check=True)
    print(f"pyarrow {pa.__version__}, duckdb {duckdb.__version__}, polars {pl.__version__}, "
          f"fastparquet {fastparquet.__version__}")
    for fn in sorted(os.listdir(args.out)):
        if not fn.endswith(".parquet"):
            continue
        case = fn[:-8]
        path = os.path.join(args.out, fn)
        meta = json.load(open(os.path.join(args.out, case + ".json")))
        cols = expected(meta)
        for name, fn_check in [("pyarrow", check_pyarrow), ("duckdb", check_duckdb),
                               ("polars", check_polars), ("fastparquet", check_fastparquet),
                               ("page-index", check_page_index_and_locations)]:
            before = len(FAILURES)
            try:
                fn_check(path, case, meta, cols)
            except Exception as e:  # a reader refusing the file is a failure, not a crash
                fail(f"{name} {case}: {type(e).__name__}: {e}")
            print(f"  {case:20s} {name:12s} {'ok' if len(FAILURES) == before else 'FAILED'}")
    if FAILURES:
        print(f"{len(FAILURES)} failures")
        return 1
    print("all readers agree")
    return 0


if __name__ == "__main__":
    sys.exit(main())
