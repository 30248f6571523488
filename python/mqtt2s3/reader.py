"""Read mqtt2s3 objects from S3 with boto3: HEAD -> index -> ranged GETs (docs/FORMAT.md §4).

Example: all messages of device ``line-1/robot-03`` between two times in bucket ``plant``::

    import boto3
    from mqtt2s3.reader import Reader
    s3 = boto3.client("s3", endpoint_url="http://127.0.0.1:8000")
    r = Reader(s3, dedupe=True)
    for listed in r.list_objects("plant", prefix="line-1/", time_from=t1_ms, time_to=t2_ms):
        obj = r.open("plant", listed.key)                  # 1 HEAD (+1 GET if index not inline)
        entries = r.select(obj.index, key_prefix="line-1/robot-03",
                           time_from=t1_ms, time_to=t2_ms)
        for m in r.fetch("plant", listed.key, entries):    # 1 ranged GET per coalesced range
            print(m.event_time_ms, m.topic, m.payload)
    print(r.stats)                                         # heads, gets, bytes, lists

``list_objects`` uses key names only (mqtt2s3.names), never a HEAD. Request counts are in
``Reader.stats``; pass ``on_request`` to see every request.

Command line, with the flags and output of the C++ ``mqtt2s3 ls|inspect|get`` (credentials
from AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, else S3_ACCESS_KEY/S3_SECRET_KEY; no --config)::

    python3 -m mqtt2s3.reader ls --endpoint http://127.0.0.1:8000 -b BUCKET [-p PREFIX]
        [--from T] [--to T]
    python3 -m mqtt2s3.reader inspect --endpoint URL -b BUCKET -k KEY [--verify-body]
    python3 -m mqtt2s3.reader get --endpoint URL -b BUCKET -k KEY [-k KEY ...]
        [--index-key K | -p INDEX_KEY_PREFIX] [--device D [--device-component N]]
        [--from T] [--to T] [--payload-only] [--dedupe] [--max-gap BYTES] [-o FILE] [--trace]

Times: "2018-10-01 17:00", 2018-10-01T17:00:00Z, 2018-10-01T17:00:00.250Z, 2018-10-01 (UTC)
or Unix ms. Results go to stdout, request counts to stderr; exit 0 ok, 1 failure, 2 usage.
A Reader's request methods (``head``, ``open``, ``load_index``, ``fetch`` without dedupe,
``read_body``) may be called from several threads at once: statistics, ``on_request`` calls and
the opened-object cache are under a lock, and boto3 clients are thread-safe. The dedupe set of
``fetch(dedupe=True)`` depends on call order: for parallel reads use mqtt2s3.parallel, which
drops duplicates in object key order whatever order the requests complete in.
"""

import argparse
import bisect
import datetime
import os
import re
import sys
import threading
from dataclasses import dataclass
from typing import Callable, Dict, Iterator, List, Optional, Sequence, Tuple

from . import format as fmt
from .names import ObjectName, ObjectNameError, overlaps, parse_object_name

DEFAULT_MAX_GAP = 65536
INDEX_SUFFIXES = (".idx",)
INDEX_PREFIXES = ("_index/",)  # the converter's default format.index_prefix


@dataclass
class Stats:
    """Requests made so far; ``bytes`` counts GET response bodies (index and ranges)."""
    heads: int = 0
    gets: int = 0
    bytes: int = 0
    lists: int = 0


@dataclass
class Request:
    """One request, as reported to ``on_request``."""
    method: str          # "HEAD", "GET" or "LIST"
    key: str             # object key, or the prefix for LIST
    range: str = ""      # Range header sent, "" for none
    bytes: int = 0       # body bytes returned (GET), keys returned (LIST)
    what: str = ""       # "data object", "index object", "body range", "page"


@dataclass
class ListedObject:
    key: str
    size: int
    name: Optional[ObjectName]  # None when the key is not a canonical object name


@dataclass
class OpenedObject:
    bucket: str
    key: str
    etag: str
    metadata: Dict[str, str]
    index: fmt.Index
    index_from: str  # "inline" or the companion object's key

    @property
    def info(self) -> fmt.ObjectInfo:
        return self.index.info


@dataclass
class Message:
    object_key: str
    entry: int             # entry number in body order
    index_key: str
    topic: str
    event_time_ms: int
    dedupe_id: str
    payload: bytes
    arrival: int = 0       # position in arrival order within the object


class ReaderError(Exception):
    """S3 said no, or the object changed while it was being read."""


