"""Parallel reads over many objects: find them, fetch the wanted devices, drop duplicates.

    from mqtt2s3.parallel import ParallelReader
    pr = ParallelReader(s3, concurrency=8)
    objects = pr.discover("company-x-plant-1", t1_ms, t2_ms)           # LIST (+ names)
    chunks, report = pr.read("company-x-plant-1", objects, ["WELDING-STATION-3"], t1_ms, t2_ms)
    for c in chunks:                         # object key order, then body order
        print(c.object_key, c.path, len(c.payloads))
    print(pr.reader.stats)                   # heads, gets, bytes, lists

Per object: one HEAD; then either the group directory (docs/FORMAT.md, `mqtt2s3-groups-*`:
one ranged GET per coalesced run of wanted groups, no index GET), or its buckets in the
companion index (FORMAT.md 3.4, `mqtt2s3-group-buckets`, when the directory did not fit the
metadata: one ranged GET of at most a few KiB per wanted device's bucket, then the same ranged
GETs), or the index (inline, or one GET of the companion object) and one ranged GET per
coalesced run of wanted entries. The buckets answer only a list of devices each with exactly
the object's cluster key components (one device of the usual `{device}/...` keys, clustered on
the first component); other reads use the index. At most
``concurrency`` requests are in flight; an object's GETs are queued before other objects'
HEADs as soon as its HEAD (or index) is in, and other HEADs fill the free slots meanwhile.

Results never depend on completion order: chunks are assembled in object key order, then
body order, and duplicates are dropped in that order (the first occurrence is kept):

- a message with a dedupe id (index path) is dropped when that id was seen before, or when a
  directory-path message of the same device with exactly the same payload bytes was;
- a message from the directory path has no dedupe id: it is dropped when a message of the
  same device with exactly the same payload bytes was seen before (from either path). Two
  distinct messages with identical bytes from one device are therefore one on this path;
  payloads that carry a sequence number or a fine timestamp (the welding "seq") never are;
- a message of the index path with an empty dedupe id is never dropped (as Reader.fetch).

Threads: worker threads only make requests; plans and results live on the calling thread.
A ParallelReader may be reused for several reads but not from several threads at once.
"""

import concurrent.futures as cf
import datetime
import re
from collections import deque
from dataclasses import dataclass, field
from typing import Callable, Dict, List, Optional, Sequence, Tuple

from . import format as fmt
from .names import overlaps
from .reader import DEFAULT_MAX_GAP, ListedObject, OpenedObject, Reader, ReaderError, Request

DEFAULT_CONCURRENCY = 8
_EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)
_HOUR_MS = 3600 * 1000
_MAX_PREFIXES = 100000  # about 11 years of hours


@dataclass
class Chunk:
    """Messages of one object that went one way: a directory group, or an object's entries."""
    object_key: str
    path: str                        # "directory" or "index"
    devices: List[str]               # per message: the cluster key
    payloads: List[bytes]            # stored bytes, as published
    event_times: Optional[List[int]] = None   # index path: the index's TIME; else None
    dedupe_ids: Optional[List[str]] = None    # index path
    topics: Optional[List[str]] = None        # index path
    filter_by_time: bool = False     # directory group straddling the window: filter on payload


@dataclass
class ReadReport:
    """What a read did, besides Reader.stats (requests and bytes)."""
    objects: int = 0                 # objects HEADed
    directory_objects: int = 0       # read through the group directory
    bucket_objects: int = 0          # of those, through its buckets in the index (FORMAT.md 3.4)
    index_objects: int = 0           # read through the index
    fallbacks: int = 0               # directory present but unusable: index used
    not_mqtt2s3: List[str] = field(default_factory=list)  # HEADed keys without our metadata
    messages: int = 0                # messages fetched
    duplicates: int = 0              # dropped as duplicates
    used: List[str] = field(default_factory=list)  # objects that gave messages (kept ones)


def render_prefix(template: str, ms: int) -> str:
    """A key prefix template for the hour holding ``ms``: strftime fields (``%Y/%m/%d/%H/``,
    ``date=%Y-%m-%d/hour=%H/``) or the converter's ``{first:%Y/%m/%d/%H}/`` spelling."""
    t = _EPOCH + datetime.timedelta(milliseconds=ms)
    text = re.sub(r"\{first:([^}]*)\}", lambda m: m.group(1), template)
    return t.strftime(text)


