// ZlibDeflater: zlib-compresses (RFC 1950) many small payloads with one reused stream.
// compress2() sets up and frees about 256 KiB of deflate state per call, which costs more
// than compressing a 150-byte weldspot; deflateReset keeps that state. Even so deflate costs
// about 5 us per weldspot here, so --compressed runs are bounded by compression, not MQTT.
//
//   ZlibDeflater z;
//   M2S_RETURN_IF_ERROR(z.Compress(json, &payload));   // payload overwritten
//
// Thread-safety: not thread-safe; one per thread. Movable, not copyable.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"

namespace mqtt2s3::sim {

class ZlibDeflater {
 public:
  ZlibDeflater();
  ~ZlibDeflater();
  ZlibDeflater(ZlibDeflater&&) noexcept;
  ZlibDeflater& operator=(ZlibDeflater&&) noexcept;

  // *out = `text` compressed at the default level (capacity of *out reused).
  Status Compress(std::string_view text, std::string* out);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace mqtt2s3::sim
