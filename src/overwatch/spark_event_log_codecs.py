"""Decode Spark event log files in every compression Spark and Databricks write, into numbered lines.

Spark names a compressed event log by its codec's short name (`spark.eventLog.compression.codec`):
`<app id>.zstd`, `.lz4`, `.snappy`, `.lzf`, or `events_<n>_<app id>.<codec>` in the rolling layout;
Databricks rolls its live `eventlog` into `eventlog-YYYY-MM-DD--HH-MM.gz`. Spark's codecs are its JVM
libraries' own stream formats, so the registry packages decode the compressed blocks and this module
reads only the thin framing around them (documented at each reader, checked against Spark 3.5's own
output in tests/fixtures/spark_event_logs):

| extension | Spark's writer | framing read here | blocks decoded by |
|---|---|---|---|
| none | plain text | - | - |
| `.gz` | Databricks log rolling | - | `gzip` (standard library) |
| `.zstd` | zstd-jni `ZstdOutputStream` | - (standard zstd frames, one per flush) | `cramjam.zstd` |
| `.lz4` | lz4-java `LZ4BlockOutputStream` | `LZ4Block` headers | `cramjam.lz4` (raw blocks) |
| `.snappy` | snappy-java `SnappyOutputStream` | `\\x82SNAPPY` header, sized chunks | `cramjam.snappy` |
| `.lzf` | compress-lzf `LZFOutputStream` | `ZV` chunks | `lzf` (python-lzf) |

Anything else (another extension, bytes that are not the codec's format, a stream cut mid-block) raises
`UnreadableEventLog` with one sentence saying why.
"""

from __future__ import annotations

import gzip
import re
import struct
from collections.abc import Callable, Iterator

PLAIN = "none"
# A Spark application id never holds a dot, so the last dot starts the codec extension. `.inprogress`
# marks a single-file log Spark is still writing (renamed on completion).
IN_PROGRESS_SUFFIX = ".inprogress"
LZ4_MAGIC = b"LZ4Block"
LZ4_RAW, LZ4_COMPRESSED = 0x10, 0x20
SNAPPY_MAGIC = b"\x82SNAPPY\x00"
LZF_MAGIC = b"ZV"


class UnreadableEventLog(ValueError):
    """The file cannot be decoded into lines; the message is the reason quarantined with it."""


def file_name(path: str) -> str:
    return path.rstrip("/").rsplit("/", 1)[-1]


def log_name(path: str) -> str:
    """The file's name without `.inprogress`: the same log before and after Spark completes it."""
    name = file_name(path)
    return name.removesuffix(IN_PROGRESS_SUFFIX)


def codec_of(path: str) -> str:
    """The codec a file's name says it is written in: `none`, `gz`, `zstd`, `lz4`, `snappy` or `lzf`,
    or whatever other extension it carries (which `decoded_lines` refuses)."""
    name = log_name(path)
    return name.rsplit(".", 1)[1].lower() if "." in name else PLAIN


def _zstd_chunks(data: bytes) -> Iterator[bytes]:
    """zstd-jni writes standard zstd frames (Spark closes one at every flush); cramjam reads them all
    and fails on a cut frame."""
    import cramjam

    yield bytes(cramjam.zstd.decompress(data))


def _gzip_chunks(data: bytes) -> Iterator[bytes]:
    yield gzip.decompress(data)


def _lz4_block_chunks(data: bytes) -> Iterator[bytes]:
    """lz4-java's LZ4BlockOutputStream: blocks of `LZ4Block`, a token (method 0x10 raw or 0x20 lz4 in
    the high nibble, level in the low), compressed and original length and an xxhash32 checksum (all
    little-endian int32), then the block. An empty raw block ends a stream; another may follow. The
    checksum needs an xxhash package and is not checked: a damaged block fails lz4 or its length."""
    import cramjam

    header = struct.Struct("<8sBiii")
    offset = 0
    while offset < len(data):
        if len(data) - offset < header.size:
            raise UnreadableEventLog(f"lz4 stream cut in a block header at byte {offset}")
        magic, token, compressed_length, original_length, _checksum = header.unpack_from(data, offset)
        method = token & 0xF0
        if magic != LZ4_MAGIC or method not in (LZ4_RAW, LZ4_COMPRESSED):
            raise UnreadableEventLog(f"not an LZ4Block stream (lz4-java): bad block header at byte {offset}")
        start = offset + header.size
        block = data[start : start + compressed_length]
        if len(block) != compressed_length or compressed_length < 0 or original_length < 0:
            raise UnreadableEventLog(f"lz4 stream cut in the block at byte {offset}")
        offset = start + compressed_length
        if method == LZ4_RAW:
            yield block
        else:
            yield bytes(cramjam.lz4.decompress_block(block, output_len=original_length))


