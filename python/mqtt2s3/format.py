"""Object format version 1 (docs/FORMAT.md), decoded with the Python standard library only.

A reader HEADs an object, then::

    located = locate_index(head["Metadata"], key)          # boto3 head_object metadata
    if isinstance(located, IndexObjectRef):                # index too big for metadata
        data = s3.get_object(Bucket=b, Key=located.key)["Body"].read()
        index = load_index_object(head["Metadata"], data)  # verifies size and SHA-256
    else:
        index = located
    for start, length in index.coalesce_ranges(index.find("line-1/robot-03"), 64 * 1024):
        part = s3.get_object(Bucket=b, Key=key, Range=http_range(start, length))["Body"].read()
        for i in index.find("line-1/robot-03"):
            payload = index.slice(start, part, index.entries[i])

One device without the index: parse_group_directory (metadata, FORMAT.md 3.3) or, when the
directory did not fit, parse_group_buckets + one ranged GET of ``slot_range(bucket_of(key))``
of the companion index object + parse_group_bucket (3.4); then split_group on the group's
range. Both give None for anything malformed: then read the index.

Every failure raises FormatError (UnsupportedVersion, ChecksumMismatch are subclasses) with a
message that names what is wrong.
"""

import base64
import hashlib
import struct
import zlib
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence, Tuple, Union

FORMAT_VERSION = 1
INDEX_MAGIC = b"M2SI"
INDEX_HEADER_BYTES = 16
MAX_RAW_INDEX_BYTES = 1 << 30
_AMZ_META = "x-amz-meta-"
_P = "mqtt2s3-"


class FormatError(Exception):
    """The object or its index is not a valid version-1 object."""


class UnsupportedVersion(FormatError):
    """The object was written in a format version this reader does not know."""


class ChecksumMismatch(FormatError):
    """Bytes do not match the size or SHA-256 the metadata promises."""


@dataclass
class ObjectInfo:
    format_version: int
    message_count: int
    first_event_ms: int
    last_event_ms: int
    body_length: int
    body_sha256: str
    separator: bytes
    index_size: int
    index_sha256: str
    index_inline: bool
    index_prefix: str = ""
    index_suffix: str = ""
    # "jsonl" (payload + separator, back to back) or "parquet" (a Parquet file whose payload
    # column holds each payload as one PLAIN value: 4-byte length, then the bytes).
    body_format: str = "jsonl"

    def payload_gap(self) -> int:
        """Bytes between the end of one payload and the start of the next within a group:
        what range coalescing must not count as a gap."""
        return 4 if self.body_format == "parquet" else len(self.separator)

    def index_object_key(self, data_key: str) -> str:
        return self.index_prefix + data_key + self.index_suffix


@dataclass
class IndexObjectRef:
    """The index lives in a companion object: GET ``key`` and call load_index_object."""
    key: str
    size: int
    sha256: str


@dataclass
class Entry:
    offset: int
    length: int
    event_time_ms: int
    arrival: int
    topic: str
    index_key: str
    dedupe_id: str


@dataclass
class Group:
    key: str
    first_entry: int
    entry_count: int
    offset: int
    length: int


@dataclass
class Index:
    info: ObjectInfo
    entries: List[Entry] = field(default_factory=list)  # body order
    groups: List[Group] = field(default_factory=list)   # body order, ascending key

    def find(self, key_prefix: str) -> List[int]:
        """Entry numbers whose index key starts with key_prefix, in body order."""
        return [i for i, e in enumerate(self.entries) if e.index_key.startswith(key_prefix)]

    def filter(self, from_ms: int, to_ms: int) -> List[int]:
        """Entry numbers with from_ms <= event time < to_ms, in body order."""
        return [i for i, e in enumerate(self.entries) if from_ms <= e.event_time_ms < to_ms]

    def coalesce_ranges(self, entries: Sequence[int], max_gap_bytes: int) -> List[Tuple[int, int]]:
        """Fewest (offset, length) ranges covering the entries; merges gaps <= max_gap_bytes."""
        ranges = sorted((self.entries[i].offset, self.entries[i].length)
                        for i in entries if self.entries[i].length > 0)
        out: List[List[int]] = []
        for off, length in ranges:
            if out and off <= out[-1][0] + out[-1][1] + max_gap_bytes:
                out[-1][1] = max(out[-1][0] + out[-1][1], off + length) - out[-1][0]
            else:
                out.append([off, length])
        return [(o, n) for o, n in out]

    @staticmethod
    def slice(range_offset: int, fetched: bytes, entry: Entry) -> bytes:
        """The payload of entry inside bytes fetched from range_offset."""
        start = entry.offset - range_offset
        if start < 0 or start + entry.length > len(fetched):
            raise FormatError(f"entry at {entry.offset} (+{entry.length}) is not inside the "
                              f"{len(fetched)} bytes fetched at {range_offset}")
        return fetched[start:start + entry.length]

    def payload(self, body: bytes, i: int) -> bytes:
        e = self.entries[i]
        return body[e.offset:e.offset + e.length]