class Reader:
    """Reads mqtt2s3 objects through a boto3 S3 client.

    Keeps the objects it opened (so ``fetch`` after ``open`` needs no second HEAD), the dedupe
    ids it has returned when ``dedupe`` is on, and request statistics. Requests may run on
    several threads (stats, ``on_request`` and the cache are under one lock; ``on_request`` is
    never called concurrently); dedupe follows call order, see mqtt2s3.parallel.
    """

    def __init__(self, s3_client, max_gap: int = DEFAULT_MAX_GAP, dedupe: bool = False,
                 on_request: Optional[Callable[[Request], None]] = None,
                 max_index_bytes: int = 256 << 20):
        if max_gap < 0:
            raise ValueError("max_gap must be >= 0")
        self.s3 = s3_client
        self.max_gap = max_gap
        self.dedupe = dedupe
        self.on_request = on_request
        self.max_index_bytes = max_index_bytes
        self.stats = Stats()
        self._opened: Dict[Tuple[str, str], OpenedObject] = {}
        self._seen_ids: set = set()
        self._lock = threading.Lock()

    def _report(self, req: Request) -> None:
        with self._lock:
            self._count(req)
            if self.on_request:
                self.on_request(req)

    def _count(self, req: Request) -> None:
        if req.method == "HEAD":
            self.stats.heads += 1
        elif req.method == "GET":
            self.stats.gets += 1
            self.stats.bytes += req.bytes
        elif req.method == "LIST":
            self.stats.lists += 1

    # -- listing -------------------------------------------------------------------------------

    def list_objects(self, bucket: str, prefix: str = "", time_from: Optional[int] = None,
                     time_to: Optional[int] = None) -> List[ListedObject]:
        """Data objects under prefix, by key name only (no HEAD), in key order.

        With a time window [time_from, time_to) (Unix ms, None = open) only canonically named
        objects whose event-time range meets the window are returned; without one, every key
        except companion index objects (``<data key>.idx`` next to its data key, and every
        ``_index/...idx`` key: the converter's default index prefix).
        """
        listed: List[ListedObject] = []
        token = None
        while True:
            kwargs = {"Bucket": bucket, "Prefix": prefix}
            if token:
                kwargs["ContinuationToken"] = token
            page = self._call(self.s3.list_objects_v2, **kwargs)
            contents = page.get("Contents", [])
            self._report(Request("LIST", prefix, bytes=len(contents), what="page"))
            for o in contents:
                try:
                    name = parse_object_name(o["Key"])
                except ObjectNameError:
                    name = None
                listed.append(ListedObject(o["Key"], o.get("Size", 0), name))
            if not page.get("IsTruncated"):
                break
            token = page["NextContinuationToken"]
        keys = {o.key for o in listed}
        out = []
        for o in listed:
            if any(o.key.endswith(s) and (o.key[:-len(s)] in keys
                                          or o.key.startswith(INDEX_PREFIXES))
                   for s in INDEX_SUFFIXES):
                continue
            if time_from is None and time_to is None:
                out.append(o)
            elif o.name is not None and overlaps(o.name, time_from, time_to):
                out.append(o)
        return out

    # -- opening -------------------------------------------------------------------------------

    def open(self, bucket: str, key: str) -> OpenedObject:
        """HEAD the object and load its index: inline (0 more requests) or 1 GET of the
        companion index object, size and SHA-256 verified. A companion index that does not
        match is retried once after a fresh HEAD (the object may have been replaced)."""
        metadata, etag = self.head(bucket, key)
        try:
            return self.load_index(bucket, key, metadata, etag)
        except fmt.ChecksumMismatch:
            metadata, etag = self.head(bucket, key)
            return self.load_index(bucket, key, metadata, etag)

    def head(self, bucket: str, key: str) -> Tuple[Dict[str, str], str]:
        """One HEAD: (user metadata, ETag)."""
        head = self._call(self.s3.head_object, Bucket=bucket, Key=key)
        self._report(Request("HEAD", key, what="data object"))
        return head.get("Metadata", {}), head.get("ETag", "")

    def load_index(self, bucket: str, key: str, metadata: Dict[str, str],
                   etag: str) -> OpenedObject:
        """The object's index after a HEAD: from the metadata, or one GET of the companion
        index object (size and SHA-256 checked; ChecksumMismatch when it does not match)."""
        located = fmt.locate_index(metadata, key)
        if isinstance(located, fmt.Index):
            obj = OpenedObject(bucket, key, etag, metadata, located, "inline")
        else:
            if located.size > self.max_index_bytes:  # a corrupt size must not cost gigabytes
                raise fmt.FormatError(f"{key}: companion index of {located.size} bytes is over "
                                      f"the {self.max_index_bytes}-byte limit")
            data = self._get(bucket, located.key, "index object")
            obj = OpenedObject(bucket, key, etag, metadata,
                               fmt.load_index_object(metadata, data), located.key)
        with self._lock:
            self._opened[(bucket, key)] = obj
        return obj

    # -- choosing entries ----------------------------------------------------------------------

    @staticmethod
    def select(index: fmt.Index, key_prefix: Optional[str] = None,
               component: Optional[str] = None, time_from: Optional[int] = None,
               time_to: Optional[int] = None, component_index: int = 0,
               index_key: Optional[str] = None, delimiter: str = "/") -> List[int]:
        """Entry numbers (body order) matching every given condition (C++ Selector):

        key_prefix   the index key starts with it (``line-1/robot-03``);
        index_key    the index key equals it;
        component    component ``component_index`` of the index key (split on ``delimiter``,
                     0 = first) equals it, e.g. ``component="robot-03", component_index=1``;
        time_from, time_to   event time in [time_from, time_to), Unix ms.
        """
        out = []
        for i, e in enumerate(index.entries):
            if key_prefix is not None and not e.index_key.startswith(key_prefix):
                continue
            if index_key is not None and e.index_key != index_key:
                continue
            if component is not None:
                parts = e.index_key.split(delimiter)
                if component_index >= len(parts) or parts[component_index] != component:
                    continue
            if time_from is not None and e.event_time_ms < time_from:
                continue
            if time_to is not None and e.event_time_ms >= time_to:
                continue
            out.append(i)
        return out

    # -- fetching ------------------------------------------------------------------------------

    def fetch(self, bucket: str, key: str, entries: Sequence[int],
              dedupe: Optional[bool] = None) -> List[Message]:
        """The payloads of the entries, one ranged GET per coalesced range (gaps <= max_gap
        bytes, separators not counted, are read through). Opens the object first unless
        ``open`` already did. Messages come in the order of ``entries``; with ``dedupe`` on,
        a non-empty dedupe id already returned by this Reader (from any object) is skipped."""
        with self._lock:
            obj = self._opened.get((bucket, key))
        obj = obj or self.open(bucket, key)
        index = obj.index
        for i in entries:
            if not 0 <= i < len(index.entries):
                raise IndexError(f"entry {i} is not in {key} ({len(index.entries)} entries)")
        wanted = list(entries)
        if self.dedupe if dedupe is None else dedupe:
            wanted = [i for i in wanted if not self._duplicate(index.entries[i].dedupe_id)]
        # What sits between neighbours (the separator, or a Parquet value's length prefix) is
        # not a gap: a cluster stays one range at max_gap=0.
        ranges = index.coalesce_ranges(wanted, self.max_gap + obj.info.payload_gap())
        starts: List[int] = []
        parts: List[bytes] = []
        for start, length in ranges:
            data = self._get(bucket, key, "body range", fmt.http_range(start, length),
                             if_match=obj.etag)
            if len(data) != length:
                raise ReaderError(f"{key}: asked for {length} bytes at {start}, got {len(data)}")
            starts.append(start)
            parts.append(data)
        out = []
        for i in wanted:
            e = index.entries[i]
            payload = b""
            if e.length:
                r = bisect.bisect_right(starts, e.offset) - 1  # the range holding the entry
                payload = index.slice(starts[r], parts[r], e)
            out.append(Message(key, i, e.index_key, e.topic, e.event_time_ms, e.dedupe_id,
                               payload, e.arrival))
        return out

    def read_body(self, bucket: str, key: str) -> bytes:
        """The whole body in one GET, checked against its length and SHA-256."""
        with self._lock:
            obj = self._opened.get((bucket, key))
        obj = obj or self.open(bucket, key)
        body = self._get(bucket, key, "whole body", if_match=obj.etag)
        fmt.verify_body(obj.info, body)
        return body

    def query(self, bucket: str, prefix: str = "", key_prefix: Optional[str] = None,
              component: Optional[str] = None, time_from: Optional[int] = None,
              time_to: Optional[int] = None, component_index: int = 0,
              index_key: Optional[str] = None) -> Iterator[Message]:
        """list_objects -> open -> select -> fetch over every object in the window."""
        for listed in self.list_objects(bucket, prefix, time_from, time_to):
            obj = self.open(bucket, listed.key)
            entries = self.select(obj.index, key_prefix, component, time_from, time_to,
                                  component_index, index_key)
            if entries:
                yield from self.fetch(bucket, listed.key, entries)

    # -- plumbing ------------------------------------------------------------------------------

    def _duplicate(self, dedupe_id: str) -> bool:
        if not dedupe_id:
            return False
        with self._lock:
            if dedupe_id in self._seen_ids:
                return True
            self._seen_ids.add(dedupe_id)
        return False

    def _get(self, bucket: str, key: str, what: str, range_header: str = "",
             if_match: str = "") -> bytes:
        kwargs = {"Bucket": bucket, "Key": key}
        if range_header:
            kwargs["Range"] = range_header
        if if_match:
            kwargs["IfMatch"] = if_match
        resp = self._call(self.s3.get_object, **kwargs)
        data = resp["Body"].read()
        self._report(Request("GET", key, range_header, len(data), what))
        return data

    @staticmethod
    def _call(fn, **kwargs):
        try:
            return fn(**kwargs)
        except Exception as e:  # botocore ClientError and connection errors
            code = (getattr(e, "response", None) or {}).get("Error", {}).get("Code", "")
            if code in ("412", "PreconditionFailed"):
                raise ReaderError(f"{kwargs.get('Key')}: object was replaced while reading "
                                  "(If-Match failed); open it again") from None
            raise ReaderError(f"{fn.__name__} {kwargs.get('Bucket')}/"
                              f"{kwargs.get('Key', kwargs.get('Prefix', ''))}: {e}") from None