def _snappy_java_chunks(data: bytes) -> Iterator[bytes]:
    """snappy-java's SnappyOutputStream (Spark 3.5's snappy codec; not the framing format): a 16-byte
    header (`\\x82SNAPPY\\0`, version and compatible version), then chunks of a big-endian int32 length
    and one raw snappy block. A header may start again where two streams were concatenated."""
    import cramjam

    if not data.startswith(SNAPPY_MAGIC):
        raise UnreadableEventLog("not a snappy-java stream: no \\x82SNAPPY header")
    offset = 0
    while offset < len(data):
        if data.startswith(SNAPPY_MAGIC, offset):
            offset += 16
            continue
        if len(data) - offset < 4:
            raise UnreadableEventLog(f"snappy stream cut in a chunk length at byte {offset}")
        (length,) = struct.unpack_from(">i", data, offset)
        block = data[offset + 4 : offset + 4 + length]
        if length < 0 or len(block) != length:
            raise UnreadableEventLog(f"snappy stream cut in the chunk at byte {offset}")
        offset += 4 + length
        yield bytes(cramjam.snappy.decompress_raw(block))


def _lzf_chunks(data: bytes) -> Iterator[bytes]:
    """compress-lzf's LZFOutputStream: chunks of `ZV`, a type byte (0 stored, 1 compressed), then a
    big-endian uint16 length (and for a compressed chunk the uint16 original length) and the data."""
    import lzf

    offset = 0
    while offset < len(data):
        if not data.startswith(LZF_MAGIC, offset) or len(data) - offset < 5:
            raise UnreadableEventLog(f"not an LZF stream (compress-lzf): no ZV chunk at byte {offset}")
        chunk_type = data[offset + 2]
        (length,) = struct.unpack_from(">H", data, offset + 3)
        if chunk_type == 0:
            block = data[offset + 5 : offset + 5 + length]
            offset += 5 + length
            decoded = block
        elif chunk_type == 1 and len(data) - offset >= 7:
            (original_length,) = struct.unpack_from(">H", data, offset + 5)
            block = data[offset + 7 : offset + 7 + length]
            offset += 7 + length
            decoded = lzf.decompress(block, original_length) if len(block) == length else None
            if decoded is None or len(decoded) != original_length:
                raise UnreadableEventLog(f"lzf chunk before byte {offset} does not decode")
        else:
            raise UnreadableEventLog(f"lzf chunk of unknown type {chunk_type} at byte {offset}")
        if len(block) != length:
            raise UnreadableEventLog(f"lzf stream cut in the chunk before byte {offset}")
        yield decoded


CHUNK_READERS: dict[str, Callable[[bytes], Iterator[bytes]]] = {
    PLAIN: lambda data: iter([data]),
    "gz": _gzip_chunks,
    "zstd": _zstd_chunks,
    "lz4": _lz4_block_chunks,
    "snappy": _snappy_java_chunks,
    "lzf": _lzf_chunks,
}


def unknown_codec_reason(codec: str) -> str:
    known = ", ".join(f".{name}" for name in CHUNK_READERS if name != PLAIN)
    return f"unknown compression extension .{codec}: event logs are read plain or as {known}"


def decoded_lines(path: str, data: bytes) -> Iterator[tuple[int, str]]:
    """The file's lines with their 1-based numbers (blank lines counted, not yielded), as Spark's text
    reader numbers a plain file; raises UnreadableEventLog, possibly after some lines, when the file
    cannot be decoded to its end."""
    codec = codec_of(path)
    reader = CHUNK_READERS.get(codec)
    if reader is None:
        raise UnreadableEventLog(unknown_codec_reason(codec))
    if not data:
        return  # a log Spark has just created: no line yet, in any codec
    line_number, pending = 0, b""
    try:
        for chunk in reader(data):
            *complete, pending = (pending + chunk).split(b"\n")
            for line in complete:
                line_number += 1
                if line.strip():
                    yield line_number, _text(line)
    except UnreadableEventLog:
        raise
    except Exception as error:  # the codec libraries raise their own types; each is a reason
        reason = re.sub(r"\s+", " ", str(error)).strip() or type(error).__name__
        raise UnreadableEventLog(f"{codec} data does not decode: {reason}") from error
    if pending.strip():
        yield line_number + 1, _text(pending)


def _text(line: bytes) -> str:
    # Spark writes UTF-8; a damaged byte becomes U+FFFD, as Spark's text reader makes it, so the line is
    # still kept (and quarantined as malformed JSON if it no longer parses).
    return line.rstrip(b"\r").decode("utf-8", errors="replace")
