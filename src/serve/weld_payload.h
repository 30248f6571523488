// Reads one numeric field out of a weld-spot payload:
//   {"weldspot": {"Timestamp": "20181001 171035", "Voltage": "230", "Current": "10", ...}}
// Values are usually strings holding a decimal number; JSON numbers are accepted too.
// A payload published with COMPRESSED=1 is zlib (or gzip) data, stored as sent; it is
// inflated first.
//
//   WeldPayloadParser p;
//   StatusOr<double> v = p.Field(payload, "Voltage");   // 230
//
// Lifecycle: reuse one parser for many payloads (it keeps its buffers).
// Thread-safety: not thread-safe; one per thread.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"

namespace mqtt2s3::serve {

class WeldPayloadParser {
 public:
  // Inflated payloads larger than this are refused (a zlib bomb must not exhaust memory).
  static constexpr size_t kMaxInflatedBytes = 1 << 20;

  WeldPayloadParser();
  ~WeldPayloadParser();
  WeldPayloadParser(const WeldPayloadParser&) = delete;
  WeldPayloadParser& operator=(const WeldPayloadParser&) = delete;

  // The value of weldspot.<field>. InvalidArgument naming the field when the payload is not
  // JSON, lacks the field, or the value is not a finite number.
  StatusOr<double> Field(std::string_view payload, std::string_view field);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Inflates zlib (RFC 1950) or gzip (RFC 1952) data up to `max_bytes`; InvalidArgument when
// it is neither or inflates to more.
StatusOr<std::string> ZlibInflate(std::string_view data, size_t max_bytes);

}  // namespace mqtt2s3::serve