# -- command line: the flags and output of the C++ `mqtt2s3 ls|inspect|get` ----------------------

_EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)
_TIME_ARG = re.compile(r"(\d{4})-(\d{2})-(\d{2})"
                       r"(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{3}))?)?Z?)?")


def parse_time(text: Optional[str]) -> Optional[int]:
    """A command-line time, as the C++ ParseTimeArg: "2018-10-01 17:00", "2018-10-01T17:00:00Z",
    "2018-10-01T17:00:00.250Z", "2018-10-01" (all UTC) or Unix milliseconds."""
    if text is None:
        return None
    if text.isascii() and text.isdigit():
        return int(text)
    m = _TIME_ARG.fullmatch(text) if text.isascii() else None
    try:
        if not m:
            raise ValueError
        y, mo, d, h, mi, sec, milli = (int(g) if g else 0 for g in m.groups())
        t = datetime.datetime(y, mo, d, h, mi, sec, tzinfo=datetime.timezone.utc)
    except ValueError:
        raise ValueError(f"time '{text}': expected 2018-10-01 17:00, 2018-10-01T17:00:00Z or "
                         "Unix milliseconds") from None
    return (t - _EPOCH) // datetime.timedelta(milliseconds=1) + milli


def iso_ms(ms: int) -> str:
    """"2018-10-01T17:00:00.000Z" (C++ FormatTimeMs)."""
    t = _EPOCH + datetime.timedelta(milliseconds=ms)
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"