def http_range(offset: int, length: int) -> str:
    """HTTP Range header value for a byte range (length > 0)."""
    return f"bytes={offset}-{offset + length - 1}"


def normalize_metadata(metadata: Dict[str, str]) -> Dict[str, str]:
    """Lower-case names without the x-amz-meta- prefix (boto3 already gives this form)."""
    out = {}
    for name, value in metadata.items():
        name = name.lower()
        if name.startswith(_AMZ_META):
            name = name[len(_AMZ_META):]
        out[name] = value
    return out


def _required(m: Dict[str, str], name: str) -> str:
    if name not in m:
        raise FormatError(f"object metadata lacks {name}")
    return m[name]


def _number(m: Dict[str, str], name: str, signed: bool = False) -> int:
    text = _required(m, name)
    body = text[1:] if signed and text.startswith("-") else text
    if not body.isdigit() or not body.isascii():
        raise FormatError(f"object metadata {name} is not a number: {text[:64]!r}")
    return int(text)


def _sha256(m: Dict[str, str], name: str) -> str:
    text = _required(m, name)
    if len(text) != 64 or any(c not in "0123456789abcdef" for c in text):
        raise FormatError(f"object metadata {name} is not 64 lowercase hex digits: {text[:80]!r}")
    return text


def _percent_encode(data: bytes) -> str:
    """The writer's encoding: bytes 0x21-0x7E other than '%' as is, every other byte %XX."""
    return "".join(chr(b) if 0x21 <= b <= 0x7E and b != 0x25 else "%%%02X" % b for b in data)


def _percent_decode(text: str, name: str) -> str:
    """Decodes a companion-key field; only the writer's canonical encoding is accepted, so
    every reader derives the same key (no lowercase hex, needless escapes or raw spaces)."""
    out = bytearray()
    i = 0
    while i < len(text):
        if text[i] == "%":
            digits = text[i + 1:i + 3]
            if len(digits) != 2 or any(c not in "0123456789abcdefABCDEF" for c in digits):
                raise FormatError(f"invalid percent escape in {name}: {text[:64]!r}")
            out.append(int(digits, 16))
            i += 3
        else:
            if not "\x21" <= text[i] <= "\x7e":
                raise FormatError(f"object metadata {name} {text[:64]!r} is not in canonical "
                                  "percent-encoding")
            out.append(ord(text[i]))
            i += 1
    if _percent_encode(bytes(out)) != text:
        raise FormatError(f"object metadata {name} {text[:64]!r} is not in canonical "
                          "percent-encoding")
    return out.decode("utf-8", "surrogateescape")


# Values of mqtt2s3-body-format; an absent field means "jsonl".
BODY_FORMATS = ("jsonl", "parquet")


