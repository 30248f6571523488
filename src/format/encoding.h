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
// Refuses output larger than `max_output` (Corruption), and trailing bytes after the stream.
StatusOr<std::string> ZlibDecompress(std::string_view data, size_t max_output);

}  // namespace mqtt2s3::format
