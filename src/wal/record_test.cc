#include "wal/record.h"

#include <gtest/gtest.h>

#include <string>

namespace mqtt2s3::wal {
namespace {

TEST(RecordTest, MessageRoundTripsEveryField) {
  std::string bytes;
  const std::string payload(1000, 'p');
  ASSERT_TRUE(EncodeMessage(42,
                            {.partition = "site-7/telemetry",
                             .topic = "site/7/t",
                             .payload = payload,
                             .extra = std::string("\0x\1", 3),
                             .receive_time_ms = 1700000000123,
                             .qos = 1,
                             .flags = 1},
                            &bytes)
                  .ok());
  DecodedRecord rec;
  ASSERT_TRUE(DecodeRecord(bytes, &rec).ok());
  ASSERT_EQ(rec.kind, RecordKind::kMessage);
  EXPECT_EQ(rec.message.sequence, 42u);
  EXPECT_EQ(rec.message.partition, "site-7/telemetry");
  EXPECT_EQ(rec.message.topic, "site/7/t");
  EXPECT_EQ(rec.message.payload, payload);
  EXPECT_EQ(rec.message.extra, std::string("\0x\1", 3));
  EXPECT_EQ(rec.message.receive_time_ms, 1700000000123);
  EXPECT_EQ(rec.message.qos, 1);
  EXPECT_EQ(rec.message.flags, 1);
}

TEST(RecordTest, CommitAndHeaderRoundTrip) {
  std::string bytes;
  ASSERT_TRUE(EncodeCommit({"p", 7, 99}, &bytes).ok());
  DecodedRecord rec;
  ASSERT_TRUE(DecodeRecord(bytes, &rec).ok());
  ASSERT_EQ(rec.kind, RecordKind::kCommit);
  EXPECT_EQ(rec.commit.partition, "p");
  EXPECT_EQ(rec.commit.partition_seq, 7u);
  EXPECT_EQ(rec.commit.last_sequence, 99u);

  bytes.clear();
  EncodeSegmentHeader({kFormatVersion, 1234}, &bytes);
  ASSERT_TRUE(DecodeRecord(bytes, &rec).ok());
  ASSERT_EQ(rec.kind, RecordKind::kSegmentHeader);
  EXPECT_EQ(rec.header.first_sequence, 1234u);
}

TEST(RecordTest, EveryTruncationOfAMessageIsCorruptionNotACrash) {
  std::string bytes;
  ASSERT_TRUE(EncodeMessage(1, {.partition = "p", .topic = "t", .payload = "xyz"}, &bytes).ok());
  for (size_t n = 0; n < bytes.size(); ++n) {
    DecodedRecord rec;
    EXPECT_EQ(DecodeRecord(bytes.substr(0, n), &rec).code(), StatusCode::kCorruption) << n;
  }
  DecodedRecord rec;
  EXPECT_EQ(DecodeRecord(bytes + "!", &rec).code(), StatusCode::kCorruption);
}

TEST(RecordTest, UnknownKindAndFutureVersionAreCorruption) {
  DecodedRecord rec;
  EXPECT_EQ(DecodeRecord(std::string(1, '\x09'), &rec).code(), StatusCode::kCorruption);
  std::string bytes;
  EncodeSegmentHeader({kFormatVersion + 1, 1}, &bytes);
  const Status s = DecodeRecord(bytes, &rec);
  EXPECT_EQ(s.code(), StatusCode::kCorruption);
  EXPECT_NE(s.message().find("version 2"), std::string::npos) << s.message();
}

TEST(RecordTest, OversizedTopicIsRejected) {
  std::string bytes;
  const std::string topic(70000, 't');
  EXPECT_EQ(EncodeMessage(1, {.topic = topic}, &bytes).code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace mqtt2s3::wal