def parse_info(metadata: Dict[str, str]) -> ObjectInfo:
    """The mandatory metadata fields, checked. Unknown names are ignored."""
    m = normalize_metadata(metadata)
    version = _required(m, _P + "format")
    if version != str(FORMAT_VERSION):
        raise UnsupportedVersion(f"unsupported object format version {version[:32]!r} (this "
                                 f"reader knows version {FORMAT_VERSION}); upgrade the reader")
    sep_text = _required(m, _P + "separator")
    try:
        separator = b"" if sep_text == "none" else bytes.fromhex(sep_text)
    except ValueError:
        raise FormatError(f"object metadata {_P}separator is not hex: {sep_text[:64]!r}") from None
    body_format = m.get(_P + "body-format", "jsonl")
    if body_format not in BODY_FORMATS:
        raise UnsupportedVersion(f"unsupported body format {body_format[:32]!r} (this reader "
                                 f"knows {', '.join(BODY_FORMATS)}); upgrade the reader")
    location = _required(m, _P + "index-location")
    if location not in ("inline", "object"):
        raise FormatError(f"object metadata {_P}index-location is {location[:32]!r}, "
                          "expected 'inline' or 'object'")
    info = ObjectInfo(
        format_version=FORMAT_VERSION,
        message_count=_number(m, _P + "count"),
        first_event_ms=_number(m, _P + "first-event-ms", signed=True),
        last_event_ms=_number(m, _P + "last-event-ms", signed=True),
        body_length=_number(m, _P + "body-length"),
        body_sha256=_sha256(m, _P + "body-sha256"),
        separator=separator,
        index_size=_number(m, _P + "index-size"),
        index_sha256=_sha256(m, _P + "index-sha256"),
        index_inline=location == "inline",
        body_format=body_format,
    )
    if info.message_count > 0 and info.first_event_ms > info.last_event_ms:
        raise FormatError("object metadata first event time is after the last")
    if not info.index_inline:
        info.index_prefix = _percent_decode(m.get(_P + "index-prefix", ""), _P + "index-prefix")
        info.index_suffix = _percent_decode(m.get(_P + "index-suffix", ""), _P + "index-suffix")
        if not info.index_prefix and not info.index_suffix:
            raise FormatError("object metadata index-location is 'object' but names neither "
                              f"{_P}index-prefix nor {_P}index-suffix")
    return info


def verify_index_bytes(info: ObjectInfo, data: bytes, where: str = "index object") -> None:
    if len(data) != info.index_size:
        raise ChecksumMismatch(f"index size mismatch: metadata says {info.index_size} bytes, "
                               f"{where} has {len(data)}")
    actual = hashlib.sha256(data).hexdigest()
    if actual != info.index_sha256:
        raise ChecksumMismatch(f"index checksum mismatch: metadata says {info.index_sha256}, "
                               f"{where} has {actual}")


def verify_body(info: ObjectInfo, body: bytes) -> None:
    """Checks a fully downloaded body against its length and SHA-256."""
    actual = hashlib.sha256(body).hexdigest()
    if len(body) != info.body_length or actual != info.body_sha256:
        raise ChecksumMismatch(f"body checksum mismatch: metadata says {info.body_length} bytes "
                               f"{info.body_sha256}, body has {len(body)} bytes {actual}")


def locate_index(metadata: Dict[str, str], data_key: str) -> Union[Index, IndexObjectRef]:
    """After HEAD: the decoded index when inline, else where the companion index object is."""
    info = parse_info(metadata)
    if info.message_count > 0 and info.first_event_ms > info.last_event_ms:
        raise FormatError("object metadata first event time is after the last")
    if not info.index_inline:
        return IndexObjectRef(info.index_object_key(data_key), info.index_size, info.index_sha256)
    m = normalize_metadata(metadata)
    parts_text = _required(m, _P + "index-parts")
    if not parts_text.isdigit():
        raise FormatError(f"object metadata {_P}index-parts is not a number: {parts_text[:32]!r}")
    text = ""
    for p in range(int(parts_text)):
        text += _required(m, f"{_P}index-{p}")
    try:
        data = base64.b64decode(text, validate=True)
    except ValueError as e:
        raise FormatError(f"inline index: invalid base64: {e}") from None
    verify_index_bytes(info, data, "inline index")
    return decode_index(info, data)


def load_index_object(metadata: Dict[str, str], data: bytes) -> Index:
    """Decodes a companion index object after checking its size and SHA-256."""
    info = parse_info(metadata)
    verify_index_bytes(info, data)
    return decode_index(info, data)


