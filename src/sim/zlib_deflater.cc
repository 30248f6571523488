#include "sim/zlib_deflater.h"

#include <zlib.h>

#include <climits>

namespace mqtt2s3::sim {

struct ZlibDeflater::Impl {
  z_stream zs{};
  bool initialized = false;

  ~Impl() {
    if (initialized) deflateEnd(&zs);
  }
};

ZlibDeflater::ZlibDeflater() : impl_(std::make_unique<Impl>()) {}
ZlibDeflater::~ZlibDeflater() = default;
ZlibDeflater::ZlibDeflater(ZlibDeflater&&) noexcept = default;
ZlibDeflater& ZlibDeflater::operator=(ZlibDeflater&&) noexcept = default;

Status ZlibDeflater::Compress(std::string_view text, std::string* out) {
  Impl& m = *impl_;
  if (text.size() > UINT_MAX / 2) return Status::InvalidArgument("zlib: payload too large");
  if (!m.initialized) {
    if (deflateInit(&m.zs, Z_DEFAULT_COMPRESSION) != Z_OK) {
      return Status::Internal("zlib: deflateInit failed");
    }
    m.initialized = true;
  } else if (deflateReset(&m.zs) != Z_OK) {
    return Status::Internal("zlib: deflateReset failed");
  }
  out->resize(deflateBound(&m.zs, static_cast<uLong>(text.size())));
  m.zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
  m.zs.avail_in = static_cast<uInt>(text.size());
  m.zs.next_out = reinterpret_cast<Bytef*>(out->data());
  m.zs.avail_out = static_cast<uInt>(out->size());
  // deflateBound guarantees one Z_FINISH call completes.
  const int rc = deflate(&m.zs, Z_FINISH);
  if (rc != Z_STREAM_END) {
    out->clear();
    return Status::Internal("zlib: deflate returned " + std::to_string(rc));
  }
  out->resize(m.zs.total_out);
  return Status::Ok();
}

}  // namespace mqtt2s3::sim
