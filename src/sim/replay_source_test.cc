#include "sim/replay_source.h"

#include <zlib.h>

#include <cstdio>
#include <fstream>

#include <gtest/gtest.h>

namespace mqtt2s3::sim {
namespace {

class ReplaySourceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = ::testing::TempDir() + "replay_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".jsonl";
  }
  void TearDown() override { std::remove(path_.c_str()); }
  void Write(const std::string& text) { std::ofstream(path_, std::ios::binary) << text; }

  std::string path_;
};

TEST_F(ReplaySourceTest, EachLineFormIsPublishedOnItsTopic) {
  Write(
      "{\"topic\": \"A/JSON/0/1/D/WELD/1\", \"payload\": \"raw text\"}\n"
      "\n"
      "{\"topic\": \"A/JSON/0/2/D/WELD/1\", \"payload\": {\"weldspot\": {\"Voltage\": \"230\"}}}\r\n"
      "{\"weldspot\": {\"Timestamp\": \"20181001 171035\"}, \"seq\": 3}\n");
  ReplayOptions o;
  o.default_topic = "X/JSON/0/9/D/WELD/1";
  auto src = ReplaySource::Open(path_, o);
  ASSERT_TRUE(src.ok()) << src.status().ToString();
  SimMessage m;
  ASSERT_TRUE((*src)->Next(&m));
  EXPECT_EQ(m.topic, "A/JSON/0/1/D/WELD/1");
  EXPECT_EQ(m.payload, "raw text");
  ASSERT_TRUE((*src)->Next(&m));
  EXPECT_EQ(m.topic, "A/JSON/0/2/D/WELD/1");
  EXPECT_EQ(m.payload, R"({"weldspot":{"Voltage":"230"}})");
  ASSERT_TRUE((*src)->Next(&m));
  EXPECT_EQ(m.topic, "X/JSON/0/9/D/WELD/1");
  EXPECT_EQ(m.payload, R"({"weldspot":{"Timestamp":"20181001 171035"},"seq":3})");
  EXPECT_FALSE((*src)->Next(&m));
  EXPECT_TRUE((*src)->status().ok());
}

TEST_F(ReplaySourceTest, BadLineStopsWithFileAndLineNumber) {
  Write("{\"weldspot\": {}}\n[1, 2]\n{\"weldspot\": {}}\n");
  auto src = ReplaySource::Open(path_, {});
  ASSERT_TRUE(src.ok());
  SimMessage m;
  EXPECT_TRUE((*src)->Next(&m));
  EXPECT_FALSE((*src)->Next(&m));
  EXPECT_FALSE((*src)->status().ok());
  EXPECT_NE((*src)->status().ToString().find(path_ + ":2"), std::string::npos)
      << (*src)->status().ToString();
  EXPECT_FALSE((*src)->Next(&m));  // stays stopped
}

TEST_F(ReplaySourceTest, TopicWithoutPayloadIsRefused) {
  auto src = ReplaySource::Open("/nonexistent/replay.jsonl", {});
  EXPECT_FALSE(src.ok());
  Write("{\"topic\": \"A/B\"}\n");
  src = ReplaySource::Open(path_, {});
  ASSERT_TRUE(src.ok());
  SimMessage m;
  EXPECT_FALSE((*src)->Next(&m));
  EXPECT_NE((*src)->status().ToString().find("go together"), std::string::npos);
}

TEST_F(ReplaySourceTest, CompressOptionDeflatesEveryPayload) {
  Write("{\"weldspot\": {\"Voltage\": \"231\"}}\n");
  ReplayOptions o;
  o.compress = true;
  auto src = ReplaySource::Open(path_, o);
  ASSERT_TRUE(src.ok());
  SimMessage m;
  ASSERT_TRUE((*src)->Next(&m));
  std::string out(256, '\0');
  uLongf size = out.size();
  ASSERT_EQ(uncompress(reinterpret_cast<Bytef*>(out.data()), &size,
                       reinterpret_cast<const Bytef*>(m.payload.data()), m.payload.size()),
            Z_OK);
  out.resize(size);
  EXPECT_EQ(out, R"({"weldspot":{"Voltage":"231"}})");
}

}  // namespace
}  // namespace mqtt2s3::sim