def make_client(endpoint: Optional[str], region: str, access_key: Optional[str] = None,
                secret_key: Optional[str] = None):
    """boto3 S3 client, path-style; keys given, else from AWS_* or S3_* environment variables."""
    import boto3
    from botocore.config import Config
    access = (access_key or os.environ.get("AWS_ACCESS_KEY_ID")
              or os.environ.get("S3_ACCESS_KEY"))
    secret = (secret_key or os.environ.get("AWS_SECRET_ACCESS_KEY")
              or os.environ.get("S3_SECRET_KEY"))
    if not access or not secret:
        raise ValueError("--endpoint needs credentials in AWS_ACCESS_KEY_ID/"
                         "AWS_SECRET_ACCESS_KEY (or S3_ACCESS_KEY/S3_SECRET_KEY)")
    return boto3.client("s3", endpoint_url=endpoint, region_name=region,
                        aws_access_key_id=access, aws_secret_access_key=secret,
                        config=Config(s3={"addressing_style": "path"},
                                      retries={"max_attempts": 3},
                                      max_pool_connections=32))  # parallel reads


def _one_line(payload: bytes) -> str:
    return payload.decode("utf-8", "replace").replace("\n", "\\n").replace("\r", "\\r")


def _stats(cmd: str, r: Reader) -> None:
    s = r.stats
    print(f"mqtt2s3 {cmd}: requests: {s.lists} LIST, {s.heads} HEAD, {s.gets} GET; "
          f"{s.bytes} bytes received", file=sys.stderr)


