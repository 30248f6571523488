"""Hand-made version-1 objects for the unit tests (docs/FORMAT.md): JSON Lines or a stand-in
Parquet body (length-prefixed payloads, as the payload column's PLAIN values), clustered by
the first index-key component, GRPS, optional companion index and group directory (in the
metadata, FORMAT.md 3.3, or in buckets of the companion index, 3.4).
"""

import base64
import hashlib
import struct
import zlib

from mqtt2s3.format import encode_directory_key, group_bucket_hash
from mqtt2s3.names import format_object_name


def build(messages, companion=True, directory=True, body_format="jsonl", sep=b"\n",
          directory_parts=1, buckets=None):
    """(body, metadata, index bytes). messages: (topic, index_key, time_ms, dedupe_id,
    payload bytes), in arrival order. ``buckets``: the directory goes into that many buckets
    of the companion index (GDIR as stored deflate blocks) instead of the metadata."""
    order = sorted(range(len(messages)), key=lambda i: messages[i][1].split("/")[0].encode())
    strings, ids = [], {}

    def sid(s):
        if s not in ids:
            ids[s] = len(strings)
            strings.append(s.encode("utf-8", "surrogateescape"))
        return ids[s]

    body = b"PAR1" if body_format == "parquet" else b""
    offs, lens, times, topics, keys, seqn, ddup_lens, ddup = [], [], [], [], [], [], [], b""
    groups = []  # [key, first_entry, count, offset, end, tmin, tmax]
    for n, i in enumerate(order):
        topic, key, ms, dedupe, payload = messages[i]
        cluster = key.split("/")[0]
        if body_format == "parquet":
            body += struct.pack("<I", len(payload))
        offs.append(len(body))
        lens.append(len(payload))
        body += payload
        if body_format != "parquet":
            body += sep
        if not groups or groups[-1][0] != cluster:
            groups.append([cluster, n, 0, offs[-1], 0, ms, ms])
        g = groups[-1]
        g[2] += 1
        g[4] = offs[-1] + len(payload)
        g[5], g[6] = min(g[5], ms), max(g[6], ms)
        times.append(ms)
        topics.append(sid(topic))
        keys.append(sid(key))
        seqn.append(i)
        ddup_lens.append(len(dedupe))
        ddup += dedupe.encode()
    if body_format == "parquet":
        body += b"PAR1"
    count = len(messages)
    gkeys = [sid(g[0]) for g in groups]
    strs = struct.pack(f"<I{len(strings)}I", len(strings), *map(len, strings)) + b"".join(strings)

    def section(tag, payload):
        return tag + struct.pack("<I", len(payload)) + payload

    grps = struct.pack("<I", len(groups)) + b"".join(
        struct.pack("<IIIQQ", k, g[1], g[2], g[3], g[4] - g[3]) for k, g in zip(gkeys, groups))
    raw = (b"M2SI" + struct.pack("<HHII", 1, 16, count, 0) + section(b"STRS", strs)
           + section(b"OFFS", struct.pack(f"<{count}Q", *offs))
           + section(b"LENS", struct.pack(f"<{count}I", *lens))
           + section(b"TIME", struct.pack(f"<{count}q", *times))
           + section(b"TOPC", struct.pack(f"<{count}I", *topics))
           + section(b"IKEY", struct.pack(f"<{count}I", *keys))
           + section(b"DDUP", struct.pack(f"<{count}I", *ddup_lens) + ddup)
           + section(b"SEQN", struct.pack(f"<{count}I", *seqn))
           + section(b"GRPS", grps))
    first = min(times)
    records = [f"{encode_directory_key(g[0].encode())}:{g[3]}:{g[4] - g[3]}:{g[2]}:"
               f"{g[5] - first}:{g[6] - first}" for g in groups]
    index = zlib.compress(raw, 1)
    if buckets:
        slots = [[] for _ in range(buckets)]
        for g, rec in zip(groups, records):
            slots[group_bucket_hash(g[0].encode()) % buckets].append(rec)
        texts = [",".join(r).encode() for r in slots]
        slot = max(1, max(map(len, texts)))
        gdir = b"".join(t.ljust(slot, b" ") for t in texts)
        raw += section(b"GDIR", gdir)
        c = zlib.compressobj(1)
        index = c.compress(raw[:-len(gdir)]) + c.flush(zlib.Z_SYNC_FLUSH)
        bucket_offset = len(index) + 5
        for b in range(buckets):
            index += (bytes([b + 1 == buckets]) + struct.pack("<HH", slot, slot ^ 0xFFFF)
                      + gdir[b * slot:(b + 1) * slot])
        index += struct.pack(">I", zlib.adler32(raw))
    meta = {"mqtt2s3-format": "1", "mqtt2s3-count": str(count),
            "mqtt2s3-first-event-ms": str(first), "mqtt2s3-last-event-ms": str(max(times)),
            "mqtt2s3-body-length": str(len(body)),
            "mqtt2s3-body-sha256": hashlib.sha256(body).hexdigest(),
            "mqtt2s3-separator": sep.hex() if sep and body_format != "parquet" else "none",
            "mqtt2s3-index-size": str(len(index)),
            "mqtt2s3-index-sha256": hashlib.sha256(index).hexdigest()}
    if body_format != "jsonl":
        meta["mqtt2s3-body-format"] = body_format
    if companion:
        meta.update({"mqtt2s3-index-location": "object", "mqtt2s3-index-suffix": ".idx"})
    else:
        meta.update({"mqtt2s3-index-location": "inline", "mqtt2s3-index-parts": "1",
                     "mqtt2s3-index-0": base64.b64encode(index).decode()})
    if buckets:
        meta["mqtt2s3-group-buckets"] = f"{bucket_offset}:{buckets}:{slot}:2f:1"
    elif directory:
        per = -(-len(records) // directory_parts)
        parts = [records[i:i + per] for i in range(0, len(records), per)]
        meta["mqtt2s3-groups-parts"] = str(len(parts))
        for p, recs in enumerate(parts):
            meta[f"mqtt2s3-groups-{p}"] = ",".join(recs)
    return body, meta, index


def put(s3, bucket, messages, seq, prefix="2018/10/01/17/", **kw):
    """Stores an object under its canonical name (companion index first); returns the key."""
    body, meta, index = build(messages, **kw)
    first = min(m[2] for m in messages)
    last = max(m[2] for m in messages)
    ext = "parquet" if kw.get("body_format") == "parquet" else "jsonl"
    key = prefix + format_object_name(first, last, "welding-1", seq, ext)
    if meta["mqtt2s3-index-location"] == "object":
        s3.put(bucket, key + ".idx", index)
    s3.put(bucket, key, body, meta)
    return key
