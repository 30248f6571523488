// wal::Log under injected faults: fsync failures and short writes are surfaced and sticky.
#include <gtest/gtest.h>

#include <string>

#include "wal/fake_file_system.h"
#include "wal/log.h"

namespace mqtt2s3::wal {
namespace {

using testing::FakeFileSystem;

LogOptions Options(SyncPolicy policy) {
  LogOptions o;
  o.dir = "/w";
  o.segment_bytes = 64 * 1024;
  o.disk_budget_bytes = 1 << 22;
  o.sync_policy = policy;
  return o;
}

MessageIn Msg(std::string_view payload) { return {.partition = "p", .topic = "t", .payload = payload}; }

TEST(LogFaultsTest, FsyncFailureFailsTheAppendAndEveryLaterCall) {
  FakeFileSystem fs;
  auto log = std::move(Log::Open(Options(SyncPolicy::kAlways), &fs, nullptr)).value();
  ASSERT_TRUE(log->Append(Msg("a")).ok());
  fs.fail_sync = true;
  auto r = log->Append(Msg("b"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kIOError);
  EXPECT_NE(r.status().message().find("fdatasync"), std::string::npos);
  EXPECT_EQ(log->durable_sequence(), 1u);  // "b" was never acknowledged as durable
  fs.fail_sync = false;                    // a later fsync "succeeding" proves nothing
  EXPECT_EQ(log->Append(Msg("c")).status().code(), StatusCode::kIOError);
  EXPECT_EQ(log->Sync().code(), StatusCode::kIOError);
  EXPECT_EQ(log->Commit({"p", 1, 1}).code(), StatusCode::kIOError);
  EXPECT_FALSE(log->DeleteObsoleteSegments().ok());
  EXPECT_FALSE(log->failure().ok());
}

TEST(LogFaultsTest, FsyncFailureFromTheTimerSurfacesToo) {
  FakeFileSystem fs;
  auto log = std::move(Log::Open(Options(SyncPolicy::kEveryMillis), &fs, nullptr)).value();
  ASSERT_TRUE(log->Append(Msg("a")).ok());
  fs.fail_sync = true;
  EXPECT_EQ(log->MaybeSync(1'000'000).code(), StatusCode::kIOError);
  EXPECT_EQ(log->durable_sequence(), 0u);
}

TEST(LogFaultsTest, ShortWriteFailsAndRecoveryDropsThePartialRecord) {
  FakeFileSystem fs;
  {
    auto log = std::move(Log::Open(Options(SyncPolicy::kAlways), &fs, nullptr)).value();
    ASSERT_TRUE(log->Append(Msg("first")).ok());
    fs.short_write_budget = 10;
    auto r = log->Append(Msg(std::string(100, 'x')));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), StatusCode::kIOError);
    EXPECT_EQ(log->Append(Msg("after")).status().code(), StatusCode::kIOError);
  }
  fs.short_write_budget.reset();
  Recovered rec;
  ASSERT_TRUE(Log::Open(Options(SyncPolicy::kAlways), &fs, &rec).ok());
  EXPECT_TRUE(rec.corruptions.empty());
  EXPECT_EQ(rec.torn_tail_bytes, 10u);
  ASSERT_EQ(rec.pending.size(), 1u);
  EXPECT_EQ(rec.pending[0].payload, "first");
}

TEST(LogFaultsTest, ClosedLogRefusesAppends) {
  FakeFileSystem fs;
  auto log = std::move(Log::Open(Options(SyncPolicy::kNever), &fs, nullptr)).value();
  ASSERT_TRUE(log->Close().ok());
  EXPECT_EQ(log->Append(Msg("a")).status().code(), StatusCode::kFailedPrecondition);
}

TEST(LogFaultsTest, OversizedTopicIsRejectedWithoutFailingTheLog) {
  FakeFileSystem fs;
  auto log = std::move(Log::Open(Options(SyncPolicy::kNever), &fs, nullptr)).value();
  const std::string topic(70000, 't');
  EXPECT_EQ(log->Append({.topic = topic}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(log->Append(Msg("ok")).ok());
}

}  // namespace
}  // namespace mqtt2s3::wal
