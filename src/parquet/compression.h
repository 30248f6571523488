// ZstdCompressor: page compression for CompressionCodec ZSTD (a plain zstd frame per page, as
// parquet-format Compression.md asks). Owns one ZSTD_CCtx, reused for every page.
//
//   M2S_ASSIGN_OR_RETURN(ZstdCompressor z, ZstdCompressor::Create(3));
//   M2S_RETURN_IF_ERROR(z.Compress(page, &scratch));   // scratch is replaced
//
// Lifecycle: one per writer. Thread-safety: none (the context is mutable state).
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"

namespace mqtt2s3::parquet {

class ZstdCompressor {
 public:
  static StatusOr<ZstdCompressor> Create(int level);

  // Replaces *out with the compressed frame of `in`; keeps out's capacity between calls.
  Status Compress(std::string_view in, std::string* out);

 private:
  struct CtxDeleter {
    void operator()(void* ctx) const;
  };
  ZstdCompressor(void* ctx, int level) : ctx_(ctx), level_(level) {}

  std::unique_ptr<void, CtxDeleter> ctx_;
  int level_;
};

}  // namespace mqtt2s3::parquet
