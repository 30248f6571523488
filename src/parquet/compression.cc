#include "parquet/compression.h"

#include <zstd.h>

namespace mqtt2s3::parquet {

void ZstdCompressor::CtxDeleter::operator()(void* ctx) const {
  ZSTD_freeCCtx(static_cast<ZSTD_CCtx*>(ctx));
}

StatusOr<ZstdCompressor> ZstdCompressor::Create(int level) {
  if (level < ZSTD_minCLevel() || level > ZSTD_maxCLevel()) {
    return Status::InvalidArgument("parquet: zstd level " + std::to_string(level) +
                                   " is outside " + std::to_string(ZSTD_minCLevel()) + ".." +
                                   std::to_string(ZSTD_maxCLevel()));
  }
  ZSTD_CCtx* ctx = ZSTD_createCCtx();
  if (ctx == nullptr) return Status::ResourceExhausted("parquet: ZSTD_createCCtx failed");
  return ZstdCompressor(ctx, level);
}

Status ZstdCompressor::Compress(std::string_view in, std::string* out) {
  out->resize(ZSTD_compressBound(in.size()));
  const size_t n = ZSTD_compressCCtx(static_cast<ZSTD_CCtx*>(ctx_.get()), out->data(),
                                     out->size(), in.data(), in.size(), level_);
  if (ZSTD_isError(n)) {
    return Status::Internal(std::string("parquet: zstd compression failed: ") +
                            ZSTD_getErrorName(n));
  }
  out->resize(n);
  return Status::Ok();
}

}  // namespace mqtt2s3::parquet