def _cmd_ls(r: Reader, a, out) -> int:
    listed = r.list_objects(a.bucket, a.prefix, parse_time(a.time_from), parse_time(a.time_to))
    out.write("# first_event\tlast_event\tsize\tinstance\tseq\tkey\n")
    for o in listed:
        if o.name:
            out.write(f"{iso_ms(o.name.first_ms)}\t{iso_ms(o.name.last_ms)}\t{o.size}\t"
                      f"{o.name.instance}\t{o.name.partition_seq}\t{o.key}\n")
        else:
            print(f"mqtt2s3 ls: not an object name, time range unknown: {o.key}",
                  file=sys.stderr)
    print(f"mqtt2s3 ls: {sum(1 for o in listed if o.name)} object(s) overlap", file=sys.stderr)
    return 0


def _cmd_inspect(r: Reader, a, out) -> int:
    obj = r.open(a.bucket, a.key[0])
    info = obj.info
    where = ("inline in metadata" if obj.index_from == "inline"
             else f"companion object '{obj.index_from}'")
    out.write(f"bucket:          {obj.bucket}\nkey:             {obj.key}\n"
              f"etag:            {obj.etag}\n"
              f"format version:  {info.format_version}\nmessages:        {info.message_count}\n"
              f"first event:     {iso_ms(info.first_event_ms)}\n"
              f"last event:      {iso_ms(info.last_event_ms)}\n"
              f"body:            {info.body_length} bytes, sha256 {info.body_sha256}\n"
              f"separator:       \"{_one_line(info.separator)}\"\n"
              + (f"body format:     {info.body_format} (payloads addressed inside the file; "
                 "no separator)\n" if info.body_format != "jsonl" else "") +
              f"index:           {where}, {info.index_size} bytes compressed\n"
              f"index checksum:  ok (sha256 {info.index_sha256})\n")
    rc = 0
    if a.verify_body:
        try:
            r.read_body(a.bucket, obj.key)
            out.write("body checksum:   ok\n")
        except fmt.ChecksumMismatch as e:
            out.write(f"body checksum:   MISMATCH: {e}\n")
            rc = 1
    else:
        out.write("body checksum:   not checked (--verify-body reads the whole body)\n")
    groups = obj.index.groups
    out.write(f"clusters:        {len(groups)}"
              f"{' (not clustered: arrival order)' if not groups else ''}\n")
    for g in groups[:a.max_clusters]:
        out.write(f"  {g.key}\t{g.entry_count} message(s)\tbytes {g.offset}-"
                  f"{g.offset + g.length} ({g.length} bytes)\n")
    if len(groups) > a.max_clusters:
        out.write(f"  ... {len(groups) - a.max_clusters} more (--max-clusters)\n")
    return rc


def _cmd_get(r: Reader, a, out) -> int:
    t_from, t_to = parse_time(a.time_from), parse_time(a.time_to)
    sink = open(a.out, "wb") if a.out else getattr(out, "buffer", None)
    printed = 0
    try:
        for key in a.key:
            obj = r.open(a.bucket, key)
            entries = r.select(obj.index, a.prefix, a.device, t_from, t_to, a.device_component,
                               a.index_key)
            gets_before = r.stats.gets
            msgs = r.fetch(a.bucket, key, entries)
            for m in msgs:
                if a.payload_only:
                    line = m.payload + b"\n"
                else:
                    line = (f"{iso_ms(m.event_time_ms)}\t{m.index_key}\t{m.topic}\t"
                            f"{_one_line(m.payload)}\n").encode("utf-8", "surrogateescape")
                if sink is not None:
                    sink.write(line)
                else:
                    out.write(line.decode("utf-8", "replace"))
            printed += len(msgs)
            print(f"mqtt2s3 get: {key}: {len(msgs)} of {len(obj.index.entries)} message(s) in "
                  f"{r.stats.gets - gets_before} ranged GET(s)", file=sys.stderr)
    finally:
        if a.out and sink is not None:
            sink.close()
        elif sink is not None:
            sink.flush()
    print(f"mqtt2s3 get: {printed} message(s)", file=sys.stderr)
    return 0


