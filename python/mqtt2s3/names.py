"""Canonical object names: the batch's event-time range, instance and sequence from the key alone.

Same rules as the C++ ``route/object_name.h`` (tests in ``python/tests/test_names.py`` share its
cases)::

    <first>_<last>_<instance>_<partition_seq>[.<extension>]
    20181001T170000.000Z_20181001T172739.000Z_gw-1_0000000042.jsonl

- first, last: UTC event times of the batch, "YYYYMMDDTHHMMSS.mmmZ" (fixed width: names sort
  by time), 1970-01-01T00:00:00.000Z .. 9999-12-31T23:59:59.999Z, first <= last;
- instance: 1..64 bytes; every byte outside [A-Za-z0-9.-] (so '_' too) is %XX, upper-case hex;
- partition_seq: decimal, zero-padded to at least 10 digits, fits 64 bits;
- extension: [a-z0-9] words joined by single '.', at most 16 bytes; may be empty.

Only the canonical spelling parses: ``format_object_name(*parse_object_name(n)) == n``.

    >>> p = parse_object_name("plant/2018/10/01/17/"
    ...                       "20181001T170000.000Z_20181001T172739.000Z_gw-1_0000000042.jsonl")
    >>> p.first_ms, p.last_ms, p.instance, p.partition_seq, p.extension
    (1538413200000, 1538414859000, 'gw-1', 42, 'jsonl')

Instances are ``str``; bytes that are not UTF-8 round-trip through ``surrogateescape``.
Standard library only.
"""

import datetime
import re
from typing import NamedTuple

MAX_EVENT_TIME_MS = 253402300799999  # 9999-12-31T23:59:59.999Z (route/event_time.h)
SEQ_WIDTH = 10
_TIME_BYTES = 20
_MAX_INSTANCE_BYTES = 64
_MAX_EXTENSION_BYTES = 16
_PLAIN = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789.-")
_EXTENSION = re.compile(r"[a-z0-9]+(\.[a-z0-9]+)*\Z")
_TIME = re.compile(r"(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})\.(\d{3})Z\Z")
_EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)


class ObjectNameError(ValueError):
    """A key is not a canonical mqtt2s3 object name, or parts cannot form one."""


class ObjectName(NamedTuple):
    first_ms: int
    last_ms: int
    instance: str
    partition_seq: int
    extension: str = ""


def _instance_bytes(instance: str) -> bytes:
    return instance.encode("utf-8", "surrogateescape")


def validate(parts: ObjectName) -> None:
    """Raises ObjectNameError when the parts cannot form a name (C++ ObjectNameParts::Validate)."""
    if not (0 <= parts.first_ms <= MAX_EVENT_TIME_MS and 0 <= parts.last_ms <= MAX_EVENT_TIME_MS):
        raise ObjectNameError("object name: times must lie in "
                              "1970-01-01T00:00:00.000Z..9999-12-31T23:59:59.999Z")
    if parts.first_ms > parts.last_ms:
        raise ObjectNameError("object name: first time is after last time")
    if not 1 <= len(_instance_bytes(parts.instance)) <= _MAX_INSTANCE_BYTES:
        raise ObjectNameError("object name: instance must be 1..64 bytes")
    if not 0 <= parts.partition_seq < 1 << 64:
        raise ObjectNameError("object name: partition sequence must fit 64 bits")
    ext = parts.extension
    if len(ext) > _MAX_EXTENSION_BYTES or (ext and not _EXTENSION.match(ext)):
        raise ObjectNameError("object name: extension must be [a-z0-9] words joined by '.', "
                              "at most 16 bytes")


def format_compact_utc(ms: int) -> str:
    """"YYYYMMDDTHHMMSS.mmmZ" for ms since the epoch, clamped like the C++ AppendCompactUtc."""
    ms = min(max(ms, 0), MAX_EVENT_TIME_MS)
    t = _EPOCH + datetime.timedelta(milliseconds=ms)
    return f"{t.year:04d}{t.month:02d}{t.day:02d}T{t.hour:02d}{t.minute:02d}{t.second:02d}." \
           f"{ms % 1000:03d}Z"


