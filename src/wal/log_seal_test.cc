// wal::Log seals: a batch cut but not committed is handed back by recovery with its number
// and last sequence, survives the deletion of the segment it was written in (checkpoints),
// and disappears once committed.
#include <gtest/gtest.h>

#include <string>

#include "wal/fake_file_system.h"
#include "wal/log.h"

namespace mqtt2s3::wal {
namespace {

using testing::FakeFileSystem;

LogOptions SmallOptions() {
  LogOptions o;
  o.dir = "/w";
  o.segment_bytes = 4096;
  o.disk_budget_bytes = 1 << 20;
  o.sync_policy = SyncPolicy::kEveryMessages;
  o.sync_every_messages = 1;
  return o;
}

uint64_t Append(Log& log, std::string_view partition, int i) {
  const std::string payload = "payload-" + std::to_string(i) + std::string(200, 'x');
  auto seq = log.Append({.partition = partition, .topic = "t", .payload = payload});
  EXPECT_TRUE(seq.ok()) << seq.status().ToString();
  return seq.ok() ? *seq : 0;
}

std::unique_ptr<Log> Reopen(FakeFileSystem* fs, Recovered* rec) {
  auto log = Log::Open(SmallOptions(), fs, rec);
  EXPECT_TRUE(log.ok()) << log.status().ToString();
  return log.ok() ? std::move(log).value() : nullptr;
}

TEST(LogSeal, RecoveryReturnsUncommittedSealsInBatchOrder) {
  FakeFileSystem fs;
  Recovered rec;
  auto log = Reopen(&fs, &rec);
  uint64_t last = 0;
  for (int i = 0; i < 3; ++i) last = Append(*log, "a", i);
  ASSERT_TRUE(log->Seal({"a", 7, last}).ok());
  for (int i = 3; i < 5; ++i) last = Append(*log, "a", i);
  ASSERT_TRUE(log->Seal({"a", 8, last}).ok());
  const uint64_t b_last = Append(*log, "b", 9);
  ASSERT_TRUE(log->Seal({"b", 1, b_last}).ok());
  ASSERT_TRUE(log->Commit({"b", 1, b_last}).ok());
  ASSERT_TRUE(log->Sync().ok());
  log.reset();

  log = Reopen(&fs, &rec);
  ASSERT_EQ(rec.seals.size(), 1u) << "b's seal is committed";
  const std::vector<CommitMarker>& a = rec.seals.at("a");
  ASSERT_EQ(a.size(), 2u);
  EXPECT_EQ(a[0].partition_seq, 7u);
  EXPECT_EQ(a[0].last_sequence, 3u);
  EXPECT_EQ(a[1].partition_seq, 8u);
  EXPECT_EQ(a[1].last_sequence, 5u);
  EXPECT_EQ(rec.pending.size(), 5u);
}

TEST(LogSeal, ResealingARecoveredBatchWritesNothingNew) {
  FakeFileSystem fs;
  Recovered rec;
  auto log = Reopen(&fs, &rec);
  const uint64_t last = Append(*log, "a", 0);
  ASSERT_TRUE(log->Seal({"a", 3, last}).ok());
  log.reset();
  log = Reopen(&fs, &rec);
  ASSERT_TRUE(log->Seal({"a", 3, last}).ok());
  EXPECT_EQ(log->stats().seals, 0u);
  log.reset();
  log = Reopen(&fs, &rec);
  EXPECT_EQ(rec.seals.at("a").size(), 1u);
}

TEST(LogSeal, OutstandingSealSurvivesDeletionOfTheSegmentItWasWrittenIn) {
  FakeFileSystem fs;
  Recovered rec;
  auto log = Reopen(&fs, &rec);
  // Partition a: one message, sealed, never committed. Its seal is written in a later
  // segment than its message, among messages of b that all get committed.
  const uint64_t a_last = Append(*log, "a", 0);
  uint64_t b_last = 0;
  for (int i = 0; i < 40; ++i) b_last = Append(*log, "b", i);  // rolls several segments
  ASSERT_TRUE(log->Seal({"a", 1, a_last}).ok());
  for (int i = 40; i < 80; ++i) b_last = Append(*log, "b", i);
  ASSERT_TRUE(log->Commit({"b", 1, b_last}).ok());
  auto deleted = log->DeleteObsoleteSegments();
  ASSERT_TRUE(deleted.ok());
  EXPECT_GT(*deleted, 0u);
  log.reset();
  log = Reopen(&fs, &rec);
  ASSERT_EQ(rec.seals.count("a"), 1u);
  EXPECT_EQ(rec.seals.at("a")[0].last_sequence, a_last);
  ASSERT_EQ(rec.pending.size(), 1u);
  EXPECT_EQ(rec.pending[0].partition, "a");
}

TEST(LogSeal, SealBeyondTheLastAppendIsRefused) {
  FakeFileSystem fs;
  Recovered rec;
  auto log = Reopen(&fs, &rec);
  Append(*log, "a", 0);
  Status s = log->Seal({"a", 1, 2});
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(s.message().find("beyond"), std::string::npos);
}

}  // namespace
}  // namespace mqtt2s3::wal
