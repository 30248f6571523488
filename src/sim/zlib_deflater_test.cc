#include "sim/zlib_deflater.h"

#include <zlib.h>

#include <gtest/gtest.h>

namespace mqtt2s3::sim {
namespace {

std::string Inflate(const std::string& z, size_t max) {
  std::string out(max, '\0');
  uLongf size = out.size();
  EXPECT_EQ(uncompress(reinterpret_cast<Bytef*>(out.data()), &size,
                       reinterpret_cast<const Bytef*>(z.data()), z.size()),
            Z_OK);
  out.resize(size);
  return out;
}

TEST(ZlibDeflater, ReusedStreamRoundTripsEveryPayloadIndependently) {
  ZlibDeflater z;
  std::string out;
  for (std::string text : {std::string(R"({"weldspot":{"Voltage":"230"}})"), std::string(),
                           std::string(100'000, 'q'), std::string("x")}) {
    ASSERT_TRUE(z.Compress(text, &out).ok());
    EXPECT_EQ(out[0], 0x78) << "zlib header";
    EXPECT_EQ(Inflate(out, text.size() + 1), text);
  }
}

TEST(ZlibDeflater, SameInputGivesSameBytesWhateverCameBefore) {
  ZlibDeflater a, b;
  std::string first, second, unused;
  ASSERT_TRUE(a.Compress("some earlier payload", &unused).ok());
  ASSERT_TRUE(a.Compress(R"({"seq":1})", &first).ok());
  ASSERT_TRUE(b.Compress(R"({"seq":1})", &second).ok());
  EXPECT_EQ(first, second);
}

}  // namespace
}  // namespace mqtt2s3::sim
