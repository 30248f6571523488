// Byte encodings the object format uses: SHA-256 (OpenSSL), zlib (RFC 1950), base64
// (RFC 4648, standard alphabet, padded), lowercase hex, and the percent-encoding of metadata
// values that may hold arbitrary bytes. Each has a Python standard-library twin (hashlib,
// zlib, base64, bytes.hex, urllib.parse.unquote_to_bytes), which is what lets readers outside
// C++ decode objects; see docs/FORMAT.md.
// Pure functions; thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "common/status.h"

namespace mqtt2s3::format {

// Lowercase hex SHA-256 of `data` (64 characters).
std::string Sha256Hex(std::string_view data);

std::string Base64Encode(std::string_view data);
StatusOr<std::string> Base64Decode(std::string_view text);

std::string HexEncode(std::string_view data);
StatusOr<std::string> HexDecode(std::string_view text);

// Keeps printable ASCII except '%' and space; every other byte becomes %XX (uppercase hex).
std::string PercentEncode(std::string_view data);
StatusOr<std::string> PercentDecode(std::string_view text);

// zlib stream (header + deflate + adler32) at `level` 0..9.
StatusOr<std::string> ZlibCompress(std::string_view data, int level);
// One zlib stream of `head` then `tail`, where `tail` is written as stored (uncompressed)
// deflate blocks of `block` bytes each (tail.size() a multiple of block, 1 <= block <= 65535),
// so block i of the tail is the bytes [*tail_at + i * (block + 5), ... + block) of the result:
// a reader range-reads one block without inflating the stream. Any zlib reader inflates the
// whole to head + tail.
StatusOr<std::string> ZlibCompressWithStoredTail(std::string_view head, std::string_view tail,
                                                 size_t block, int level, uint64_t* tail_at);
// Refuses output larger than `max_output` (Corruption), and trailing bytes after the stream.
StatusOr<std::string> ZlibDecompress(std::string_view data, size_t max_output);

}  // namespace mqtt2s3::format
