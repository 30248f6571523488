// wal::Log: append / recover round trips, segment roll, commits and deletion, disk budget,
// sync policy. Uses the in-memory FakeFileSystem.
#include "wal/log.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "wal/fake_file_system.h"

namespace mqtt2s3::wal {
namespace {

using testing::FakeFileSystem;

LogOptions SmallOptions() {
  LogOptions o;
  o.dir = "/w";
  o.segment_bytes = 8192;
  o.disk_budget_bytes = 1 << 20;
  o.sync_policy = SyncPolicy::kEveryMessages;
  o.sync_every_messages = 1000000;  // only explicit syncs unless a test says otherwise
  return o;
}

std::string Payload(uint64_t i) { return "payload-" + std::to_string(i) + std::string(i % 50, 'x'); }

class LogTest : public ::testing::Test {
 protected:
  std::unique_ptr<Log> Open(const LogOptions& o) {
    auto log = Log::Open(o, &fs_, &rec_);
    EXPECT_TRUE(log.ok()) << log.status().ToString();
    return log.ok() ? std::move(log).value() : nullptr;
  }
  uint64_t Append(Log& log, std::string_view partition, uint64_t i) {
    const std::string payload = Payload(i);
    auto seq = log.Append({.partition = partition, .topic = "t/" + std::to_string(i),
                           .payload = payload, .extra = "e", .receive_time_ms = 1000 + int64_t(i),
                           .qos = 1, .flags = 0});
    EXPECT_TRUE(seq.ok()) << seq.status().ToString();
    return seq.ok() ? *seq : 0;
  }
  size_t SegmentFiles() const { return fs_.files.size(); }