def hour_prefixes(template: str, time_from: int, time_to: int) -> List[str]:
    """The distinct prefixes of every hour meeting [time_from, time_to), in time order."""
    if time_from is None or time_to is None:
        raise ValueError("prefix_template needs both time_from and time_to")
    start = time_from - time_from % _HOUR_MS
    if (time_to - start) // _HOUR_MS > _MAX_PREFIXES:
        raise ValueError("prefix_template: the window spans too many hours to list one by one")
    out: List[str] = []
    for ms in range(start, time_to, _HOUR_MS):
        p = render_prefix(template, ms)
        if not out or out[-1] != p:
            out.append(p)
    return list(dict.fromkeys(out))


def device_matches(key: str, devices: Optional[frozenset]) -> Optional[str]:
    """The wanted device a cluster/index key belongs to: the key itself, or a wanted device
    that is a leading run of its '/'-components. None when not wanted."""
    if devices is None:
        return key
    if key in devices:
        return key
    parts = key.split("/")
    for n in range(len(parts) - 1, 0, -1):
        head = "/".join(parts[:n])
        if head in devices:
            return head
    return None


def _meets(first: int, last: int, time_from: Optional[int], time_to: Optional[int]) -> bool:
    return (time_from is None or last >= time_from) and (time_to is None or first < time_to)


def _inside(first: int, last: int, time_from: Optional[int], time_to: Optional[int]) -> bool:
    return (time_from is None or first >= time_from) and (time_to is None or last < time_to)


def _wanted_clusters(buckets: fmt.GroupBuckets,
                     devices: Optional[frozenset]) -> Optional[List[str]]:
    """The cluster keys holding every message of ``devices`` when the buckets can tell, i.e.
    each device is exactly a cluster key's worth of '/'-components (device_matches also takes
    keys that merely start with the device, which one bucket cannot rule out otherwise)."""
    if devices is None or buckets.delimiter != "/" or buckets.components == 0:
        return None
    if any(not d or len(d.split("/")) != buckets.components for d in devices):
        return None
    return sorted(devices)


def _coalesce(ranges: List[Tuple[int, int]], max_gap: int) -> List[Tuple[int, int]]:
    out: List[List[int]] = []
    for off, length in sorted(ranges):
        if out and off <= out[-1][0] + out[-1][1] + max_gap:
            out[-1][1] = max(out[-1][0] + out[-1][1], off + length) - out[-1][0]
        else:
            out.append([off, length])
    return [(o, n) for o, n in out]


def _slice(starts: List[int], parts: List[bytes], off: int, length: int) -> bytes:
    for s, data in zip(starts, parts):
        if s <= off and off + length <= s + len(data):
            return data[off - s:off - s + length]
    raise fmt.FormatError(f"byte range [{off}, +{length}) is not inside the fetched ranges")


class _Object:
    """Per-object plan and results; touched only on the calling thread."""

    def __init__(self, pos: int, key: str):
        self.pos, self.key = pos, key
        self.info: Optional[fmt.ObjectInfo] = None
        self.metadata: Dict[str, str] = {}
        self.etag = ""
        self.groups: List[fmt.DirectoryGroup] = []
        self.by_buckets = False
        self.bucket_data: Dict[int, Optional[bytes]] = {}
        self.opened: Optional[OpenedObject] = None
        self.entries: List[int] = []
        self.devices: List[str] = []
        self.ranges: List[Tuple[int, int]] = []
        self.fetched: Dict[int, bytes] = {}
        self.chunks: List[Chunk] = []


