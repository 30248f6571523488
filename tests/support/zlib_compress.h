// ZlibCompress: test-only helper that deflates text into a zlib (RFC 1950) stream, or a gzip
// (RFC 1952) one with window_bits 15 + 16, for the tests of everything that inflates payloads
// (the router, the column extractor, serve's payload readers).
//
//   const std::string z = testing::ZlibCompress(R"({"v":1})");        // zlib
//   const std::string gz = testing::ZlibCompress(R"({"v":1})", 15 + 16);  // gzip
//
// A zlib error fails the calling test (gtest EXPECT), then returns what was written.
#pragma once

#include <gtest/gtest.h>
#include <zlib.h>

#include <string>
#include <string_view>

namespace mqtt2s3::testing {

inline std::string ZlibCompress(std::string_view text, int window_bits = 15) {
  z_stream zs{};
  EXPECT_EQ(deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, window_bits, 8,
                         Z_DEFAULT_STRATEGY),
            Z_OK);
  std::string out(deflateBound(&zs, text.size()), '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
  zs.avail_in = static_cast<uInt>(text.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&zs, Z_FINISH), Z_STREAM_END);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

}  // namespace mqtt2s3::testing
