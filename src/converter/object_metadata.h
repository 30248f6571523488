// S3 user-metadata values carry hostile input (topics, dead-letter details): HTTP header
// values must be printable ASCII, and S3 limits their total size. EncodeMetadataValue keeps
// printable ASCII except '%', and percent-encodes every other byte (UTF-8 included), so
// DecodeMetadataValue returns the original bytes exactly.
// Pure functions; thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace mqtt2s3::converter {

// Encodes and truncates to at most `max_bytes` of output without splitting an escape.
std::string EncodeMetadataValue(std::string_view value, size_t max_bytes = 1024);
std::string DecodeMetadataValue(std::string_view encoded);

}  // namespace mqtt2s3::converter