def main(argv: Optional[Sequence[str]] = None, out=None) -> int:
    """Exit code: 0 success, 1 runtime failure, 2 usage (as the C++ subcommands)."""
    out = out or sys.stdout
    p = argparse.ArgumentParser(prog="python3 -m mqtt2s3.reader",
                                description="Read back what mqtt2s3 wrote (docs/FORMAT.md).")
    sub = p.add_subparsers(dest="cmd", required=True)

    def common(sp, what):
        sp.add_argument("--endpoint", default=os.environ.get("S3_ENDPOINT"),
                        help="S3 endpoint URL, e.g. http://127.0.0.1:8000 (default "
                             "$S3_ENDPOINT); credentials from AWS_ACCESS_KEY_ID/"
                             "AWS_SECRET_ACCESS_KEY, else S3_ACCESS_KEY/S3_SECRET_KEY")
        sp.add_argument("--region", default="us-east-1", help="signing region")
        sp.add_argument("-b", "--bucket", required=True, help="bucket to read")
        sp.add_argument("--trace", action="store_true", help="print every request to stderr")
        if what:
            spelling = " (UTC: '2018-10-01 17:00', 2018-10-01T17:00:00Z, or Unix ms)"
            sp.add_argument("--from", dest="time_from", help=what + " at or after" + spelling)
            sp.add_argument("--to", dest="time_to", help=what + " before" + spelling)

    ls = sub.add_parser("ls", help="objects whose event-time range (in their names) overlaps "
                                   "--from/--to; listing only, no HEAD")
    common(ls, "Objects with an event")
    ls.add_argument("-p", "--prefix", default="", help="only keys starting with this prefix")
    ins = sub.add_parser("inspect", help="HEAD one object, load and verify its index, print "
                                         "its summary and clusters")
    common(ins, None)
    ins.add_argument("-k", "--key", action="append", required=True, help="object key")
    ins.add_argument("--verify-body", action="store_true",
                     help="also GET the whole body and check its sha256")
    ins.add_argument("--max-clusters", type=int, default=50)
    get = sub.add_parser("get", help="messages of objects matching all filters, one per line: "
                                     "event time, index key, topic, payload (tab separated)")
    common(get, "Messages with an event time")
    get.add_argument("-k", "--key", action="append", required=True,
                     help="object key; repeat for several objects")
    get.add_argument("--index-key", help="only messages whose index key equals this")
    get.add_argument("-p", "--prefix", help="only messages whose index key starts with this")
    get.add_argument("--device", help="only messages whose index key component number "
                                      "--device-component equals this")
    get.add_argument("--device-component", type=int, default=0)
    get.add_argument("-o", "--out", help="write the lines to this file instead of stdout")
    get.add_argument("--payload-only", action="store_true",
                     help="print only the payloads, byte for byte, each followed by a newline")
    get.add_argument("--dedupe", action="store_true",
                     help="drop messages whose dedupe id was already printed")
    get.add_argument("--max-gap", type=int, default=DEFAULT_MAX_GAP,
                     help="one GET for two wanted ranges at most this many bytes apart")
    try:
        a = p.parse_args(argv)
        if a.cmd == "inspect" and len(a.key) != 1:
            raise ValueError("give exactly one --key")
        if a.cmd in ("ls", "get"):
            t_from, t_to = parse_time(a.time_from), parse_time(a.time_to)
            if t_from is not None and t_to is not None and t_from >= t_to:
                raise ValueError("--from must be before --to")

        def trace(req: Request) -> None:
            print(f"{req.method} {req.key} {req.range or '-'} {req.bytes} ({req.what})",
                  file=sys.stderr)

        r = Reader(make_client(a.endpoint, a.region), max_gap=getattr(a, "max_gap",
                                                                       DEFAULT_MAX_GAP),
                   dedupe=getattr(a, "dedupe", False), on_request=trace if a.trace else None)
    except ValueError as e:
        print(f"mqtt2s3: {e}", file=sys.stderr)
        return 2
    except SystemExit as e:  # argparse usage errors
        return 2 if e.code else 0
    try:
        rc = {"ls": _cmd_ls, "inspect": _cmd_inspect, "get": _cmd_get}[a.cmd](r, a, out)
    except (ReaderError, fmt.FormatError, OSError) as e:
        print(f"mqtt2s3 {a.cmd}: {e}", file=sys.stderr)
        rc = 1
    _stats(a.cmd, r)
    return rc


if __name__ == "__main__":
    sys.exit(main())
