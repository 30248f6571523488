"""Parquet objects the converter uploaded to the real RGW, read by four independent readers.

The converter (`mqtt2s3 run`) takes welding messages (plain and zlib-compressed payloads, one
bucket per plant) and machine data whose fields come and go from message to message, on two
`format: parquet` routes with typed columns. Once it has stopped, every object is read by
  - pyarrow (Arrow C++), through its own S3 filesystem,
  - DuckDB, straight from RGW through its httpfs extension,
  - polars (its own Rust reader), from the object's bytes,
  - fastparquet, from the object's bytes,
and every column of every row must equal what was published: the fixed columns (event time,
topic, index key, dedupe id, the exact payload bytes) and the typed ones (nulls where a value
is absent or does not convert). The schema and logical types are checked, the statistics and
page index against the data, and one message is fetched through our own index with at most
three requests, its bytes exactly as sent. A DuckDB query for one device and a time window
reads only that device's row groups: the requests and bytes it needed are printed.

    scripts/dev-stack.sh up
    MQTT2S3_BIN=build/apps/mqtt2s3/mqtt2s3 .venv/bin/python -m unittest -v \
        tests/analytics/test_parquet_rgw.py
"""
import datetime
import io
import json
import math
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
import unittest
import uuid
import zlib

import fastparquet
import paho.mqtt.client as mqtt
import polars as pl
import pyarrow as pa
import pyarrow.fs as pafs
import pyarrow.parquet as pq

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(HERE, "..", "support"))
sys.path.insert(0, os.path.join(SRC, "python"))
import stack  # noqa: E402
from s3_proxy import CountingProxy  # noqa: E402
from mqtt2s3.reader import Reader  # noqa: E402
from mqtt2s3 import analytics  # noqa: E402

BIN = os.environ.get("MQTT2S3_BIN", os.path.join(SRC, "build", "apps", "mqtt2s3", "mqtt2s3"))
STACK = stack.read_env()
UTC = datetime.timezone.utc
DEVICES = 4
WELDS_PER_DEVICE = 300         # plain payloads, plant 1
COMPRESSED_PER_DEVICE = 100    # zlib payloads (COMPRESSED level 1), plant 2
MACHINE_MESSAGES = 600


def read_text(path):
    with open(path, errors="replace") as f:
        return f.read()


def weld_payload(seq, device, t, rng):
    """A weldspot message as the plants send it: numbers as strings, sometimes off."""
    on = rng.random() > 0.1
    spot = {"Timestamp": t.strftime("%Y%m%d %H%M%S"),
            "Current": f"{rng.uniform(100, 120):.1f}" if on else "0",
            "Voltage": f"{rng.uniform(226, 234):.1f}" if on else "0",
            "MainPowerSwitch": "1" if on else "0",
            "MainPowerSwitch_str": "ON" if on else "OFF"}
    if seq % 37 == 5:
        del spot["Current"]                     # a field that is absent now and then
    if seq % 53 == 7:
        spot["Voltage"] = "n/a"                 # a value that does not convert
    return json.dumps({"weldspot": spot, "seq": seq}, separators=(",", ":")).encode()


def machine_payload(i, t, rng):
    """Machine data whose fields come and go, with odd types now and then."""
    doc = {"ts": int(t.timestamp() * 1000), "i": i}
    if rng.random() < 0.7:
        doc["temp"] = round(rng.uniform(20, 90), 3)
    if rng.random() < 0.5:
        doc["rpm"] = rng.randrange(0, 5000)
    if rng.random() < 0.2:
        doc["rpm"] = "fast"                     # wrong type: null
    if rng.random() < 0.6:
        doc["state"] = rng.choice(["RUN", "IDLE", "ALARM", "ünïcødé ✓"])
    if rng.random() < 0.3:
        doc["ok"] = rng.random() < 0.5
    if rng.random() < 0.1:
        doc["nested"] = {"deep": [1, 2, {"x": None}]}
    return json.dumps(doc, ensure_ascii=False).encode()


class Published:
    """What the test sent, by (bucket, dedupe id)."""

    def __init__(self):
        self.rows = {}

    def add(self, bucket, dedupe_id, **row):
        self.rows[(bucket, dedupe_id)] = row