def _inflate(data: bytes) -> bytes:
    d = zlib.decompressobj()
    try:
        raw = d.decompress(data, MAX_RAW_INDEX_BYTES)
    except zlib.error as e:
        raise FormatError(f"index: zlib stream is corrupt: {e}") from None
    if d.unconsumed_tail:
        raise FormatError(f"index: zlib stream inflates past {MAX_RAW_INDEX_BYTES} bytes")
    if not d.eof:
        raise FormatError("index: zlib stream is truncated")
    if d.unused_data:
        raise FormatError(f"index: {len(d.unused_data)} trailing bytes after the zlib stream")
    return raw


def _column(sections: Dict[bytes, bytes], tag: bytes, fmt: str, n: int) -> Tuple[int, ...]:
    body = sections[tag]
    width = struct.calcsize("<" + fmt)
    if len(body) != n * width:
        raise FormatError(f"index section {tag.decode()} has {len(body)} bytes, expected "
                          f"{n * width} for {n} entries")
    return struct.unpack(f"<{n}{fmt}", body)


def _text(b: bytes) -> str:
    return b.decode("utf-8", "surrogateescape")


def _raw(s: str) -> bytes:
    return s.encode("utf-8", "surrogateescape")


def decode_index(info: ObjectInfo, data: bytes) -> Index:
    """Decodes index bytes (a zlib stream) whose checksum was already verified."""
    raw = _inflate(data)
    if len(raw) < INDEX_HEADER_BYTES:
        raise FormatError(f"index is {len(raw)} bytes, shorter than its header")
    magic, version, header_len, n, _flags = struct.unpack_from("<4sHHII", raw, 0)
    if magic != INDEX_MAGIC:
        raise FormatError(f"index magic is {magic!r}, expected b'M2SI'")
    if version != FORMAT_VERSION:
        raise UnsupportedVersion(f"unsupported index version {version} (this reader knows "
                                 f"version {FORMAT_VERSION}); upgrade the reader")
    if header_len < INDEX_HEADER_BYTES or header_len > len(raw):
        raise FormatError(f"index header length {header_len} is invalid")
    if n != info.message_count:
        raise FormatError(f"index has {n} entries, metadata says {info.message_count}")
    known = {b"STRS", b"OFFS", b"LENS", b"TIME", b"TOPC", b"IKEY", b"DDUP", b"SEQN", b"GRPS"}
    sections: Dict[bytes, bytes] = {}
    pos = header_len
    while pos < len(raw):
        if len(raw) - pos < 8:
            raise FormatError(f"index ends inside a section header at byte {pos}")
        tag, length = struct.unpack_from("<4sI", raw, pos)
        pos += 8
        if length > len(raw) - pos:
            raise FormatError(f"index section {tag!r} claims {length} bytes, "
                              f"only {len(raw) - pos} remain")
        if tag in known:  # unknown sections come from later writers: skip them
            if tag in sections:
                raise FormatError(f"index section {tag.decode()} appears twice")
            sections[tag] = raw[pos:pos + length]
        pos += length
    for tag in (b"STRS", b"OFFS", b"LENS", b"TIME", b"TOPC", b"IKEY"):
        if tag not in sections:
            raise FormatError(f"index lacks the {tag.decode()} section")

    strs = sections[b"STRS"]
    if len(strs) < 4:
        raise FormatError("index section STRS is truncated")
    (count,) = struct.unpack_from("<I", strs, 0)
    if count > (len(strs) - 4) // 4:
        raise FormatError("index section STRS is truncated")
    lengths = struct.unpack_from(f"<{count}I", strs, 4)
    strings: List[str] = []
    p = 4 + 4 * count
    for length in lengths:
        if length > len(strs) - p:
            raise FormatError("index section STRS is truncated")
        strings.append(_text(strs[p:p + length]))
        p += length
    if p != len(strs):
        raise FormatError("index section STRS has trailing bytes")

    offsets = _column(sections, b"OFFS", "Q", n)
    lens = _column(sections, b"LENS", "I", n)
    times = _column(sections, b"TIME", "q", n)
    topics = _column(sections, b"TOPC", "I", n)
    keys = _column(sections, b"IKEY", "I", n)
    arrival = _column(sections, b"SEQN", "I", n) if b"SEQN" in sections else range(n)
    dedupe = [""] * n
    if b"DDUP" in sections:
        d = sections[b"DDUP"]
        if len(d) < 4 * n:
            raise FormatError("index section DDUP is truncated")
        p = 4 * n
        for i, length in enumerate(struct.unpack_from(f"<{n}I", d, 0)):
            if length > len(d) - p:
                raise FormatError("index section DDUP is truncated")
            dedupe[i] = _text(d[p:p + length])
            p += length
        if p != len(d):
            raise FormatError("index section DDUP has trailing bytes")

    index = Index(info)
    arrived = bytearray(n) if b"SEQN" in sections else None
    for i in range(n):
        if topics[i] >= len(strings) or keys[i] >= len(strings):
            raise FormatError(f"index entry {i} names a string id past the table")
        if offsets[i] + lens[i] > info.body_length:
            raise FormatError(f"index entry {i} [{offsets[i]}, +{lens[i]}) is outside the "
                              f"{info.body_length}-byte body")
        if i > 0 and offsets[i] < offsets[i - 1] + lens[i - 1]:
            raise FormatError(f"index entry {i} starts before the end of entry {i - 1}")
        if arrival[i] >= n:
            raise FormatError(f"index entry {i} has arrival position past the count")
        if arrived is not None:
            if arrived[arrival[i]]:
                raise FormatError(f"index entry {i} repeats arrival position {arrival[i]}")
            arrived[arrival[i]] = 1
        index.entries.append(Entry(offsets[i], lens[i], times[i], arrival[i],
                                   strings[topics[i]], strings[keys[i]], dedupe[i]))

    if b"GRPS" in sections:
        g = sections[b"GRPS"]
        if len(g) < 4:
            raise FormatError("index section GRPS is truncated")
        (count,) = struct.unpack_from("<I", g, 0)
        if len(g) != 4 + 28 * count:
            raise FormatError(f"index section GRPS has {len(g)} bytes for {count} groups")
        next_entry = 0  # groups follow each other in body order and cover every entry
        for k in range(count):
            key, first, cnt, off, length = struct.unpack_from("<IIIQQ", g, 4 + 28 * k)
            last = first + cnt
            if (key >= len(strings) or cnt == 0 or first != next_entry or last > n
                    or off != offsets[first]
                    or off + length != offsets[last - 1] + lens[last - 1]):
                raise FormatError(f"index group {k} is inconsistent with its entries")
            # Ascending byte order of the key (memcmp), compared on the raw bytes.
            if index.groups and not (_raw(index.groups[-1].key) < _raw(strings[key])):
                raise FormatError(f"index group {k} is not in ascending key order")
            index.groups.append(Group(strings[key], first, cnt, off, length))
            next_entry = last
        if next_entry != n:
            raise FormatError(f"index groups cover {next_entry} of {n} entries")
    return index


