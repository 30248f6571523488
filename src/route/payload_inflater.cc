#include "route/payload_inflater.h"

#include <zlib.h>

#include <algorithm>
#include <climits>
#include <cstring>

namespace mqtt2s3::route {

struct PayloadInflater::Impl {
  z_stream zs{};
  bool initialized = false;
  std::unique_ptr<char[]> buf;  // not std::string: growing must not zero-fill
  size_t cap = 0;

  ~Impl() {
    if (initialized) inflateEnd(&zs);
  }

  void Grow(size_t want, size_t used) {
    auto bigger = std::make_unique<char[]>(want);
    if (used > 0) std::memcpy(bigger.get(), buf.get(), used);
    buf = std::move(bigger);
    cap = want;
  }
};

PayloadInflater::PayloadInflater() : impl_(std::make_unique<Impl>()) {}
PayloadInflater::~PayloadInflater() = default;
PayloadInflater::PayloadInflater(PayloadInflater&&) noexcept = default;
PayloadInflater& PayloadInflater::operator=(PayloadInflater&&) noexcept = default;

size_t PayloadInflater::capacity() const { return impl_->cap; }

InflateResult PayloadInflater::Inflate(std::string_view in, size_t max_bytes,
                                       std::string_view* out, std::string* detail) {
  Impl& m = *impl_;
  auto corrupt = [&](std::string_view why) {
    detail->assign("compressed payload: ").append(why);
    return InflateResult::kCorrupt;
  };
  auto too_large = [&] {
    detail->assign("compressed payload inflates to more than " + std::to_string(max_bytes) +
                   " bytes");
    return InflateResult::kTooLarge;
  };
  if (in.size() > UINT_MAX) return corrupt("larger than zlib can take in one call");
  // windowBits 15 + 32: accept a zlib or a gzip header. Reset keeps the 32 KiB window zlib
  // allocated on first use, so only the first message pays for it.
  if (!m.initialized) {
    if (inflateInit2(&m.zs, 15 + 32) != Z_OK) return corrupt("zlib could not be initialised");
    m.initialized = true;
  } else if (inflateReset(&m.zs) != Z_OK) {
    return corrupt("zlib stream could not be reset");
  }
  m.zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  m.zs.avail_in = static_cast<uInt>(in.size());
  // One byte past the limit tells "too large" from "exactly max_bytes".
  const size_t limit = max_bytes + 1;
  if (m.cap == 0) m.Grow(std::min(limit, std::max<size_t>(4096, in.size() * 8)), 0);
  size_t used = 0;
  while (true) {
    const size_t usable = std::min(m.cap, limit);  // cap may be larger from an earlier call
    const size_t room = used < usable ? usable - used : 0;
    if (room == 0) {
      if (used >= limit) return too_large();
      m.Grow(std::min(limit, m.cap * 2), used);
      continue;
    }
    const uInt chunk = static_cast<uInt>(std::min<size_t>(room, UINT_MAX));
    m.zs.next_out = reinterpret_cast<Bytef*>(m.buf.get() + used);
    m.zs.avail_out = chunk;
    const int rc = inflate(&m.zs, Z_NO_FLUSH);
    used += chunk - m.zs.avail_out;
    if (rc == Z_STREAM_END) {
      if (used > max_bytes) return too_large();
      if (m.zs.avail_in != 0) {
        return corrupt(std::to_string(m.zs.avail_in) + " bytes after the end of the zlib stream");
      }
      *out = std::string_view(m.buf.get(), used);
      return InflateResult::kOk;
    }
    if ((rc == Z_OK || rc == Z_BUF_ERROR) && m.zs.avail_out == 0) continue;  // needs room
    if (rc == Z_OK || rc == Z_BUF_ERROR) return corrupt("truncated zlib stream");
    return corrupt(std::string("not a valid zlib stream (") +
                   (m.zs.msg != nullptr ? std::string(m.zs.msg) : "zlib error " + std::to_string(rc)) + ")");
  }
}

}  // namespace mqtt2s3::route
