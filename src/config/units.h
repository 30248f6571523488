// Scalars as people write them in the config file: durations, sizes, integers, booleans.
//
//   ParseDuration("500ms") -> 500ms;  "30s", "5m", "1h", "2d"; "0" is zero.
//   ParseSize("64KiB") -> 65536;  "8MiB", "1GB" (10^9), "1GiB", "512B", or a plain "4096".
//   FormatDuration(90s) -> "90s";  FormatSize(16 << 20) -> "16MiB" (largest exact unit).
//
// Pure functions; thread-safe. Errors say what was expected and quote what was found.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace mqtt2s3::config {

StatusOr<std::chrono::milliseconds> ParseDuration(std::string_view text);
std::string FormatDuration(std::chrono::milliseconds d);

StatusOr<uint64_t> ParseSize(std::string_view text);
std::string FormatSize(uint64_t bytes);

// Strict decimal integer ("-12", "8080"); no spaces, no '+', no hex.
bool ParseInt64(std::string_view text, int64_t* value);

// true/false, yes/no, on/off (any case).
bool ParseBool(std::string_view text, bool* value);

// [A-Za-z_][A-Za-z0-9_]*
bool IsEnvVarName(std::string_view name);

}  // namespace mqtt2s3::config
