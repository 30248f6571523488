#!/usr/bin/python3
"""The client flow of docs/FORMAT.md §4, step by step, printing every request it makes.

Question: "the messages of device D between T1 and T2 in bucket B". Answer in four steps:

  1. LIST the prefix; keep the objects whose *names* say their event-time range meets
     [T1, T2) (mqtt2s3.names; no request per object);
  2. HEAD each kept object: the metadata holds the index inline, or names its companion
     index object, which is then one GET (size and SHA-256 checked, mqtt2s3.format);
  3. pick the entries of device D inside [T1, T2) from the index; coalesce their byte ranges;
  4. one ranged GET per coalesced range; slice the payloads out.

Only boto3 and the standard-library decoder mqtt2s3.format are used, so this is also what a
client in another language has to do. mqtt2s3.reader.Reader does the same with statistics.

    # against any bucket with mqtt2s3 objects
    python3 python/examples/client_flow.py --endpoint http://127.0.0.1:8000 \\
        --bucket plant --prefix plant/ --device line-1/robot-03 \\
        --from 2025-11-22T02:00:00Z --to 2025-11-22T02:00:01Z
    # self-contained: uploads the golden objects of src/format/testdata to a new bucket first
    python3 python/examples/client_flow.py --stack-env .dev-stack/stack.env --demo

Credentials: AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or S3_ACCESS_KEY/S3_SECRET_KEY, or the
dev stack's env file (--stack-env). Secrets are never printed.
"""

import argparse
import json
import os
import sys
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))

import boto3  # noqa: E402
from botocore.config import Config  # noqa: E402

from mqtt2s3 import format as fmt  # noqa: E402
from mqtt2s3.names import ObjectNameError, format_object_name, overlaps, parse_object_name  # noqa
from mqtt2s3.reader import iso_ms, parse_time  # noqa: E402

TESTDATA = os.path.join(HERE, "..", "..", "src", "format", "testdata")


class Client:
    """boto3 S3 calls that print themselves: method, key, Range header, bytes returned."""

    def __init__(self, s3):
        self.s3 = s3
        self.count = {"LIST": 0, "HEAD": 0, "GET": 0}
        self.bytes = 0

    def _log(self, method, key, rng, nbytes, note=""):
        self.count[method] += 1
        print(f"  -> {method:4} {key}  Range: {rng or '-'}  returned {nbytes} "
              f"{'keys' if method == 'LIST' else 'bytes'}{'  (' + note + ')' if note else ''}")

    def list(self, bucket, prefix):
        keys, token = [], None
        while True:
            kw = {"Bucket": bucket, "Prefix": prefix}
            if token:
                kw["ContinuationToken"] = token
            page = self.s3.list_objects_v2(**kw)
            got = [o["Key"] for o in page.get("Contents", [])]
            self._log("LIST", f"s3://{bucket}/{prefix}", "", len(got))
            keys += got
            if not page.get("IsTruncated"):
                return keys
            token = page["NextContinuationToken"]

    def head(self, bucket, key):
        h = self.s3.head_object(Bucket=bucket, Key=key)
        self._log("HEAD", key, "", 0, f"{len(h.get('Metadata', {}))} metadata fields")
        return h

    def get(self, bucket, key, rng=None, etag=None, note=""):
        kw = {"Bucket": bucket, "Key": key}
        if rng:
            kw["Range"] = rng
        if etag:
            kw["IfMatch"] = etag
        data = self.s3.get_object(**kw)["Body"].read()
        self.bytes += len(data)
        self._log("GET", key, rng, len(data), note)
        return data


def flow(c, bucket, prefix, device, t_from, t_to, max_gap):
    window = f"[{iso_ms(t_from) if t_from is not None else '-inf'}, " \
             f"{iso_ms(t_to) if t_to is not None else '+inf'})"
    print(f"Question: messages of device '{device}' in {window} in bucket '{bucket}'")
    print("Step 1: list, and choose objects by the event-time range in their names")
    chosen = []
    keys = c.list(bucket, prefix)
    for key in keys:
        try:
            name = parse_object_name(key)
        except ObjectNameError:
            continue  # foreign keys
        if key.endswith(".idx") and key[:-4] in keys:
            continue  # the companion index of a data object in this listing
        if overlaps(name, t_from, t_to):
            chosen.append(key)
        print(f"     {'take' if key in chosen else 'skip'} {key}")
    found = 0
    for key in chosen:
        print(f"Step 2: HEAD {key}, then its index")
        head = c.head(bucket, key)
        meta, etag = head["Metadata"], head.get("ETag")
        try:
            located = fmt.locate_index(meta, key)
        except fmt.FormatError as e:
            print(f"     not an mqtt2s3 object, skipped: {e}")
            continue
        if isinstance(located, fmt.IndexObjectRef):
            index = fmt.load_index_object(meta, c.get(bucket, located.key, note="index object"))
            print(f"     index: companion object {located.key}, {located.size} bytes, "
                  "SHA-256 verified")
        else:
            index = located
            print(f"     index: inline in the metadata ({index.info.index_size} bytes), "
                  "SHA-256 verified, 0 requests")
        info = index.info
        print(f"     {info.message_count} messages, {info.body_length} body bytes, "
              f"{len(index.groups)} groups")
        entries = [i for i, e in enumerate(index.entries) if e.index_key.startswith(device)
                   and (t_from is None or e.event_time_ms >= t_from)
                   and (t_to is None or e.event_time_ms < t_to)]
        ranges = index.coalesce_ranges(entries, max_gap + len(info.separator))
        print(f"Step 3: {len(entries)} entries of '{device}' in the window -> "
              f"{len(ranges)} coalesced byte range(s)")
        print("Step 4: ranged GETs")
        for start, length in ranges:
            part = c.get(bucket, key, fmt.http_range(start, length), etag, "body range")
            for i in entries:
                e = index.entries[i]
                if e.length and start <= e.offset and e.offset + e.length <= start + length:
                    payload = index.slice(start, part, e)
                    found += 1
                    print(f"     {iso_ms(e.event_time_ms)} {e.topic} [{e.dedupe_id}] "
                          f"{payload[:100].decode('utf-8', 'replace')}")
    n = c.count
    print(f"Done: {found} messages; requests: {n['LIST']} LIST, {n['HEAD']} HEAD, "
          f"{n['GET']} GET; {c.bytes} bytes downloaded")
    return found


