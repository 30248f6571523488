// "bucket 'b' key 'k'": how reader errors name an object. Internal to src/reader.
#pragma once

#include <string>
#include <string_view>

namespace mqtt2s3::reader_internal {

inline std::string Where(std::string_view bucket, std::string_view key) {
  return "bucket '" + std::string(bucket) + "' key '" + std::string(key) + "'";
}

}  // namespace mqtt2s3::reader_internal
