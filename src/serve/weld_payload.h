// Reads one number out of a JSON payload, by RFC 6901 JSON pointer; the weld-spot payload
//   {"weldspot": {"Timestamp": "20181001 171035", "Voltage": "230", "Current": "10", ...}}
// has its own shorthand. Values are often strings holding a decimal number; JSON numbers are
// accepted too, and booleans as 0/1. A payload published with COMPRESSED=1 is zlib (or gzip)
// data, stored as sent; it is inflated first.
//
//   WeldPayloadParser p;
//   StatusOr<double> v = p.Field(payload, "Voltage");              // 230
//   StatusOr<double> t = p.Number(payload, "/sensors/0/t");        // any payload
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

  // The value at JSON pointer `pointer` (see serve/target.h ValidatePointer). InvalidArgument
  // naming the pointer when the payload is not JSON, has nothing there, or the value is not
  // a finite number, a string wholly holding one, or a boolean.
  StatusOr<double> Number(std::string_view payload, std::string_view pointer);

  // The value of weldspot.<field>, as Number(payload, "/weldspot/<field>"); errors name
  // weldspot.<field>.
  StatusOr<double> Field(std::string_view payload, std::string_view field);

 private:
  StatusOr<double> Read(std::string_view payload, std::string_view pointer,
                        std::string_view label);

  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace mqtt2s3::serve