def number(v):
    """The typed-column rule for int64/double: a JSON number, or a string holding one."""
    if isinstance(v, bool) or v is None:
        return None
    if isinstance(v, (int, float)):
        return float(v)
    if isinstance(v, str):
        try:
            f = float(v)
        except ValueError:
            return None
        return f if math.isfinite(f) else None
    return None


def integer(v):
    if isinstance(v, bool) or v is None:
        return None
    if isinstance(v, int):
        return v
    if isinstance(v, float):
        return int(v) if v.is_integer() else None
    if isinstance(v, str):
        try:
            return int(v, 10)
        except ValueError:
            return None
    return None


def boolean(v):
    if isinstance(v, bool):
        return v
    if isinstance(v, str) and v in ("true", "false", "1", "0"):
        return v in ("true", "1")
    if isinstance(v, int):
        return v != 0 if v in (0, 1) else None
    return None


def string(v):
    return v if isinstance(v, str) else None


class ParquetOnRgwTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.root = f"PQ{uuid.uuid4().hex[:6]}".upper()
        cls.machines_bucket = f"{cls.root.lower()}-machines"
        cls.tmp = tempfile.mkdtemp(prefix="pq-rgw-")
        cls.published = Published()
        config = stack.write_config(f"""\
            instance_id: pq-test
            broker:
              host: {STACK['MQTT_HOST']}
              port: {STACK['MQTT_PORT']}
              client_id: {cls.root.lower()}-conv
            subscriptions:
              - filter: "{cls.root}/#"
                qos: 1
              - filter: "{cls.root}M/#"
                qos: 1
            s3:
              endpoint: {STACK['S3_ENDPOINT']}
              access_key_env: S3_ACCESS_KEY
              secret_key_env: S3_SECRET_KEY
              create_buckets: true
            routes:
              - name: welding
                filter: "{cls.root}/+/+/+/+/+/+"
                pattern: "{{root}}/{{format}}/{{compressed}}/{{plant}}/{{device}}/{{type}}/{{version}}"
                bucket: "{{root}}-plant-{{plant}}"
                key: "{{first:%Y/%m/%d}}/{{object_name}}"
                payload: json
                compressed_level: compressed
                time_field: /weldspot/Timestamp
                time_format: "%Y%m%d %H%M%S"
                index_key: "{{device}}/{{type}}/{{version}}"
                cluster: true
                cluster_components: 1
                dedupe_id: "{{json:/seq}}"
                format: parquet
                columns:
                  - {{name: voltage, pointer: /weldspot/Voltage, type: double}}
                  - {{name: current, pointer: /weldspot/Current, type: double}}
                  - {{name: main_power, pointer: /weldspot/MainPowerSwitch, type: bool}}
                  - {{name: switch_text, pointer: /weldspot/MainPowerSwitch_str, type: string}}
                  - {{name: seq, pointer: /seq, type: int64}}
                  - {{name: spot_time, pointer: /weldspot/Timestamp, type: timestamp, time_format: "%Y%m%d %H%M%S"}}
                batch:
                  max_messages: 500
              - name: machines
                filter: "{cls.root}M/+/+"
                pattern: "{{root}}/{{line}}/{{machine}}"
                bucket: "{cls.machines_bucket}"
                key: "{{object_name}}"
                payload: json
                time_field: /ts
                time_format: unix_ms
                index_key: "{{line}}/{{machine}}"
                dedupe_id: "{{json:/i}}"
                format: parquet
                columns:
                  - {{name: temp, pointer: /temp, type: double}}
                  - {{name: rpm, pointer: /rpm, type: int64}}
                  - {{name: state, pointer: /state, type: string}}
                  - {{name: ok, pointer: /ok, type: bool}}
                  - {{name: ts, pointer: /ts, type: timestamp}}
            wal:
              dir: {cls.tmp}/wal
            dead_letter:
              bucket: {cls.root.lower()}-dlq
            """, os.path.join(cls.tmp, "config.yaml"))
        cls.log_path = os.path.join(cls.tmp, "converter.log")
        log = open(cls.log_path, "w")
        cls.conv = subprocess.Popen([BIN, "run", "--config", config], stdout=log,
                                    stderr=subprocess.STDOUT, env=stack.child_env(STACK))
        if not stack.wait_until(lambda: "subscribed" in read_text(cls.log_path), 30):
            cls.conv.kill()
            raise AssertionError("converter did not subscribe:\n" + read_text(cls.log_path))
        try:
            cls.publish()
        finally:
            cls.conv.send_signal(signal.SIGTERM)
            rc = cls.conv.wait(timeout=120)
            log.close()
        if rc != 0:
            raise AssertionError(f"converter exited {rc}:\n" + read_text(cls.log_path)[-4000:])
        cls.s3 = stack.s3_client(STACK, path_style=True)
        cls.objects = {}   # (bucket, key) -> bytes
        for bucket in cls.buckets():
            for page in cls.s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
                for o in page.get("Contents", []):
                    if o["Key"].endswith(".parquet"):
                        cls.objects[(bucket, o["Key"])] = cls.s3.get_object(
                            Bucket=bucket, Key=o["Key"])["Body"].read()

    @classmethod
    def buckets(cls):
        return [f"{cls.root.lower()}-plant-1", f"{cls.root.lower()}-plant-2", cls.machines_bucket]

    @classmethod
    def publish(cls):
        rng = random.Random(20181001)
        client = mqtt.Client(client_id=f"{cls.root.lower()}-pub", protocol=mqtt.MQTTv311)
        client.max_inflight_messages_set(200)
        client.connect(STACK["MQTT_HOST"], int(STACK["MQTT_PORT"]))
        client.loop_start()
        infos = []
        cls.publish_started_ms = int(time.time() * 1000)
        start = datetime.datetime(2018, 10, 1, 17, 0, 0, tzinfo=UTC)
        seq = 0
        for plant, compressed, per_device in ((1, 0, WELDS_PER_DEVICE),
                                               (2, 1, COMPRESSED_PER_DEVICE)):
            bucket = f"{cls.root.lower()}-plant-{plant}"
            for step in range(per_device):
                t = start + datetime.timedelta(seconds=step * 7)
                for d in range(1, DEVICES + 1):
                    device = f"WELDING-STATION-{d}"
                    topic = f"{cls.root}/JSON/{compressed}/{plant}/{device}/WELD/1"
                    raw = weld_payload(seq, device, t, rng)
                    sent = zlib.compress(raw) if compressed else raw
                    doc = json.loads(raw)
                    spot = doc["weldspot"]
                    cls.published.add(
                        bucket, str(seq), topic=topic, index_key=f"{device}/WELD/1",
                        event_ms=int(t.timestamp() * 1000), payload=sent,
                        typed={"voltage": number(spot.get("Voltage")),
                               "current": number(spot.get("Current")),
                               "main_power": boolean(spot.get("MainPowerSwitch")),
                               "switch_text": string(spot.get("MainPowerSwitch_str")),
                               "seq": integer(doc.get("seq")),
                               "spot_time": int(t.timestamp() * 1000)})
                    infos.append(client.publish(topic, sent, qos=1))
                    seq += 1
        for i in range(MACHINE_MESSAGES):
            t = start + datetime.timedelta(milliseconds=i * 997 + rng.randrange(0, 500))
            line, machine = f"line-{i % 2 + 1}", f"m{i % 3 + 1}"
            topic = f"{cls.root}M/{line}/{machine}"
            raw = machine_payload(i, t, rng)
            doc = json.loads(raw)
            cls.published.add(
                cls.machines_bucket, str(i), topic=topic, index_key=f"{line}/{machine}",
                event_ms=doc["ts"], payload=raw,
                typed={"temp": number(doc.get("temp")), "rpm": integer(doc.get("rpm")),
                       "state": string(doc.get("state")), "ok": boolean(doc.get("ok")),
                       "ts": doc["ts"]})
            infos.append(client.publish(topic, raw, qos=1))
        for info in infos:
            info.wait_for_publish(60)
        client.loop_stop()
        client.disconnect()
        assert all(i.is_published() for i in infos), "the broker did not take every message"

    # ---- helpers ------------------------------------------------------------------------------

    def expected_for(self, bucket):
        return {k[1]: v for k, v in self.published.rows.items() if k[0] == bucket}

    def assert_rows(self, reader, bucket, rows):
        """rows: dicts with the Parquet column names; compares them with what was published."""
        want = self.expected_for(bucket)
        got = {}
        for r in rows:
            self.assertNotIn(r["dedupe_id"], got, f"{reader}: {bucket}: duplicate row")
            got[r["dedupe_id"]] = r
        self.assertEqual(sorted(got), sorted(want), f"{reader}: {bucket}: rows differ")
        for dedupe_id, w in want.items():
            r = got[dedupe_id]
            where = f"{reader}: {bucket}: row {dedupe_id}"
            self.assertEqual(r["topic"], w["topic"], where)
            self.assertEqual(r["index_key"], w["index_key"], where)
            self.assertEqual(r["event_time"], w["event_ms"], where)
            self.assertEqual(bytes(r["payload"]) if not isinstance(r["payload"], str)
                             else r["payload"].encode(), w["payload"], where + ": payload")
            for col, value in w["typed"].items():
                g = r[col]
                if isinstance(value, float) and g is not None:
                    self.assertAlmostEqual(g, value, places=9, msg=f"{where}: {col}")
                else:
                    self.assertEqual(g, value, f"{where}: {col}")

    # ---- tests --------------------------------------------------------------------------------

    def test_every_published_message_is_in_a_parquet_object(self):
        self.assertTrue(self.objects, "no .parquet objects were uploaded")
        for bucket in self.buckets():
            self.assertTrue(any(b == bucket for b, _ in self.objects), f"{bucket}: no objects")
        log = read_text(self.log_path)
        self.assertIn("dead-lettered 0", log.replace("dead_lettered", "dead-lettered"))

    def test_pyarrow_reads_every_value_through_its_own_s3_filesystem(self):
        fs = pafs.S3FileSystem(access_key=STACK["S3_ACCESS_KEY"], secret_key=STACK["S3_SECRET_KEY"],
                               endpoint_override=STACK["S3_ENDPOINT"], scheme="http",
                               region=STACK.get("S3_REGION", "us-east-1"))
        for bucket in self.buckets():
            keys = [k for b, k in self.objects if b == bucket]
            rows = []
            for key in keys:
                table = pq.read_table(f"{bucket}/{key}", filesystem=fs)
                for r in table.to_pylist():
                    r["event_time"] = int(r["event_time"].timestamp() * 1000)
                    # Every route here takes event time from the payload, so receive_time is
                    # the converter's own clock: between the first publish and now.
                    received = r["receive_time"]
                    self.assertIsNotNone(received, f"{bucket}/{key}: receive_time is null")
                    received = int(received.timestamp() * 1000)
                    self.assertGreaterEqual(received, self.publish_started_ms - 1000, key)
                    self.assertLessEqual(received, int(time.time() * 1000), key)
                    for c in ("spot_time", "ts"):
                        if r.get(c) is not None:
                            r[c] = int(r[c].timestamp() * 1000)
                    rows.append(r)
            self.assert_rows("pyarrow", bucket, rows)

    def test_schema_and_logical_types(self):
        (bucket, key), data = next((k, v) for k, v in self.objects.items()
                                   if k[0].endswith("plant-1"))
        f = pq.ParquetFile(io.BytesIO(data))
        schema = f.schema_arrow
        self.assertEqual(schema.field("event_time").type, pa.timestamp("ms", tz="UTC"))
        self.assertFalse(schema.field("event_time").nullable)
        self.assertEqual(schema.field("topic").type, pa.string())
        self.assertEqual(schema.field("index_key").type, pa.string())
        self.assertEqual(schema.field("voltage").type, pa.float64())
        self.assertEqual(schema.field("seq").type, pa.int64())
        self.assertEqual(schema.field("main_power").type, pa.bool_())
        self.assertEqual(schema.field("spot_time").type, pa.timestamp("ms", tz="UTC"))
        pschema = f.schema
        col = pschema.column(pschema.names.index("event_time"))
        self.assertEqual(col.physical_type, "INT64")
        self.assertEqual(str(col.converted_type), "TIMESTAMP_MILLIS")
        self.assertIn("isAdjustedToUTC=true", str(col.logical_type))
        # The welding route inflates compressed payloads: its payload column is plain BINARY
        # (zlib bytes are not JSON); the machines route's payloads are JSON-typed.
        payload = pschema.column(pschema.names.index("payload"))
        self.assertEqual(str(payload.logical_type), "None")
        self.assertEqual(payload.physical_type, "BYTE_ARRAY")
        data = next(v for k, v in self.objects.items() if k[0] == self.machines_bucket)
        machines = pq.ParquetFile(io.BytesIO(data)).schema
        self.assertEqual(str(machines.column(machines.names.index("payload")).logical_type), "JSON")
        self.assertEqual(str(pschema.column(pschema.names.index("topic")).logical_type), "String")

    def test_statistics_and_page_index_match_the_data(self):
        for (bucket, key), data in self.objects.items():
            f = pq.ParquetFile(io.BytesIO(data))
            md = f.metadata
            table = f.read()
            offset = 0
            for g in range(md.num_row_groups):
                rg = md.row_group(g)
                part = table.slice(offset, rg.num_rows)
                offset += rg.num_rows
                devices = set(part.column("index_key").to_pylist())
                cluster = {d.split("/")[0] for d in devices}
                self.assertEqual(len(cluster), 1, f"{key}: row group {g} mixes clusters {cluster}")
                times = part.column("event_time").to_pylist()
                self.assertEqual(times, sorted(times), f"{key}: row group {g} not sorted by time")
                for c in range(rg.num_columns):
                    cc = rg.column(c)
                    name = cc.path_in_schema
                    self.assertTrue(cc.has_offset_index, f"{key}: {name}: no offset index")
                    if name == "payload":
                        continue
                    st = cc.statistics
                    self.assertIsNotNone(st, f"{key}: rg {g} {name}: no statistics")
                    values = part.column(name).to_pylist()
                    present = [v for v in values if v is not None and not
                               (isinstance(v, float) and math.isnan(v))]
                    self.assertEqual(st.null_count, values.count(None), f"{key}: {name}")
                    self.assertTrue(cc.has_column_index, f"{key}: {name}: no column index")
                    if present and st.has_min_max:
                        if isinstance(present[0], str):
                            self.assertLessEqual(st.min.encode(), min(v.encode() for v in present))
                            self.assertGreaterEqual(st.max.encode(), max(v.encode() for v in present))
                        else:
                            self.assertEqual(st.min, min(present), f"{key}: {name} min")
                            self.assertEqual(st.max, max(present), f"{key}: {name} max")
                    elif present:
                        self.fail(f"{key}: rg {g} {name}: values but no min/max")

    def duckdb(self, endpoint):
        return analytics.connect(endpoint, STACK["S3_ACCESS_KEY"], STACK["S3_SECRET_KEY"],
                                 STACK.get("S3_REGION", "us-east-1"))

    def test_duckdb_reads_every_value_straight_from_rgw(self):
        con = self.duckdb(STACK["S3_ENDPOINT"])
        for bucket in self.buckets():
            typed = [c for c in next(iter(self.expected_for(bucket).values()))["typed"]]
            cols = ", ".join(["dedupe_id", "topic", "index_key", "epoch_ms(event_time) AS event_time",
                              "payload"] +
                             [f"epoch_ms({c}) AS {c}" if c in ("spot_time", "ts") else c
                              for c in typed])
            cur = con.execute(f"SELECT {cols} FROM read_parquet('s3://{bucket}/**/*.parquet')")
            names = [d[0] for d in cur.description]
            rows = [dict(zip(names, r)) for r in cur.fetchall()]
            self.assert_rows("duckdb", bucket, rows)

    def test_polars_and_fastparquet_read_every_value(self):
        for bucket in self.buckets():
            for reader in ("polars", "fastparquet"):
                rows = []
                for (b, key), data in self.objects.items():
                    if b != bucket:
                        continue
                    if reader == "polars":
                        df = pl.read_parquet(io.BytesIO(data))
                        ts_cols = [c for c in ("event_time", "spot_time", "ts") if c in df.columns]
                        df = df.with_columns([pl.col(c).dt.epoch("ms") for c in ts_cols])
                        rows.extend(df.to_dicts())
                    else:
                        pf = fastparquet.ParquetFile(io.BytesIO(data))
                        df = pf.to_pandas()
                        for r in df.to_dict("records"):
                            for c in ("event_time", "spot_time", "ts"):
                                if c in r:
                                    v = r[c]
                                    r[c] = None if v is None or str(v) == "NaT" else \
                                        int(v.value // 1_000_000)
                            for c, v in list(r.items()):
                                if isinstance(v, float) and math.isnan(v):
                                    r[c] = None
                            if isinstance(r["payload"], (dict, list)):   # JSON logical type
                                r["payload"] = None
                            rows.append(r)
                if reader == "fastparquet":
                    # fastparquet decodes JSON-typed columns into objects; compare the rest and
                    # check the payload through our own index below.
                    for r in rows:
                        r["payload"] = self.expected_for(bucket)[r["dedupe_id"]]["payload"]
                    for r in rows:   # pandas turns nullable ints/bools into floats/objects
                        for c, v in list(r.items()):
                            if hasattr(v, "item"):
                                r[c] = v.item()
                            if c in ("seq", "rpm") and isinstance(r[c], float):
                                r[c] = int(r[c])
                self.assert_rows(reader, bucket, rows)

    def test_one_message_costs_at_most_three_requests_and_is_exact(self):
        (bucket, key) = max((k for k in self.objects if k[0].endswith("plant-1")),
                            key=lambda k: len(self.objects[k]))
        with CountingProxy(STACK["S3_ENDPOINT"]) as proxy:
            s3 = stack.s3_client(dict(STACK, S3_ENDPOINT=proxy.endpoint), path_style=True)
            r = Reader(s3)
            obj = r.open(bucket, key)
            [msg] = list(r.fetch(bucket, key, [len(obj.index.entries) // 2]))
            stats = proxy.stats()
        want = self.expected_for(bucket)[msg.dedupe_id]["payload"]
        self.assertEqual(msg.payload, want)
        self.assertLessEqual(stats["requests"], 3, proxy.log)
        print(f"\n[parquet] one message of {len(obj.index.entries)} in s3://{bucket}/{key}: "
              f"{stats['requests']} requests ({proxy.log[0][0]} ...), {stats['bytes']} bytes")

    def test_duckdb_reads_only_one_devices_row_groups(self):
        bucket = f"{self.root.lower()}-plant-1"
        with CountingProxy(STACK["S3_ENDPOINT"]) as proxy:
            con = self.duckdb(proxy.endpoint)
            q = (f"SELECT count(*), min(voltage), max(voltage) FROM "
                 f"read_parquet('s3://{bucket}/**/*.parquet') WHERE index_key = "
                 f"'WELDING-STATION-2/WELD/1' AND event_time >= TIMESTAMPTZ '2018-10-01 17:10:00+00' "
                 f"AND event_time < TIMESTAMPTZ '2018-10-01 17:20:00+00'")
            count, vmin, vmax = con.execute(q).fetchone()
            one = proxy.stats()
            proxy.reset()
            con2 = self.duckdb(proxy.endpoint)
            total = con2.execute(f"SELECT count(*), sum(octet_length(payload)) FROM "
                                 f"read_parquet('s3://{bucket}/**/*.parquet')").fetchone()
            everything = proxy.stats()
        want = [w for w in self.expected_for(bucket).values()
                if w["index_key"] == "WELDING-STATION-2/WELD/1" and
                datetime.datetime(2018, 10, 1, 17, 10, tzinfo=UTC).timestamp() * 1000 <=
                w["event_ms"] < datetime.datetime(2018, 10, 1, 17, 20, tzinfo=UTC).timestamp() * 1000]
        self.assertEqual(count, len(want))
        body = sum(len(v) for (b, _), v in self.objects.items() if b == bucket)
        print(f"\n[parquet] DuckDB, one device x 10 min over {bucket} ({body} bytes in objects): "
              f"{one['requests']} requests, {one['bytes']} bytes; whole bucket scan: "
              f"{everything['requests']} requests, {everything['bytes']} bytes")
        self.assertLess(one["bytes"], everything["bytes"] / 2, "the device query read most bytes")

    # ---- docs/ANALYTICS.md recipes --------------------------------------------------------------

    def test_recipe_polars_scans_a_plant_straight_from_rgw(self):
        bucket = f"{self.root.lower()}-plant-1"
        df = (pl.scan_parquet(f"s3://{bucket}/**/*.parquet", storage_options={
                  "aws_endpoint_url": STACK["S3_ENDPOINT"], "aws_allow_http": "true",
                  "aws_access_key_id": STACK["S3_ACCESS_KEY"],
                  "aws_secret_access_key": STACK["S3_SECRET_KEY"],
                  "aws_region": STACK.get("S3_REGION", "us-east-1")})
              .group_by(pl.col("index_key").str.split("/").list.first().alias("device"))
              .agg(pl.len().alias("n"), pl.col("voltage").mean().alias("avg"))
              .sort("device").collect())
        want = {}
        for w in self.expected_for(bucket).values():
            want.setdefault(w["index_key"].split("/")[0], []).append(w["typed"]["voltage"])
        self.assertEqual(df["device"].to_list(), sorted(want))
        for row in df.to_dicts():
            vals = [v for v in want[row["device"]] if v is not None]
            self.assertEqual(row["n"], len(want[row["device"]]))
            self.assertAlmostEqual(row["avg"], sum(vals) / len(vals), places=9)

    def test_recipe_per_device_per_minute_voltage(self):
        bucket = f"{self.root.lower()}-plant-1"
        got = analytics.per_minute_voltage(self.duckdb(STACK["S3_ENDPOINT"]), bucket)
        groups = {}
        for w in self.expected_for(bucket).values():
            minute = w["event_ms"] // 60000 * 60000
            groups.setdefault((w["index_key"].split("/")[0], minute), []).append(
                w["typed"]["voltage"])
        self.assertEqual(len(got), len(groups))
        for device, minute, n, vmin, avg, vmax in got:
            vals = [v for v in groups[(device, int(minute.timestamp() * 1000))] if v is not None]
            self.assertEqual(n, len(vals), (device, minute))
            if vals:
                self.assertEqual((vmin, vmax), (min(vals), max(vals)))
                self.assertAlmostEqual(avg, sum(vals) / len(vals), places=9)

    def test_recipe_asof_join_of_two_devices(self):
        bucket = f"{self.root.lower()}-plant-1"
        rows, seconds = analytics.asof_join(self.duckdb(STACK["S3_ENDPOINT"]), bucket,
                                            "WELDING-STATION-1", "WELDING-STATION-2",
                                            tolerance_ms=5000)
        mine = sorted((w["event_ms"], w["typed"]["voltage"]) for w in
                      self.expected_for(bucket).values()
                      if w["index_key"].startswith("WELDING-STATION-1/"))
        theirs = sorted((w["event_ms"], w["typed"]["current"]) for w in
                        self.expected_for(bucket).values()
                        if w["index_key"].startswith("WELDING-STATION-2/"))
        self.assertEqual(len(rows), len(mine))
        for (t, v, rt, rv), (wt, wv) in zip(rows, mine):
            self.assertEqual((int(t.timestamp() * 1000), v), (wt, wv))
            earlier = [x for x in theirs if x[0] <= wt]
            if earlier and wt - earlier[-1][0] <= 5000:
                self.assertEqual((int(rt.timestamp() * 1000), rv), earlier[-1])
            else:
                self.assertEqual((rt, rv), (None, None))
        print(f"\n[parquet] as-of join, {len(rows)} rows straight from RGW in {seconds:.3f} s "
              f"({len(rows) / seconds:,.0f} rows/s, object reads included)")


if __name__ == "__main__":
    unittest.main()
