"""Independent checks of the object format against the real Ceph RGW of the dev stack.

The golden objects of src/format/testdata/ (real output of the C++ writer) are uploaded the way
the uploader does it (companion index first, then the body with its metadata) under canonical
object names, then read back with tools that share no code with the converter: boto3 + the
standard library, s3cmd, json.loads, and mqtt2s3.reader (request counts asserted).

Environment: the dev stack's env file, $MQTT2S3_STACK_ENV or <source>/.dev-stack/stack.env
(MQTT2S3_SOURCE_DIR, else this checkout). Registered in CTest as python_reader_integration
(label integration). Run by hand:

    MQTT2S3_STACK_ENV=/tmp/stack/stack.env PYTHONPATH=python \\
        /usr/bin/python3 -m unittest -v test_reader_integration    # from python/tests
"""

import ast
import base64
import hashlib
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import unittest
import uuid
import zlib


HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.environ.get("MQTT2S3_SOURCE_DIR") or os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(SRC, "python"))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tests", "support"))
import stack  # noqa: E402  (tests/support/stack.py)
TESTDATA = os.path.join(SRC, "src", "format", "testdata")

from mqtt2s3 import format as fmt  # noqa: E402
from mqtt2s3 import reader as rd  # noqa: E402
from mqtt2s3.names import format_object_name, parse_object_name  # noqa: E402

GOLDEN = ("example3", "companion", "plain")
INSTANCE = "gw_1/py"  # needs escaping in the name: '_' and '/'


def read(name, mode="rb"):
    with open(os.path.join(TESTDATA, name), mode) as f:
        return f.read()


class ReaderIntegrationTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.env = stack.read_env(required=("S3_ENDPOINT", "S3_ACCESS_KEY", "S3_SECRET_KEY"))
        cls.s3 = stack.s3_client(cls.env, path_style=True)
        cls.bucket = "m2s-pyreader-" + uuid.uuid4().hex[:10]
        cls.s3.create_bucket(Bucket=cls.bucket)
        cls.keys, cls.meta, cls.expected = {}, {}, {}
        for seq, name in enumerate(GOLDEN):
            meta = json.loads(read(name + ".meta.json", "r"))
            key = "plant/2025/11/22/02/" + format_object_name(
                int(meta["mqtt2s3-first-event-ms"]), int(meta["mqtt2s3-last-event-ms"]),
                INSTANCE, seq, "jsonl")
            if meta["mqtt2s3-index-location"] == "object":  # FORMAT.md 3.2: index first
                cls.s3.put_object(Bucket=cls.bucket, Key=key + ".idx", Body=read(name + ".idx"),
                                  ContentType="application/octet-stream")
            cls.s3.put_object(Bucket=cls.bucket, Key=key, Body=read(name + ".body"),
                              Metadata=meta, ContentType="application/x-ndjson")
            cls.keys[name], cls.meta[name] = key, meta
            cls.expected[name] = json.loads(read(name + ".expected.json", "r"))
        # A batch named as if from 2018: listing by name must leave it out of a 2025 window.
        cls.old_key = "plant/2018/10/01/17/" + format_object_name(
            1538413200000, 1538414859000, INSTANCE, 99, "jsonl")
        cls.s3.put_object(Bucket=cls.bucket, Key=cls.old_key, Body=read("example3.body"),
                          Metadata=cls.meta["example3"])

    @classmethod
    def tearDownClass(cls):
        for page in cls.s3.get_paginator("list_objects_v2").paginate(Bucket=cls.bucket):
            for o in page.get("Contents", []):
                cls.s3.delete_object(Bucket=cls.bucket, Key=o["Key"])
        cls.s3.delete_bucket(Bucket=cls.bucket)

    # (a) ---------------------------------------------------------------------------------------

    def test_format_module_imports_only_the_standard_library(self):
        with open(fmt.__file__) as f:
            tree = ast.parse(f.read())
        modules = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                modules.update(a.name.split(".")[0] for a in node.names)
            elif isinstance(node, ast.ImportFrom):
                self.assertEqual(node.level, 0, "format.py must not import package siblings")
                modules.add(node.module.split(".")[0])
        self.assertTrue(modules)
        self.assertEqual(modules - set(sys.stdlib_module_names), set())
        # At run time too: importing format and names loads nothing new outside the stdlib
        # (site hooks such as sitecustomize load before and are not counted).
        code = ("import sys; before = set(sys.modules); import mqtt2s3.format, mqtt2s3.names; "
                "print(sorted(m for m in set(sys.modules) - before "
                "if m.split('.')[0] not in sys.stdlib_module_names))")
        p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           env=dict(os.environ, PYTHONPATH=os.path.join(SRC, "python")),
                           timeout=60)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(p.stdout.strip(), "['mqtt2s3', 'mqtt2s3.format', 'mqtt2s3.names']")

    def test_index_decodes_from_rgw_with_only_the_spec_stdlib_and_boto3(self):
        # Follows FORMAT.md by hand, without mqtt2s3 code: HEAD, index bytes, SHA-256, zlib,
        # header, then the OFFS/LENS columns locate every payload in a ranged GET.
        for name in ("example3", "companion"):
            with self.subTest(name):
                key = self.keys[name]
                m = self.s3.head_object(Bucket=self.bucket, Key=key)["Metadata"]
                self.assertEqual(m["mqtt2s3-format"], "1")
                if m["mqtt2s3-index-location"] == "inline":
                    text = "".join(m[f"mqtt2s3-index-{p}"]
                                   for p in range(int(m["mqtt2s3-index-parts"])))
                    data = base64.b64decode(text, validate=True)
                else:
                    idx_key = key + m["mqtt2s3-index-suffix"]
                    data = self.s3.get_object(Bucket=self.bucket, Key=idx_key)["Body"].read()
                self.assertEqual(len(data), int(m["mqtt2s3-index-size"]))
                self.assertEqual(hashlib.sha256(data).hexdigest(), m["mqtt2s3-index-sha256"])
                raw = zlib.decompress(data)
                magic, version, header_len, n, _ = struct.unpack_from("<4sHHII", raw, 0)
                self.assertEqual((magic, version, n), (b"M2SI", 1, int(m["mqtt2s3-count"])))
                sections, pos = {}, header_len
                while pos < len(raw):
                    tag, length = struct.unpack_from("<4sI", raw, pos)
                    sections[tag] = raw[pos + 8:pos + 8 + length]
                    pos += 8 + length
                offs = struct.unpack(f"<{n}Q", sections[b"OFFS"])
                lens = struct.unpack(f"<{n}I", sections[b"LENS"])
                last = n - 1
                got = self.s3.get_object(
                    Bucket=self.bucket, Key=key,
                    Range=f"bytes={offs[last]}-{offs[last] + lens[last] - 1}")["Body"].read()
                self.assertEqual(got, self.expected[name]["entries"][last]["payload"].encode())

    # (b) ---------------------------------------------------------------------------------------

    def test_s3cmd_lists_and_downloads_the_objects_byte_for_byte(self):
        s3cmd = shutil.which("s3cmd")
        self.assertIsNotNone(s3cmd, "s3cmd (Debian package s3cmd) is not installed")
        host = self.env["S3_ENDPOINT"].split("://", 1)[1].rstrip("/")
        with tempfile.TemporaryDirectory() as tmp:
            cfg = os.path.join(tmp, "s3cfg")
            with open(os.path.join(tmp, "s3cfg"), "w") as f:
                os.chmod(cfg, 0o600)
                f.write("[default]\n"
                        f"access_key = {self.env['S3_ACCESS_KEY']}\n"
                        f"secret_key = {self.env['S3_SECRET_KEY']}\n"
                        f"host_base = {host}\nhost_bucket = {host}\n"
                        f"bucket_location = {self.env.get('S3_REGION', 'us-east-1')}\n"
                        "use_https = False\nsignature_v2 = False\n")

            def run(*args):
                p = subprocess.run([s3cmd, "-c", cfg, *args], capture_output=True, text=True,
                                   timeout=60)
                self.assertEqual(p.returncode, 0, p.stderr[-2000:])
                return p.stdout

            listing = run("ls", "--recursive", f"s3://{self.bucket}/plant/2025/")
            for name in GOLDEN:
                self.assertIn(f"s3://{self.bucket}/{self.keys[name]}", listing)
            self.assertIn(f"s3://{self.bucket}/{self.keys['companion']}.idx", listing)
            for name in GOLDEN:
                with self.subTest(name):
                    dest = os.path.join(tmp, name + ".body")
                    run("get", "--force", f"s3://{self.bucket}/{self.keys[name]}", dest)
                    with open(dest, "rb") as f:
                        body = f.read()
                    self.assertEqual(body, read(name + ".body"))
                    self.assertEqual(hashlib.sha256(body).hexdigest(),
                                     self.meta[name]["mqtt2s3-body-sha256"])
            info = run("info", f"s3://{self.bucket}/{self.keys['example3']}")
            self.assertIn("x-amz-meta-mqtt2s3-index-location: inline", info)

    # (c) ---------------------------------------------------------------------------------------

    def test_json_lines_bodies_parse_line_by_line_with_json_loads(self):
        for name in ("example3", "companion"):  # separator "\n"; plain has none
            with self.subTest(name):
                body = self.s3.get_object(Bucket=self.bucket, Key=self.keys[name])["Body"].read()
                lines = body.decode("utf-8").splitlines()
                records = [json.loads(line) for line in lines]
                self.assertEqual(len(records), int(self.meta[name]["mqtt2s3-count"]))
                self.assertEqual([json.dumps(r, ensure_ascii=False) for r in records],
                                 [json.dumps(json.loads(e["payload"]), ensure_ascii=False)
                                  for e in self.expected[name]["entries"]])

    # (d) ---------------------------------------------------------------------------------------

    def test_one_message_costs_one_head_at_most_one_index_get_and_one_ranged_get(self):
        for name, index_gets in (("example3", 0), ("companion", 1), ("plain", 0)):
            with self.subTest(name):
                entries = self.expected[name]["entries"]
                i = len(entries) // 2
                requests = []
                r = rd.Reader(self.s3, on_request=requests.append)
                r.open(self.bucket, self.keys[name])
                msgs = r.fetch(self.bucket, self.keys[name], [i])
                self.assertEqual(len(msgs), 1)
                self.assertEqual(msgs[0].payload, entries[i]["payload"].encode())
                self.assertEqual(msgs[0].dedupe_id, entries[i]["dedupe_id"])
                self.assertEqual((r.stats.heads, r.stats.gets), (1, index_gets + 1))
                ranged = [q for q in requests if q.range]
                self.assertEqual(len(ranged), 1)
                self.assertEqual(ranged[0].bytes, entries[i]["length"])
                print(f"\n  {name}: " + "; ".join(f"{q.method} {q.range or q.what} "
                                                  f"{q.bytes}B" for q in requests),
                      file=sys.stderr)

    def test_one_cluster_is_one_ranged_get_and_stale_etags_are_refused(self):
        key = self.keys["companion"]
        r = rd.Reader(self.s3, max_gap=0)
        obj = r.open(self.bucket, key)
        msgs = r.fetch(self.bucket, key, r.select(obj.index, component="line-3"))
        want = [e["payload"].encode() for e in self.expected["companion"]["entries"]
                if e["index_key"].startswith("line-3/")]
        self.assertEqual([m.payload for m in msgs], want)
        self.assertEqual((r.stats.heads, r.stats.gets), (1, 2))
        obj.etag = '"0123456789abcdef0123456789abcdef"'  # as if the object had been replaced
        with self.assertRaises(rd.ReaderError) as cm:
            r.fetch(self.bucket, key, [0])
        self.assertIn("replaced", str(cm.exception))

    def test_whole_body_download_matches_its_sha256(self):
        r = rd.Reader(self.s3)
        self.assertEqual(r.read_body(self.bucket, self.keys["companion"]),
                         read("companion.body"))

    # (e) ---------------------------------------------------------------------------------------

    def test_time_range_listing_uses_object_names_only(self):
        r = rd.Reader(self.s3)
        everything = [o.key for o in r.list_objects(self.bucket, "plant/")]
        self.assertEqual(sorted(everything), sorted(list(self.keys.values()) + [self.old_key]))
        day = [o.key for o in r.list_objects(self.bucket, "plant/", time_from=1763769600000,
                                             time_to=1763856000000)]  # 2025-11-22 UTC
        self.assertEqual(sorted(day), sorted(self.keys.values()))
        # example3 ends at ...010 and plain at ...031: only companion reaches past them.
        late = r.list_objects(self.bucket, "plant/", time_from=1763776800032)
        self.assertEqual([o.key for o in late], [self.keys["companion"]])
        self.assertEqual(late[0].name, parse_object_name(self.keys["companion"]))
        self.assertEqual(late[0].name.instance, INSTANCE)
        old = r.list_objects(self.bucket, "plant/", time_to=1538413200001)
        self.assertEqual([o.key for o in old], [self.old_key])
        self.assertEqual((r.stats.heads, r.stats.gets), (0, 0))
        self.assertEqual(r.stats.lists, 4)

    def test_query_for_one_device_in_a_window_reads_only_matching_objects(self):
        r = rd.Reader(self.s3, dedupe=True)
        t_from, t_to = 1763776800032, 1763776801000
        msgs = list(r.query(self.bucket, "plant/2025/", key_prefix="line-1/robot-03",
                            time_from=t_from, time_to=t_to))
        want = [e for e in self.expected["companion"]["entries"]
                if e["index_key"] == "line-1/robot-03" and t_from <= e["event_time_ms"] < t_to]
        self.assertTrue(want)
        self.assertEqual([m.payload for m in msgs], [e["payload"].encode() for e in want])
        self.assertEqual((r.stats.lists, r.stats.heads, r.stats.gets), (1, 1, 2))

    def test_cli_get_prints_exact_payloads(self):
        env = stack.child_env(self.env, PYTHONPATH=os.path.join(SRC, "python"))
        env.pop("AWS_ACCESS_KEY_ID", None)
        env.pop("AWS_SECRET_ACCESS_KEY", None)
        p = subprocess.run([sys.executable, "-m", "mqtt2s3.reader", "get", "--endpoint",
                            self.env["S3_ENDPOINT"], "-b", self.bucket, "-k",
                            self.keys["example3"], "-p", "line-1/robot-02", "--payload-only"],
                           capture_output=True, env=env, timeout=60)
        self.assertEqual(p.returncode, 0, p.stderr)
        want = b"".join(e["payload"].encode() + b"\n" for e in self.expected["example3"]["entries"]
                        if e["index_key"] == "line-1/robot-02")
        self.assertEqual(p.stdout, want)
        self.assertIn(b"requests: 0 LIST, 1 HEAD, 1 GET", p.stderr)
        self.assertNotIn(self.env["S3_SECRET_KEY"].encode(), p.stderr)

    def test_demonstration_program_prints_each_request_and_finds_the_messages(self):
        env_file = stack.env_file_path()
        p = subprocess.run([sys.executable, os.path.join(SRC, "python", "examples",
                                                         "client_flow.py"),
                            "--stack-env", env_file, "--demo", "--device", "line-1/robot-03",
                            "--from", "1763776800000", "--to", "1763776801000"],
                           capture_output=True, text=True, timeout=120)
        self.assertEqual(p.returncode, 0, p.stderr[-2000:])
        want = sum(1 for e in self.expected["companion"]["entries"]
                   if e["index_key"] == "line-1/robot-03" and e["event_time_ms"] < 1763776801000)
        self.assertIn(f"Done: {want} messages; requests: 1 LIST, 3 HEAD, 2 GET", p.stdout)
        self.assertRegex(p.stdout, r"-> GET  \S+\.jsonl  Range: bytes=\d+-\d+  returned \d+ bytes")
        self.assertNotIn(self.env["S3_SECRET_KEY"], p.stdout + p.stderr)


if __name__ == "__main__":
    unittest.main()
