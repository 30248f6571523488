// Pure helpers shared by the SigV4 signer and the request builder: S3 URI encoding,
// SHA-256 / HMAC-SHA256 (OpenSSL), hex, and the two timestamp formats SigV4 uses.
//
//   std::string path = "/" + UriEncode(bucket, true) + "/" + UriEncodeKey(key);
//   std::string hash = Sha256Hex(body);
//
// Thread-safety: free functions without shared state.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace mqtt2s3::s3 {

// Percent-encodes every byte except the RFC 3986 unreserved set (A-Z a-z 0-9 - _ . ~), with
// upper-case hex, as SigV4 requires. '/' is kept when `keep_slash` is true (object key paths)
// and encoded otherwise (query names and values).
std::string UriEncode(std::string_view in, bool keep_slash);

// An object key as a path: each '/'-separated segment encoded, the slashes kept.
inline std::string UriEncodeKey(std::string_view key) { return UriEncode(key, true); }

// Raw 32-byte digests and their lower-case hex form.
std::string Sha256(std::string_view data);
std::string Sha256Hex(std::string_view data);
std::string HmacSha256(std::string_view key, std::string_view data);
std::string HexEncode(std::string_view bytes);

// "20260102T030405Z" and "20260102" (UTC), the forms SigV4 signs.
std::string AmzDateTime(std::chrono::system_clock::time_point t);

// Parses an S3 timestamp: ISO 8601 as in ListObjectsV2 ("2026-01-02T03:04:05.000Z") or an
// HTTP date as in Last-Modified ("Fri, 02 Jan 2026 03:04:05 GMT"). nullopt when neither.
std::optional<std::chrono::system_clock::time_point> ParseS3Time(std::string_view text);

}  // namespace mqtt2s3::s3