  FakeFileSystem fs_;
  Recovered rec_;
};

TEST_F(LogTest, OptionsValidateRejectsBadValues) {
  LogOptions o = SmallOptions();
  EXPECT_TRUE(o.Validate().ok());
  EXPECT_TRUE(LogOptions{.dir = "/w"}.Validate().ok());  // the defaults are valid
  o.dir.clear();
  EXPECT_FALSE(o.Validate().ok());
  o = SmallOptions();
  o.disk_budget_bytes = o.segment_bytes;
  EXPECT_FALSE(o.Validate().ok());
  o = SmallOptions();
  o.sync_every_messages = 0;
  EXPECT_FALSE(o.Validate().ok());
  EXPECT_FALSE(ParseSyncPolicy("sometimes").ok());
  EXPECT_EQ(*ParseSyncPolicy("every-ms"), SyncPolicy::kEveryMillis);
}

TEST_F(LogTest, FreshDirectoryStartsAtSequenceOneWithOneSegment) {
  auto log = Open(SmallOptions());
  EXPECT_TRUE(rec_.pending.empty());
  EXPECT_EQ(rec_.next_sequence, 1u);
  EXPECT_EQ(log->stats().segments, 1u);
  EXPECT_EQ(fs_.files.count("/w/wal-00000000000000000001.log"), 1u);
  EXPECT_EQ(Append(*log, "p", 0), 1u);
  EXPECT_EQ(Append(*log, "p", 1), 2u);
}

TEST_F(LogTest, RecoveryReturnsEveryAppendedMessageWithAllFields) {
  {
    auto log = Open(SmallOptions());
    for (uint64_t i = 0; i < 10; ++i) Append(*log, i % 2 ? "a" : "b", i);
    ASSERT_TRUE(log->Close().ok());
  }
  auto log = Open(SmallOptions());
  ASSERT_EQ(rec_.pending.size(), 10u);
  for (uint64_t i = 0; i < 10; ++i) {
    const Message& m = rec_.pending[i];
    EXPECT_EQ(m.sequence, i + 1);
    EXPECT_EQ(m.partition, i % 2 ? "a" : "b");
    EXPECT_EQ(m.topic, "t/" + std::to_string(i));
    EXPECT_EQ(m.payload, Payload(i));
    EXPECT_EQ(m.extra, "e");
    EXPECT_EQ(m.receive_time_ms, int64_t(1000 + i));
    EXPECT_EQ(m.qos, 1);
  }
  EXPECT_TRUE(rec_.corruptions.empty());
  EXPECT_EQ(Append(*log, "a", 10), 11u);  // continues the sequence in the same segment
  EXPECT_EQ(SegmentFiles(), 1u);
}

TEST_F(LogTest, SegmentsRollAtTheSizeAndRecoverInOrder) {
  {
    auto log = Open(SmallOptions());
    for (uint64_t i = 0; i < 400; ++i) Append(*log, "p", i);
    EXPECT_GT(log->stats().segments, 3u);
    ASSERT_TRUE(log->Close().ok());
  }
  EXPECT_GT(SegmentFiles(), 3u);
  for (const auto& [path, bytes] : fs_.files) EXPECT_LE(bytes.size(), 8192u + 200u) << path;
  auto log = Open(SmallOptions());
  for (const auto& c : rec_.corruptions) ADD_FAILURE() << c.ToString();
  EXPECT_EQ(rec_.torn_tail_bytes, 0u);
  ASSERT_EQ(rec_.pending.size(), 400u);
  for (uint64_t i = 0; i < 400; ++i) ASSERT_EQ(rec_.pending[i].sequence, i + 1);
  EXPECT_EQ(rec_.next_sequence, 401u);
}

TEST_F(LogTest, CommittedMessagesAreNotReturnedByRecovery) {
  {
    auto log = Open(SmallOptions());
    for (uint64_t i = 0; i < 6; ++i) Append(*log, i < 3 ? "a" : "b", i);  // a:1-3 b:4-6
    ASSERT_TRUE(log->Commit({"a", 1, 2}).ok());
    ASSERT_TRUE(log->Commit({"b", 1, 6}).ok());
    ASSERT_TRUE(log->Close().ok());
  }
  auto log = Open(SmallOptions());
  ASSERT_EQ(rec_.pending.size(), 1u);
  EXPECT_EQ(rec_.pending[0].sequence, 3u);
  EXPECT_EQ(rec_.commits.at("a").partition_seq, 1u);
  EXPECT_EQ(rec_.commits.at("b").last_sequence, 6u);
  EXPECT_EQ(rec_.next_sequence, 7u);
}

TEST_F(LogTest, CommitsOutOfOrderOrBeyondTheLogAreRejected) {
  auto log = Open(SmallOptions());
  Append(*log, "a", 0);
  Append(*log, "a", 1);
  EXPECT_EQ(log->Commit({"a", 1, 3}).code(), StatusCode::kFailedPrecondition);
  ASSERT_TRUE(log->Commit({"a", 2, 2}).ok());
  EXPECT_EQ(log->Commit({"a", 2, 2}).code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(log->Commit({"a", 3, 1}).code(), StatusCode::kFailedPrecondition);
}

TEST_F(LogTest, DeleteObsoleteSegmentsDeletesExactlyTheFullyCommittedOnes) {
  auto log = Open(SmallOptions());
  // Partition "a" everywhere, partition "slow" only in the first segment.
  Append(*log, "slow", 0);
  uint64_t last = 0;
  for (uint64_t i = 1; i < 400; ++i) last = Append(*log, "a", i);
  const size_t segments = log->stats().segments;
  ASSERT_GT(segments, 3u);
  ASSERT_TRUE(log->Commit({"a", 1, last}).ok());
  auto deleted = log->DeleteObsoleteSegments();
  ASSERT_TRUE(deleted.ok());
  // Later segments hold only committed "a" messages and go; the first ("slow") and the
  // active one stay.
  EXPECT_EQ(*deleted, segments - 2);
  EXPECT_EQ(log->stats().segments, 2u) << "segments before: " << segments;
  EXPECT_EQ(fs_.files.count("/w/wal-00000000000000000001.log"), 1u);
  ASSERT_TRUE(log->Commit({"slow", 1, 1}).ok());
  deleted = log->DeleteObsoleteSegments();
  ASSERT_TRUE(deleted.ok());
  EXPECT_EQ(*deleted, 1u);
  EXPECT_EQ(log->stats().segments, 1u);  // the active segment is never deleted
  ASSERT_TRUE(log->Close().ok());

  auto again = Open(SmallOptions());
  EXPECT_TRUE(rec_.pending.empty());  // the commit checkpoint survived the deletions
  EXPECT_EQ(rec_.next_sequence, last + 1);
  EXPECT_EQ(rec_.commits.at("slow").last_sequence, 1u);
}

TEST_F(LogTest, FullDiskBudgetRejectsAppendsUntilCommitAndDeleteFreeSpace) {
  LogOptions o = SmallOptions();
  o.disk_budget_bytes = 4 * 8192;
  auto log = Open(o);
  uint64_t last = 0;
  StatusOr<uint64_t> r = uint64_t{0};
  const std::string payload(500, 'x');
  for (int i = 0; i < 1000; ++i) {
    r = log->Append({.partition = "p", .topic = "t", .payload = payload});
    if (!r.ok()) break;
    last = *r;
  }
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kResourceExhausted);
  EXPECT_NE(r.status().message().find("wal.disk_budget_bytes=32768"), std::string::npos)
      << r.status().message();
  EXPECT_LE(log->disk_usage(), o.disk_budget_bytes);
  EXPECT_EQ(log->stats().rejected_appends, 1u);
  EXPECT_TRUE(log->failure().ok());  // a full budget is back-pressure, not a failure

  ASSERT_TRUE(log->Commit({"p", 1, last}).ok());  // commits go through even when full
  ASSERT_TRUE(log->DeleteObsoleteSegments().ok());
  auto again = log->Append({.partition = "p", .topic = "t", .payload = payload});
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(*again, last + 1);
}

TEST_F(LogTest, EveryNMessagesSyncsOncePerNAppends) {
  LogOptions o = SmallOptions();
  o.segment_bytes = 1 << 20;
  o.disk_budget_bytes = 4 << 20;
  o.sync_every_messages = 10;
  auto log = Open(o);
  const uint64_t base = log->stats().syncs;  // the new segment's header sync
  for (uint64_t i = 0; i < 95; ++i) Append(*log, "p", i);
  EXPECT_EQ(log->stats().syncs - base, 9u);
  EXPECT_EQ(log->durable_sequence(), 90u);
  EXPECT_EQ(log->last_sequence(), 95u);
}

TEST_F(LogTest, AlwaysSyncsBeforeAppendReturns) {
  LogOptions o = SmallOptions();
  o.sync_policy = SyncPolicy::kAlways;
  auto log = Open(o);
  const uint64_t base = log->stats().syncs;
  for (uint64_t i = 0; i < 5; ++i) {
    const uint64_t seq = Append(*log, "p", i);
    EXPECT_EQ(log->durable_sequence(), seq);
  }
  EXPECT_EQ(log->stats().syncs - base, 5u);
}

TEST_F(LogTest, EveryMillisSyncsFromMaybeSyncOnceTheIntervalPassed) {
  LogOptions o = SmallOptions();
  o.sync_policy = SyncPolicy::kEveryMillis;
  o.sync_every_ms = 10;
  auto log = Open(o);
  ASSERT_TRUE(log->MaybeSync(1000).ok());  // idle: nothing to sync
  const uint64_t base = log->stats().syncs;
  Append(*log, "p", 0);
  Append(*log, "p", 1);
  EXPECT_EQ(log->durable_sequence(), 0u);
  ASSERT_TRUE(log->MaybeSync(1005).ok());
  EXPECT_EQ(log->stats().syncs - base, 0u);
  ASSERT_TRUE(log->MaybeSync(1010).ok());
  EXPECT_EQ(log->stats().syncs - base, 1u);
  EXPECT_EQ(log->durable_sequence(), 2u);
  ASSERT_TRUE(log->MaybeSync(1100).ok());  // nothing new: no sync
  EXPECT_EQ(log->stats().syncs - base, 1u);
}

TEST_F(LogTest, NeverSyncsButCountsAppendsAsDurable) {
  LogOptions o = SmallOptions();
  o.sync_policy = SyncPolicy::kNever;
  auto log = Open(o);
  const uint64_t base = log->stats().syncs;
  for (uint64_t i = 0; i < 20; ++i) Append(*log, "p", i);
  ASSERT_TRUE(log->MaybeSync(1'000'000).ok());
  EXPECT_EQ(log->stats().syncs - base, 0u);
  EXPECT_EQ(log->durable_sequence(), 20u);
  EXPECT_EQ(log->stats().appends, 20u);
}

}  // namespace
}  // namespace mqtt2s3::wal