# -- group directory (optional metadata: mqtt2s3-groups-parts, mqtt2s3-groups-<i>) ---------------


@dataclass
class DirectoryGroup:
    """One record of the group directory: a cluster key's byte range and event-time range.

    ``offset``/``length`` is the group's range as in GRPS (first payload to the end of the
    last); ``first_event_ms``/``last_event_ms`` are absolute Unix ms (the metadata stores them
    as offsets from mqtt2s3-first-event-ms)."""
    key: str
    offset: int
    length: int
    count: int
    first_event_ms: int
    last_event_ms: int

    def fetch_range(self, info: ObjectInfo) -> Tuple[int, int]:
        """(offset, length) to GET: a Parquet group starts 4 bytes early, at the first
        payload's PLAIN length prefix."""
        if info.body_format == "parquet":
            return self.offset - 4, self.length + 4
        return self.offset, self.length


def _canonical_decimal(text: str) -> Optional[int]:
    if not text or not text.isascii() or not text.isdigit() or (len(text) > 1 and text[0] == "0"):
        return None
    return int(text)


def _directory_key(text: str) -> Optional[bytes]:
    """The record's percent-encoded key: bytes 0x21-0x7E except % , : as they are, every
    other byte %XX (upper-case). Only the canonical spelling is accepted."""
    out = bytearray()
    i = 0
    while i < len(text):
        c = text[i]
        if c == "%":
            digits = text[i + 1:i + 3]
            if len(digits) != 2 or any(d not in "0123456789ABCDEF" for d in digits):
                return None
            b = int(digits, 16)
            if 0x21 <= b <= 0x7E and b not in (0x25, 0x2C, 0x3A):
                return None  # an escape of a byte that stays as is
            out.append(b)
            i += 3
        elif "\x21" <= c <= "\x7e" and c not in "%,:":
            out.append(ord(c))
            i += 1
        else:
            return None
    return bytes(out)


