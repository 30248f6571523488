"""Query mqtt2s3's Parquet objects (routes with ``format: parquet``) with SQL, straight from S3.

DuckDB reads the objects through its httpfs extension; the project venv installs the extension
from PyPI (``duckdb-ext-httpfs``, matching DuckDB 1.4.4), because DuckDB's own extension server
is not reachable everywhere. docs/ANALYTICS.md has the recipes; each is a function here and is
run by tests/analytics/test_parquet_rgw.py against converter output on RGW.

    from mqtt2s3 import analytics
    con = analytics.connect("http://127.0.0.1:8000", access_key, secret_key)
    con.sql("SELECT count(*) FROM read_parquet('s3://company-x-plant-1-pq/2018/**/*.parquet')")

Command line:

    python -m mqtt2s3.analytics --endpoint URL [--access-key-env VAR --secret-key-env VAR] \
        "SELECT ..."                          # prints the result as a table
"""
import argparse
import importlib.util
import os
import sys
import time
from typing import Optional
from urllib.parse import urlsplit

import duckdb


def _extension_dir() -> Optional[str]:
    """Where the duckdb-ext-* PyPI packages put their extensions, if installed."""
    spec = importlib.util.find_spec("duckdb_ext")
    if spec is None or not spec.submodule_search_locations:
        return None
    return os.path.join(list(spec.submodule_search_locations)[0], "extensions")


def connect(endpoint: str, access_key: str, secret_key: str, region: str = "us-east-1",
            path_style: bool = True) -> "duckdb.DuckDBPyConnection":
    """An in-memory DuckDB connection that reads s3:// URLs from `endpoint` (RGW, MinIO, AWS).

    Raises RuntimeError naming what is missing when the httpfs extension cannot be loaded."""
    con = duckdb.connect()
    ext = _extension_dir()
    if ext:
        con.execute("SET extension_directory = ?", [ext])
    try:
        con.execute("LOAD httpfs")
    except duckdb.Error as e:
        raise RuntimeError(f"DuckDB cannot load its httpfs extension ({e}); install "
                           f"duckdb-ext-httpfs=={duckdb.__version__}.* (scripts/python-env.sh "
                           "does)") from None
    u = urlsplit(endpoint)
    if not u.scheme or not u.netloc:
        raise ValueError(f"endpoint {endpoint!r} is not a URL such as http://127.0.0.1:8000")
    # The keys go into DuckDB's secret manager only; nothing here prints or logs them.
    con.execute(f"CREATE SECRET mqtt2s3_s3 (TYPE s3, KEY_ID {_quote(access_key)}, "
                f"SECRET {_quote(secret_key)}, ENDPOINT {_quote(u.netloc)}, "
                f"URL_STYLE {_quote('path' if path_style else 'vhost')}, "
                f"USE_SSL {'true' if u.scheme == 'https' else 'false'}, REGION {_quote(region)})")
    return con


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def objects(bucket: str, prefix: str = "") -> str:
    """The read_parquet() argument for every Parquet object under s3://bucket/prefix."""
    return _quote(f"s3://{bucket}/{prefix}**/*.parquet")


def per_minute_voltage(con, bucket: str, prefix: str = "", column: str = "voltage"):
    """Recipe: per device and minute, count / min / avg / max of `column` (a typed column)
    over a plant's objects. Rows: (device, minute, n, min, avg, max), ordered."""
    return con.execute(f"""
        SELECT split_part(index_key, '/', 1) AS device,
               time_bucket(INTERVAL 1 MINUTE, event_time) AS minute,
               count({column}) AS n, min({column}) AS min, avg({column}) AS avg,
               max({column}) AS max
        FROM read_parquet({objects(bucket, prefix)})
        GROUP BY ALL ORDER BY device, minute""").fetchall()


def asof_join(con, bucket: str, left_device: str, right_device: str, prefix: str = "",
              left: str = "voltage", right: str = "current", tolerance_ms: int = 5000):
    """Recipe: for every sample of `left` on `left_device`, the nearest earlier-or-equal sample
    of `right` on `right_device` within `tolerance_ms` (else NULLs). Returns (rows, seconds):
    rows are (event_time, left value, right event_time, right value) by time."""
    src = f"read_parquet({objects(bucket, prefix)})"
    t0 = time.perf_counter()
    rows = con.execute(f"""
        WITH l AS (SELECT event_time, {left} AS v FROM {src}
                   WHERE split_part(index_key, '/', 1) = {_quote(left_device)}),
             r AS (SELECT event_time, {right} AS v FROM {src}
                   WHERE split_part(index_key, '/', 1) = {_quote(right_device)})
        SELECT l.event_time, l.v,
               CASE WHEN l.event_time - r.event_time <= INTERVAL {int(tolerance_ms)} MILLISECOND
                    THEN r.event_time END,
               CASE WHEN l.event_time - r.event_time <= INTERVAL {int(tolerance_ms)} MILLISECOND
                    THEN r.v END
        FROM l ASOF LEFT JOIN r ON l.event_time >= r.event_time
        ORDER BY l.event_time""").fetchall()
    return rows, time.perf_counter() - t0


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="SQL over mqtt2s3 Parquet objects in S3 (DuckDB)")
    ap.add_argument("--endpoint", required=True, help="S3 endpoint URL, e.g. http://127.0.0.1:8000")
    ap.add_argument("--region", default="us-east-1")
    ap.add_argument("--access-key-env", default="S3_ACCESS_KEY",
                    help="environment variable holding the access key")
    ap.add_argument("--secret-key-env", default="S3_SECRET_KEY",
                    help="environment variable holding the secret key")
    ap.add_argument("sql", help="the query; read_parquet('s3://bucket/prefix/**/*.parquet')")
    a = ap.parse_args(argv)
    missing = [v for v in (a.access_key_env, a.secret_key_env) if not os.environ.get(v)]
    if missing:
        print(f"analytics: environment variable(s) {', '.join(missing)} not set", file=sys.stderr)
        return 2
    try:
        con = connect(a.endpoint, os.environ[a.access_key_env], os.environ[a.secret_key_env],
                      a.region)
        con.sql(a.sql).show(max_width=120)
    except (duckdb.Error, RuntimeError, ValueError) as e:
        print(f"analytics: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
