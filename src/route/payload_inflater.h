// PayloadInflater: decompresses a zlib-compressed (RFC 1950; gzip RFC 1952 also accepted)
// payload into a reused scratch buffer, so the router can read fields of compressed JSON.
// Only the router's copy is inflated: the stored payload stays as sent.
//
//   PayloadInflater inflater;                      // once per thread; keeps its buffers
//   std::string_view json;
//   std::string why;
//   switch (inflater.Inflate(payload, 1 << 20, &json, &why)) {
//     case InflateResult::kOk: fields.Reset(json); break;       // valid until the next call
//     default: DeadLetter(kInvalidPayload, why);
//   }
//
// Steady state allocates nothing: the zlib stream is reset, not re-created, and the output
// buffer keeps its capacity (it grows geometrically up to the limit, never beyond it).
//
// Thread-safety: not thread-safe; one instance per thread (the router's scratch).
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

namespace mqtt2s3::route {

enum class InflateResult : uint8_t {
  kOk,
  kCorrupt,   // not a zlib/gzip stream, bad checksum, truncated, or bytes after its end
  kTooLarge,  // inflates to more than max_bytes
};

// True when `payload` starts like a zlib stream (0x78: deflate, 32 KiB window) or a gzip one
// (0x1f). A JSON text never does, so a reader that does not know whether a stored payload was
// compressed (serve: the topic level that said so is not at hand) can tell by its first byte.
inline bool LooksZlibOrGzip(std::string_view payload) {
  return !payload.empty() && (static_cast<unsigned char>(payload[0]) == 0x78 ||
                              static_cast<unsigned char>(payload[0]) == 0x1f);
}

class PayloadInflater {
 public:
  PayloadInflater();
  ~PayloadInflater();
  PayloadInflater(PayloadInflater&&) noexcept;
  PayloadInflater& operator=(PayloadInflater&&) noexcept;

  // On kOk, *out views the inflated bytes (valid until the next Inflate or destruction).
  // Otherwise *detail says what was wrong (safe to log: no payload bytes).
  InflateResult Inflate(std::string_view in, size_t max_bytes, std::string_view* out,
                        std::string* detail);

  // Current capacity of the output buffer (tests: it must stop growing).
  size_t capacity() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace mqtt2s3::route
