"""S3 side of bench/e2e.py: wait until a subject's messages are durable, then verify them.

A subject writes into the buckets "<root>-plant-1..3" (lower-cased). Data objects carry
their message count in metadata: mqtt2s3-count (mqtt2s3) or count (python_baseline.py);
mqtt2s3's companion index objects (_index/...) are skipped.
"""
import os
import re
import time

import boto3
import botocore.config

SEQ_RE = re.compile(rb'"seq":(\d+)')


def client():
    return boto3.client(
        "s3", endpoint_url=os.environ["S3_ENDPOINT"],
        aws_access_key_id=os.environ["S3_ACCESS_KEY"],
        aws_secret_access_key=os.environ["S3_SECRET_KEY"],
        region_name=os.environ.get("S3_REGION", "us-east-1"),
        config=botocore.config.Config(s3={"addressing_style": "path"},
                                      retries={"max_attempts": 2},
                                      connect_timeout=5, read_timeout=60))


def _data_keys(s3, bucket):
    keys = []
    token = None
    for _ in range(10000):  # pages of 1,000 keys; bounded
        kw = {"Bucket": bucket, "MaxKeys": 1000}
        if token:
            kw["ContinuationToken"] = token
        try:
            page = s3.list_objects_v2(**kw)
        except s3.exceptions.NoSuchBucket:
            return []
        keys += [o["Key"] for o in page.get("Contents", [])
                 if not o["Key"].startswith("_index/") and not o["Key"].endswith(".idx")]
        if not page.get("IsTruncated"):
            return keys
        token = page["NextContinuationToken"]
    return keys


class DurableWaiter:
    """Polls the listing of `buckets` and HEADs each new object once, summing message counts.

    Lifecycle: one per subject run; poll() until done(). Not thread-safe.
    """

    def __init__(self, s3, buckets, expected):
        self.s3, self.buckets, self.expected = s3, buckets, expected
        self.seen = {}          # (bucket, key) -> count
        self.total = 0
        self.last_new = None    # monotonic time the last new object was seen

    def poll(self):
        for b in self.buckets:
            for k in _data_keys(self.s3, b):
                if (b, k) in self.seen:
                    continue
                meta = self.s3.head_object(Bucket=b, Key=k).get("Metadata", {})
                n = int(meta.get("mqtt2s3-count", meta.get("count", "0")))
                self.seen[(b, k)] = n
                self.total += n
                self.last_new = time.monotonic()
        return self.total

    def wait(self, publisher_done, deadline, idle_s=15.0, interval_s=0.25):
        """Returns (time all expected messages were seen or the last new object, complete)."""
        while time.monotonic() < deadline:
            if self.poll() >= self.expected:
                return self.last_new, True
            now = time.monotonic()
            ref = max(filter(None, [self.last_new, publisher_done()]), default=None)
            if publisher_done() and ref and now - ref > idle_s:
                return self.last_new, False
            time.sleep(interval_s)
        return self.last_new, False


def verify(s3, buckets, published):
    """Reads every data object: messages found, distinct seq values, duplicates, missing."""
    lines = 0
    seqs = set()
    objects = 0
    for b in buckets:
        for k in _data_keys(s3, b):
            body = s3.get_object(Bucket=b, Key=k)["Body"].read()
            objects += 1
            lines += body.count(b"\n")
            seqs.update(int(m) for m in SEQ_RE.findall(body))
    return {"objects": objects, "found": lines, "unique": len(seqs),
            "duplicates": lines - len(seqs), "missing": published - len(seqs)}


def delete_buckets(s3, buckets):
    """Deletes every object (index objects too) and the buckets; errors are ignored."""
    for b in buckets:
        try:
            for _ in range(10000):
                page = s3.list_objects_v2(Bucket=b, MaxKeys=1000)
                objs = [{"Key": o["Key"]} for o in page.get("Contents", [])]
                if not objs:
                    break
                s3.delete_objects(Bucket=b, Delete={"Objects": objs, "Quiet": True})
            s3.delete_bucket(Bucket=b)
        except Exception:  # cleanup is best effort; a leftover bucket costs only RAM
            pass