def encode_directory_key(key: bytes) -> str:
    """The writer's encoding of a cluster key in a directory record (tests build records)."""
    return "".join(chr(b) if 0x21 <= b <= 0x7E and b not in (0x25, 0x2C, 0x3A) else "%%%02X" % b
                   for b in key)


def _optional_field(m: Dict[str, str], name: str, metadata: Dict[str, str],
                    info: Optional[ObjectInfo]) -> Optional[Tuple[str, ObjectInfo]]:
    """(value of mqtt2s3-<name>, the object's info), or None when the field is absent or the
    mandatory fields do not parse."""
    if _P + name not in m:
        return None
    try:
        return m[_P + name], info or parse_info(metadata)
    except FormatError:
        return None


def parse_group_directory(metadata: Dict[str, str],
                          info: Optional[ObjectInfo] = None) -> Optional[List[DirectoryGroup]]:
    """The group directory of an object, or None when it is absent or malformed.

    A malformed directory is never an error: the index still gives every message, so the
    reader falls back to it (never guesses). Checked: parts 0..P-1 present and non-empty,
    6 fields per record, canonical decimals and key encoding, count >= 1, ranges inside the
    body in ascending non-overlapping order, keys strictly ascending (bytes), first <= last
    within the object's event range, counts adding up to mqtt2s3-count.
    """
    m = normalize_metadata(metadata)
    found = _optional_field(m, "groups-parts", metadata, info)
    if found is None:
        return None
    parts_text, info = found
    parts = _canonical_decimal(parts_text)
    if parts is None or parts < 1 or parts > 1000:  # FORMAT.md 3.3: 1-1000
        return None
    records: List[str] = []
    for p in range(parts):
        text = m.get(f"{_P}groups-{p}")
        if not text:
            return None
        records.extend(text.split(","))
    groups = _parse_records(records, info)
    if groups is None or sum(g.count for g in groups) != info.message_count:
        return None
    return groups


def _parse_records(records: List[str], info: ObjectInfo) -> Optional[List[DirectoryGroup]]:
    """Directory records (FORMAT.md 3.3), each checked, keys and ranges ascending; None when
    any breaks a rule."""
    groups: List[DirectoryGroup] = []
    prev_key: Optional[bytes] = None
    prev_end = 0
    span = info.last_event_ms - info.first_event_ms
    for record in records:
        fields = record.split(":")
        if len(fields) != 6:
            return None
        key = _directory_key(fields[0])
        numbers = [_canonical_decimal(f) for f in fields[1:]]
        if not key or any(n is None for n in numbers):
            return None
        offset, length, count, first, last = numbers
        if not 1 <= count <= 0xFFFFFFFF or first > last or last > span:
            return None
        if offset < prev_end or offset + length > info.body_length:
            return None
        if info.body_format == "parquet" and offset < 4:
            return None
        if prev_key is not None and not prev_key < key:
            return None
        groups.append(DirectoryGroup(key.decode("utf-8", "surrogateescape"), offset, length,
                                     count, info.first_event_ms + first,
                                     info.first_event_ms + last))
        prev_key, prev_end = key, offset + length
    return groups


def split_group(info: ObjectInfo, group: DirectoryGroup, data: bytes) -> Optional[List[bytes]]:
    """The group's payloads from the bytes of ``group.fetch_range(info)``, or None when they
    do not frame into exactly ``group.count`` payloads (then use the index).

    JSON Lines: the range is payloads joined by the separator (the writer guarantees no
    payload holds it). Parquet: ``count`` runs of u32 little-endian length + payload."""
    if info.body_format == "parquet":
        out = []
        pos = 0
        while pos < len(data) and len(out) < group.count:
            if len(data) - pos < 4:
                return None
            (n,) = struct.unpack_from("<I", data, pos)
            pos += 4
            if n > len(data) - pos:
                return None
            out.append(data[pos:pos + n])
            pos += n
        return out if pos == len(data) and len(out) == group.count else None
    if not info.separator:
        return None
    out = data.split(info.separator)
    return out if len(out) == group.count else None