class ParallelReader:
    """Bounded-concurrency reads of many objects through one Reader (its stats and
    on_request see every request). ``use_directory=False`` always reads the index."""

    def __init__(self, s3_client=None, concurrency: int = DEFAULT_CONCURRENCY,
                 max_gap: int = DEFAULT_MAX_GAP, use_directory: bool = True,
                 on_request: Optional[Callable[[Request], None]] = None,
                 reader: Optional[Reader] = None):
        if concurrency < 1:
            raise ValueError("concurrency must be >= 1")
        self.reader = reader or Reader(s3_client, max_gap=max_gap, on_request=on_request)
        self.concurrency = concurrency
        self.max_gap = self.reader.max_gap
        self.use_directory = use_directory

    # -- discovery -----------------------------------------------------------------------------

    def discover(self, bucket: str, time_from: Optional[int] = None,
                 time_to: Optional[int] = None, prefix: str = "",
                 prefix_template: Optional[str] = None) -> List[ListedObject]:
        """Data objects that may hold events of [time_from, time_to), in key order.

        Lists ``prefix`` (paginated), or with ``prefix_template`` every hour's prefix of the
        window (``prefix`` + rendered template; only right for keys partitioned by event
        time). Canonical names outside the window are dropped; other keys are kept (``read``
        HEADs them and uses mqtt2s3-first/last-event-ms). Companion ``.idx`` objects are
        left out.
        """
        prefixes = [prefix] if not prefix_template else [
            prefix + p for p in hour_prefixes(prefix_template, time_from, time_to)]
        with cf.ThreadPoolExecutor(min(self.concurrency, len(prefixes))) as pool:
            pages = list(pool.map(lambda p: self.reader.list_objects(bucket, p), prefixes))
        found: Dict[str, ListedObject] = {}
        for listed in pages:
            for o in listed:
                if o.name is None or overlaps(o.name, time_from, time_to):
                    found[o.key] = o
        return [found[k] for k in sorted(found)]

    # -- reading -------------------------------------------------------------------------------

    def read(self, bucket: str, objects: Sequence, devices: Optional[Sequence[str]] = None,
             time_from: Optional[int] = None, time_to: Optional[int] = None,
             filter_directory_by_payload: bool = False,
             dedupe: bool = True) -> Tuple[List[Chunk], ReadReport]:
        """The wanted devices' messages in [time_from, time_to) of ``objects`` (keys or
        ListedObjects), as chunks in key order then body order, duplicates dropped.

        ``filter_directory_by_payload``: the caller filters messages of a directory group
        that straddles the window by a time in the payload (Chunk.filter_by_time); without
        it such an object is read through its index.
        """
        keys = sorted({o if isinstance(o, str) else o.key for o in objects})
        wanted = frozenset(devices) if devices is not None else None
        report = ReadReport()
        objs = [_Object(i, k) for i, k in enumerate(keys)]
        ctx = (bucket, wanted, time_from, time_to, filter_directory_by_payload, report)
        self._run(objs, ctx)
        chunks = [c for o in objs for c in o.chunks]
        report.messages = sum(len(c.payloads) for c in chunks)
        if dedupe:
            chunks = self._dedupe(chunks, report)
        report.used = list(dict.fromkeys(c.object_key for c in chunks))
        return chunks, report

    def _run(self, objs: List[_Object], ctx) -> None:
        bucket = ctx[0]
        heads = deque(objs)
        queued: deque = deque()   # (fn, on_done): GETs of objects whose plan is known
        inflight: Dict[cf.Future, Callable] = {}
        with cf.ThreadPoolExecutor(self.concurrency) as pool:
            try:
                while heads or queued or inflight:
                    while len(inflight) < self.concurrency and (queued or heads):
                        if queued:
                            fn, done = queued.popleft()
                        else:
                            o = heads.popleft()
                            fn = (lambda k=o.key: self.reader.head(bucket, k))
                            done = (lambda res, o=o: self._on_head(o, res, ctx, queued))
                        inflight[pool.submit(fn)] = done
                    finished, _ = cf.wait(list(inflight), return_when=cf.FIRST_COMPLETED)
                    for f in finished:
                        inflight.pop(f)(f.result())
            except BaseException:
                for f in inflight:
                    f.cancel()
                raise

    def _on_head(self, o: _Object, res, ctx, queued: deque) -> None:
        bucket, wanted, t_from, t_to, by_payload, report = ctx
        o.metadata, o.etag = res
        report.objects += 1
        if "mqtt2s3-format" not in fmt.normalize_metadata(o.metadata):
            report.not_mqtt2s3.append(o.key)
            return
        o.info = info = fmt.parse_info(o.metadata)
        if info.message_count == 0 or not _meets(info.first_event_ms, info.last_event_ms,
                                                 t_from, t_to):
            return
        directory = (fmt.parse_group_directory(o.metadata, info)
                     if self.use_directory and not info.index_inline else None)
        if directory is not None:
            if self._directory_path(o, directory, ctx, queued):
                return
        elif self.use_directory and not info.index_inline:
            named = fmt.normalize_metadata(o.metadata)
            buckets = fmt.parse_group_buckets(o.metadata, info)
            clusters = _wanted_clusters(buckets, wanted) if buckets is not None else None
            if clusters is not None:
                self._read_buckets(o, buckets, clusters, ctx, queued)
                return
            if "mqtt2s3-groups-parts" in named or (buckets is None
                                                   and "mqtt2s3-group-buckets" in named):
                report.fallbacks += 1
        self._index_path(o, ctx, queued)

    def _directory_path(self, o: _Object, directory: List[fmt.DirectoryGroup], ctx,
                        queued: deque) -> bool:
        """Queues the wanted groups' ranges; False when the index must decide (a group
        straddles the window and the caller cannot filter by payload time)."""
        wanted, t_from, t_to, by_payload, report = ctx[1:]
        groups = [g for g in directory if device_matches(g.key, wanted) is not None
                  and _meets(g.first_event_ms, g.last_event_ms, t_from, t_to)]
        straddles = any(not _inside(g.first_event_ms, g.last_event_ms, t_from, t_to)
                        for g in groups)
        if straddles and not by_payload:
            return False
        report.directory_objects += 1
        report.bucket_objects += o.by_buckets
        o.groups = groups
        self._queue_ranges(o, [g.fetch_range(o.info) for g in groups], 0, ctx, queued,
                           self._on_directory_ranges)
        return True

    def _read_buckets(self, o: _Object, buckets: fmt.GroupBuckets, clusters: List[str], ctx,
                      queued: deque) -> None:
        """One ranged GET of the companion index per bucket holding a wanted device; then the
        directory path over their records, or the whole index when a bucket is unusable."""
        bucket, report = ctx[0], ctx[5]
        wanted_buckets = sorted({buckets.bucket_of(c) for c in clusters})
        index_key = o.info.index_object_key(o.key)
        o.bucket_data = {}

        def all_in() -> None:
            groups: List[fmt.DirectoryGroup] = []
            for b in wanted_buckets:
                data = o.bucket_data[b]
                parsed = (fmt.parse_group_bucket(o.info, buckets, b, data)
                          if data is not None else None)
                if parsed is None:  # never guess: the whole index decides
                    report.fallbacks += 1
                    self._index_path(o, ctx, queued)
                    return
                groups += [g for g in parsed if g.key in clusters]
            groups.sort(key=lambda g: g.offset)
            o.by_buckets = True
            if not self._directory_path(o, groups, ctx, queued):
                self._index_path(o, ctx, queued)

        if not wanted_buckets:
            all_in()
            return
        for b in wanted_buckets:
            def get(b=b):
                try:
                    return self.reader._get(bucket, index_key, "index bucket",
                                            fmt.http_range(*buckets.slot_range(b)))
                except ReaderError:  # e.g. a shorter index object: read the whole index
                    return None

            def done(data, b=b):
                o.bucket_data[b] = data
                if len(o.bucket_data) == len(wanted_buckets):
                    all_in()
            queued.append((get, done))

    def _index_path(self, o: _Object, ctx, queued: deque) -> None:
        bucket, report = ctx[0], ctx[5]
        report.index_objects += 1
        if o.info.index_inline:
            self._on_index(o, self.reader.load_index(bucket, o.key, o.metadata, o.etag), ctx,
                           queued)
            return

        def load():
            try:
                return self.reader.load_index(bucket, o.key, o.metadata, o.etag)
            except fmt.ChecksumMismatch:  # replaced since the HEAD: open it afresh
                return self.reader.open(bucket, o.key)
        queued.append((load, lambda opened: self._on_index(o, opened, ctx, queued)))

    def _on_index(self, o: _Object, opened: OpenedObject, ctx, queued: deque) -> None:
        wanted, t_from, t_to = ctx[1], ctx[2], ctx[3]
        o.opened, o.etag = opened, opened.etag
        entries = opened.index.entries
        if opened.index.groups:  # cluster keys recorded: match per group, not per entry
            runs = [(device_matches(g.key, wanted), range(g.first_entry,
                                                          g.first_entry + g.entry_count))
                    for g in opened.index.groups]
        else:
            runs = [(device_matches(e.index_key, wanted), (i,)) for i, e in enumerate(entries)]
            if wanted is None:
                runs = [(entries[r[0]].index_key.split("/", 1)[0], r) for _, r in runs]
        for device, run in runs:
            if device is None:
                continue
            for i in run:
                t = entries[i].event_time_ms
                if (t_from is None or t >= t_from) and (t_to is None or t < t_to):
                    o.entries.append(i)
                    o.devices.append(device)
        ranges = [(entries[i].offset, entries[i].length) for i in o.entries
                  if entries[i].length > 0]
        self._queue_ranges(o, ranges, opened.info.payload_gap(), ctx, queued,
                           self._on_index_ranges)

    def _queue_ranges(self, o: _Object, ranges, payload_gap: int, ctx, queued: deque,
                      on_all) -> None:
        bucket = ctx[0]
        o.ranges = _coalesce(ranges, self.max_gap + payload_gap)
        o.fetched = {}
        if not o.ranges:
            on_all(o, ctx, queued)
            return
        for n, (start, length) in enumerate(o.ranges):
            def get(start=start, length=length):
                data = self.reader._get(bucket, o.key, "body range",
                                        fmt.http_range(start, length), if_match=o.etag)
                if len(data) != length:
                    raise fmt.FormatError(f"{o.key}: asked for {length} bytes at {start}, "
                                          f"got {len(data)}")
                return data

            def done(data, n=n):
                o.fetched[n] = data
                if len(o.fetched) == len(o.ranges):
                    on_all(o, ctx, queued)
            queued.append((get, done))

    def _parts(self, o: _Object) -> Tuple[List[int], List[bytes]]:
        return [s for s, _ in o.ranges], [o.fetched[n] for n in range(len(o.ranges))]

    def _on_directory_ranges(self, o: _Object, ctx, queued: deque) -> None:
        t_from, t_to, report = ctx[2], ctx[3], ctx[5]
        starts, parts = self._parts(o)
        chunks = []
        for g in o.groups:
            payloads = fmt.split_group(o.info, g, _slice(starts, parts, *g.fetch_range(o.info)))
            if payloads is None:  # framing does not hold: never guess, use the index
                report.directory_objects -= 1
                report.bucket_objects -= o.by_buckets
                report.fallbacks += 1
                self._index_path(o, ctx, queued)
                return
            chunks.append(Chunk(o.key, "directory", [g.key] * len(payloads), payloads,
                                filter_by_time=not _inside(g.first_event_ms, g.last_event_ms,
                                                           t_from, t_to)))
        o.chunks = chunks

    def _on_index_ranges(self, o: _Object, ctx, queued: deque) -> None:
        starts, parts = self._parts(o)
        entries = o.opened.index.entries
        payloads = [_slice(starts, parts, entries[i].offset, entries[i].length)
                    if entries[i].length else b"" for i in o.entries]
        if payloads:
            o.chunks = [Chunk(o.key, "index", o.devices, payloads,
                              [entries[i].event_time_ms for i in o.entries],
                              [entries[i].dedupe_id for i in o.entries],
                              [entries[i].topic for i in o.entries])]

    @staticmethod
    def _dedupe(chunks: List[Chunk], report: ReadReport) -> List[Chunk]:
        seen_ids: set = set()
        # per device: payload bytes of every kept message, and of kept directory messages
        # (they have no dedupe id)
        seen_all: Dict[str, set] = {}
        seen_no_id: Dict[str, set] = {}
        track = any(c.path == "directory" for c in chunks)
        out = []
        for c in chunks:
            keep = []
            if c.path == "index":
                for i, (d, p, ident) in enumerate(zip(c.devices, c.payloads, c.dedupe_ids)):
                    if ident:
                        if ident in seen_ids or (track and p in seen_no_id.get(d, ())):
                            continue
                        seen_ids.add(ident)
                    if track:
                        seen_all.setdefault(d, set()).add(p)
                    keep.append(i)
            else:
                # One group, one device: with no repeated bytes (the usual case) the set
                # operations decide the whole chunk at once.
                d = c.devices[0] if c.devices else ""
                mine, no_id = seen_all.setdefault(d, set()), seen_no_id.setdefault(d, set())
                if (all(x == d for x in c.devices) and mine.isdisjoint(c.payloads)
                        and len(set(c.payloads)) == len(c.payloads)):
                    mine.update(c.payloads)
                    no_id.update(c.payloads)
                    keep = range(len(c.payloads))
                else:
                    for i, (d, p) in enumerate(zip(c.devices, c.payloads)):
                        mine = seen_all.setdefault(d, set())
                        if p in mine:
                            continue
                        mine.add(p)
                        seen_no_id.setdefault(d, set()).add(p)
                        keep.append(i)
            report.duplicates += len(c.payloads) - len(keep)
            if len(keep) != len(c.payloads):
                pick = (lambda xs: None if xs is None else [xs[i] for i in keep])
                c = Chunk(c.object_key, c.path, pick(c.devices), pick(c.payloads),
                          pick(c.event_times), pick(c.dedupe_ids), pick(c.topics),
                          c.filter_by_time)
            if c.payloads:
                out.append(c)
        return out