def upload_demo(s3, bucket):
    """Golden objects of src/format/testdata under canonical names (index object first)."""
    s3.create_bucket(Bucket=bucket)
    for seq, name in enumerate(("example3", "companion", "plain")):
        with open(os.path.join(TESTDATA, name + ".meta.json")) as f:
            meta = json.load(f)
        key = "plant/" + format_object_name(int(meta["mqtt2s3-first-event-ms"]),
                                            int(meta["mqtt2s3-last-event-ms"]), "demo", seq,
                                            "jsonl")
        if meta["mqtt2s3-index-location"] == "object":
            with open(os.path.join(TESTDATA, name + ".idx"), "rb") as f:
                s3.put_object(Bucket=bucket, Key=key + ".idx", Body=f.read())
        with open(os.path.join(TESTDATA, name + ".body"), "rb") as f:
            s3.put_object(Bucket=bucket, Key=key, Body=f.read(), Metadata=meta)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--endpoint", default=os.environ.get("S3_ENDPOINT"))
    p.add_argument("--region", default="us-east-1")
    p.add_argument("--stack-env", help="dev stack env file: endpoint and keys")
    p.add_argument("--bucket")
    p.add_argument("--prefix", default="")
    p.add_argument("--device", default="", help="index key prefix, e.g. line-1/robot-03")
    p.add_argument("--from", dest="t_from", help="Unix ms or ISO 8601 UTC, inclusive")
    p.add_argument("--to", dest="t_to", help="Unix ms or ISO 8601 UTC, exclusive")
    p.add_argument("--max-gap", type=int, default=65536)
    p.add_argument("--demo", action="store_true",
                   help="upload the golden objects to a new bucket, ask about line-1/robot-03 "
                        "in the first second, then delete the bucket")
    a = p.parse_args()
    access = os.environ.get("AWS_ACCESS_KEY_ID") or os.environ.get("S3_ACCESS_KEY")
    secret = os.environ.get("AWS_SECRET_ACCESS_KEY") or os.environ.get("S3_SECRET_KEY")
    region = a.region
    if a.stack_env:
        with open(a.stack_env) as f:
            env = dict(line.strip().split("=", 1) for line in f if "=" in line)
        a.endpoint = a.endpoint or env["S3_ENDPOINT"]
        access, secret = env["S3_ACCESS_KEY"], env["S3_SECRET_KEY"]
        region = env.get("S3_REGION", region)
    s3 = boto3.client("s3", endpoint_url=a.endpoint, region_name=region,
                      aws_access_key_id=access, aws_secret_access_key=secret,
                      config=Config(s3={"addressing_style": "path"}))
    if a.demo:
        bucket = a.bucket or "m2s-demo-" + uuid.uuid4().hex[:8]
        upload_demo(s3, bucket)
        print(f"(uploaded the golden objects to bucket {bucket})")
        try:
            flow(Client(s3), bucket, "plant/", a.device or "line-1/robot-03",
                 parse_time(a.t_from) or 1763776800000, parse_time(a.t_to) or 1763776801000,
                 a.max_gap)
        finally:
            for o in s3.list_objects_v2(Bucket=bucket).get("Contents", []):
                s3.delete_object(Bucket=bucket, Key=o["Key"])
            s3.delete_bucket(Bucket=bucket)
        return 0
    if not a.bucket:
        p.error("--bucket is required (or --demo)")
    flow(Client(s3), a.bucket, a.prefix, a.device, parse_time(a.t_from), parse_time(a.t_to),
         a.max_gap)
    return 0


if __name__ == "__main__":
    sys.exit(main())