# -- group directory in index buckets (optional: mqtt2s3-group-buckets, FORMAT.md 3.4) -----------


def group_bucket_hash(data: bytes) -> int:
    """FNV-1a 64 (offset basis 0xcbf29ce484222325, prime 0x100000001b3)."""
    h = 0xcbf29ce484222325
    for b in data:
        h = ((h ^ b) * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
    return h


@dataclass
class GroupBuckets:
    """mqtt2s3-group-buckets: the §3.3 records hashed into ``buckets`` slots of ``slot`` bytes
    inside the companion index object (each a stored deflate block, 5 header bytes)."""
    offset: int        # of bucket 0's bytes in the companion index object
    buckets: int       # >= 1
    slot: int          # bytes per bucket, 1..65535
    delimiter: str     # between index key components
    components: int    # a cluster key is this many leading components; 0 = the whole key

    def bucket_of(self, cluster_key: str) -> int:
        return group_bucket_hash(_raw(cluster_key)) % self.buckets

    def cluster_key_of(self, index_key: str) -> str:
        """The first ``components`` components of an index key (all of it when 0 or when it
        has fewer)."""
        if self.components == 0:
            return index_key
        parts = index_key.split(self.delimiter)
        if len(parts) <= self.components:
            return index_key
        return self.delimiter.join(parts[:self.components])

    def slot_range(self, bucket: int) -> Tuple[int, int]:
        """(offset, length) of bucket's bytes in the index object."""
        return self.offset + bucket * (self.slot + 5), self.slot


def _framed(info: ObjectInfo) -> bool:
    return info.body_format == "parquet" or bool(info.separator)


def parse_group_buckets(metadata: Dict[str, str],
                        info: Optional[ObjectInfo] = None) -> Optional[GroupBuckets]:
    """mqtt2s3-group-buckets, or None when absent or malformed in any way (then read the whole
    index): five fields ``offset:buckets:slot:delimiter:components``, canonical decimals,
    1 <= buckets <= 8 x count, 1 <= slot <= 65535, the delimiter as two lowercase hex digits,
    components <= 255, and the buckets inside a companion index object before its Adler-32."""
    found = _optional_field(normalize_metadata(metadata), "group-buckets", metadata, info)
    if found is None:
        return None
    text, info = found
    if info.index_inline or not _framed(info) or info.message_count == 0:
        return None
    fields = text.split(":")
    if len(fields) != 5:
        return None
    offset, buckets, slot, components = (_canonical_decimal(f) for f in
                                         (fields[0], fields[1], fields[2], fields[4]))
    delim = fields[3]
    if None in (offset, buckets, slot, components) or components > 255:
        return None
    if len(delim) != 2 or any(c not in "0123456789abcdef" for c in delim):
        return None
    if not 1 <= buckets <= 8 * info.message_count or not 1 <= slot <= 65535:
        return None
    b = GroupBuckets(offset, buckets, slot, chr(int(delim, 16)), components)
    last_start, last_len = b.slot_range(buckets - 1)
    if offset < 7 or last_start + last_len + 4 > info.index_size:
        return None
    return b


def parse_group_bucket(info: ObjectInfo, buckets: GroupBuckets, bucket: int,
                       data: bytes) -> Optional[List[DirectoryGroup]]:
    """The groups in one bucket's bytes (the response to ``slot_range(bucket)``): [] for an
    empty bucket; None when anything breaks a rule of FORMAT.md 3.4 (wrong size, a record that
    does not parse or hashes to another bucket, keys or ranges not ascending)."""
    if len(data) != buckets.slot:
        return None
    text = data.rstrip(b" ")
    if not text:
        return []
    try:
        text = text.decode("ascii")
    except UnicodeDecodeError:
        return None
    groups = _parse_records(text.split(","), info)
    if groups is None or any(buckets.bucket_of(g.key) != bucket for g in groups):
        return None
    return groups