def _parse_compact_utc(text: str) -> int:
    m = _TIME.match(text)
    if not m or not text.isascii():
        raise ValueError(text)
    y, mo, d, h, mi, s, milli = (int(g) for g in m.groups())
    if y < 1970:
        raise ValueError(text)
    t = datetime.datetime(y, mo, d, h, mi, s, tzinfo=datetime.timezone.utc)  # checks ranges
    return (t - _EPOCH) // datetime.timedelta(seconds=1) * 1000 + milli


def format_object_name(first_ms: int, last_ms: int, instance: str, partition_seq: int,
                       extension: str = "") -> str:
    """The canonical name; raises ObjectNameError for parts that cannot form one."""
    parts = ObjectName(first_ms, last_ms, instance, partition_seq, extension)
    validate(parts)
    enc = "".join(chr(b) if b in _PLAIN else f"%{b:02X}" for b in _instance_bytes(instance))
    name = (f"{format_compact_utc(first_ms)}_{format_compact_utc(last_ms)}_{enc}_"
            f"{partition_seq:0{SEQ_WIDTH}d}")
    return name + "." + extension if extension else name


def parse_object_name(key: str) -> ObjectName:
    """Parses a bare name or a key whose last path component is one.

    Raises ObjectNameError ("not an mqtt2s3 object name: '<key>': <why>") otherwise.
    """
    name = key[key.rfind("/") + 1:]

    def fail(why: str) -> ObjectNameError:
        return ObjectNameError(f"not an mqtt2s3 object name: '{key[:200]}': {why}")

    if len(name) < 2 * _TIME_BYTES + 2 + 1 + 1 + SEQ_WIDTH:
        raise fail("too short")
    if name[_TIME_BYTES] != "_" or name[2 * _TIME_BYTES + 1] != "_":
        raise fail("expected <first>_<last>_<instance>_<seq>")
    try:
        first = _parse_compact_utc(name[:_TIME_BYTES])
    except ValueError:
        raise fail("bad first time") from None
    try:
        last = _parse_compact_utc(name[_TIME_BYTES + 1:2 * _TIME_BYTES + 1])
    except ValueError:
        raise fail("bad last time") from None
    rest = name[2 * _TIME_BYTES + 2:]
    sep = rest.rfind("_")
    if sep <= 0:
        raise fail("missing instance")
    encoded = rest[:sep].encode("utf-8", "surrogateescape")
    raw = bytearray()
    i = 0
    while i < len(encoded):
        c = encoded[i]
        if c == ord("%"):
            digits = encoded[i + 1:i + 3]
            if len(digits) != 2 or any(d not in b"0123456789ABCDEF" for d in digits):
                raise fail("bad percent-escape in instance")
            raw.append(int(digits, 16))
            i += 3
        elif c in _PLAIN:
            raw.append(c)
            i += 1
        else:
            raise fail("unencoded character in instance")
    tail = rest[sep + 1:]
    digits, dot, extension = tail.partition(".")
    if not SEQ_WIDTH <= len(digits) <= 20:
        raise fail("partition sequence must have 10..20 digits")
    if not (digits.isascii() and digits.isdigit()):
        raise fail("partition sequence is not a number")
    seq = int(digits)
    if seq >= 1 << 64:
        raise fail("partition sequence overflows 64 bits")
    if dot and not extension:
        raise fail("empty extension after '.'")
    parts = ObjectName(first, last, bytes(raw).decode("utf-8", "surrogateescape"), seq, extension)
    try:
        canonical = format_object_name(*parts)
    except ObjectNameError as e:
        raise fail(str(e)[len("object name: "):]) from None
    # Only the canonical spelling is a name: rejects escapes of plain characters, extra leading
    # zeros and the like, so two spellings never name the same batch.
    if canonical != name:
        raise fail("not in canonical form")
    return parts


def overlaps(name: ObjectName, time_from=None, time_to=None) -> bool:
    """Whether the batch's [first_ms, last_ms] meets [time_from, time_to) (None = open)."""
    if time_from is not None and name.last_ms < time_from:
        return False
    if time_to is not None and name.first_ms >= time_to:
        return False
    return True
