#include "upload/uploader.h"

#include <gtest/gtest.h>

#include <string>

#include "upload/fake_s3_transport.h"
#include "upload/uploader_test_util.h"

namespace mqtt2s3::upload {
namespace {

using testing::Eventually;
using testing::FakeS3;
using testing::FastOptions;
using testing::Request;
using testing::Results;
using Op = testing::FakeS3Transport::Op;
using testing::FakeS3Transport;

TEST(UploaderTest, StoresAnObjectWithOneRequest) {
  FakeS3 s3;
  Uploader up(s3.client, FastOptions());
  Results results;
  UploadRequest req = Request("a/b.jsonl", "hello", 7);
  req.content_type = "application/x-ndjson";
  ASSERT_TRUE(up.Submit(std::move(req), results.Callback()).ok());
  ASSERT_TRUE(results.WaitFor(1));
  const UploadResult r = results.Get()[0];
  EXPECT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(r.id, 7u);
  EXPECT_EQ(r.attempts, 1);
  EXPECT_EQ(r.bytes, 5u);
  EXPECT_FALSE(r.multipart);
  EXPECT_EQ(s3.fake->Object("bucket", "a/b.jsonl"), "hello");
  EXPECT_EQ(s3.fake->Requests()[0].content_type, "application/x-ndjson");
  ASSERT_TRUE(up.Drain(std::chrono::seconds(60)));  // the callback returns before the count
  EXPECT_TRUE(up.Idle());
  EXPECT_EQ(up.stats().succeeded, 1u);
  EXPECT_EQ(up.stats().bytes_uploaded, 5u);
}

TEST(UploaderTest, RetryableErrorsAreRetriedUntilSuccess) {
  FakeS3 s3;
  s3.fake->Script(Op::kPutObject, {FakeS3Transport::Http(503), FakeS3Transport::Http(503)});
  Uploader up(s3.client, FastOptions());
  Results results;
  ASSERT_TRUE(up.Submit(Request("k", "body"), results.Callback()).ok());
  ASSERT_TRUE(results.WaitFor(1));
  EXPECT_TRUE(results.Get()[0].status.ok());
  EXPECT_EQ(results.Get()[0].attempts, 3);
  EXPECT_EQ(s3.fake->Count(Op::kPutObject), 3);
  EXPECT_EQ(up.stats().retries, 2u);
  EXPECT_TRUE(up.Healthy());
}

TEST(UploaderTest, SlowDownAndConnectionRefusedAreRetried) {
  FakeS3 s3;
  s3.fake->Script(Op::kPutObject,
                  {FakeS3Transport::Http(503, "SlowDown"), FakeS3Transport::Refused()});
  Uploader up(s3.client, FastOptions());
  Results results;
  ASSERT_TRUE(up.Submit(Request("k", "body"), results.Callback()).ok());
  ASSERT_TRUE(results.WaitFor(1));
  EXPECT_TRUE(results.Get()[0].status.ok());
  EXPECT_EQ(s3.fake->Count(Op::kPutObject), 3);
  EXPECT_EQ(s3.fake->Object("bucket", "k"), "body");
}

TEST(UploaderTest, PermanentErrorCompletesAtOnceWithTheS3Detail) {
  FakeS3 s3;
  s3.fake->Script(Op::kPutObject, {FakeS3Transport::Http(403, "AccessDenied")});
  Uploader up(s3.client, FastOptions());
  Results results;
  ASSERT_TRUE(up.Submit(Request("k", "body"), results.Callback()).ok());
  ASSERT_TRUE(results.WaitFor(1));
  const UploadResult r = results.Get()[0];
  EXPECT_EQ(r.status.code(), StatusCode::kPermissionDenied);
  EXPECT_NE(r.status.message().find("AccessDenied"), std::string::npos);
  EXPECT_NE(r.status.message().find("key 'k'"), std::string::npos);
  EXPECT_EQ(r.attempts, 1);
  EXPECT_EQ(s3.fake->Count(Op::kPutObject), 1);
  EXPECT_EQ(up.stats().failed, 1u);
}

TEST(UploaderTest, NoSuchBucketCreatesTheBucketAndRetries) {
  FakeS3 s3(std::set<std::string>{});  // no bucket exists
  Uploader up(s3.client, FastOptions());
  Results results;
  ASSERT_TRUE(up.Submit(Request("k", "body", 1, "new-bucket"), results.Callback()).ok());
  ASSERT_TRUE(results.WaitFor(1));
  EXPECT_TRUE(results.Get()[0].status.ok()) << results.Get()[0].status.ToString();
  EXPECT_EQ(s3.fake->Count(Op::kCreateBucket), 1);
  EXPECT_EQ(s3.fake->Count(Op::kPutObject), 2);
  EXPECT_EQ(s3.fake->Object("new-bucket", "k"), "body");
  EXPECT_EQ(up.stats().buckets_created, 1u);
}

TEST(UploaderTest, ConcurrentUploadsToANewBucketCreateItOnce) {
  FakeS3 s3(std::set<std::string>{});  // no bucket exists
  UploaderOptions o = FastOptions();
  o.max_concurrent_uploads = 4;
  Uploader up(s3.client, o);
  Results results;
  for (int i = 0; i < 16; ++i) {
    ASSERT_TRUE(up.Submit(Request("k" + std::to_string(i), "b", i, "fresh"), results.Callback())
                    .ok());
  }
  ASSERT_TRUE(results.WaitFor(16));
  for (const auto& r : results.Get()) EXPECT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(s3.fake->Count(Op::kCreateBucket), 1);
}

TEST(UploaderTest, NoSuchBucketWithoutCreateBucketsFailsWithNotFound) {
  FakeS3 s3(std::set<std::string>{});  // no bucket exists
  UploaderOptions o = FastOptions();
  o.create_buckets = false;
  Uploader up(s3.client, o);
  Results results;
  ASSERT_TRUE(up.Submit(Request("k", "body"), results.Callback()).ok());
  ASSERT_TRUE(results.WaitFor(1));
  EXPECT_EQ(results.Get()[0].status.code(), StatusCode::kNotFound);
  EXPECT_EQ(s3.fake->Count(Op::kCreateBucket), 0);
  EXPECT_EQ(s3.fake->Count(Op::kPutObject), 1);
}

TEST(UploaderTest, ParksAfterMaxAttemptsAndCompletesWhenS3Recovers) {
  FakeS3 s3;
  s3.fake->FailAlways(Op::kPutObject, FakeS3Transport::Http(503, "ServiceUnavailable"));
  Uploader up(s3.client, FastOptions());  // max_attempts 3
  Results results;
  ASSERT_TRUE(up.Submit(Request("k", "kept"), results.Callback()).ok());
  ASSERT_TRUE(Eventually([&] { return up.stats().parked == 1; }));
  EXPECT_FALSE(up.Healthy());
  EXPECT_GE(s3.fake->Count(Op::kPutObject), 3);
  EXPECT_EQ(results.size(), 0u) << "a parked upload is never completed with an error";
  // Parked rounds keep trying (one request each).
  const int before = s3.fake->Count(Op::kPutObject);
  ASSERT_TRUE(Eventually([&] { return s3.fake->Count(Op::kPutObject) > before + 2; }));
  EXPECT_EQ(results.size(), 0u);

  s3.fake->Recover(Op::kPutObject);
  ASSERT_TRUE(results.WaitFor(1));
  const UploadResult r = results.Get()[0];
  EXPECT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_TRUE(r.was_parked);
  EXPECT_TRUE(up.Healthy());
  EXPECT_EQ(s3.fake->Object("bucket", "k"), "kept");
  const UploaderStats st = up.stats();
  EXPECT_EQ(st.parked, 0u);
  EXPECT_EQ(st.parked_total, 1u);
  EXPECT_EQ(st.succeeded, 1u);
}

TEST(UploaderTest, ParkedUploadThatTurnsPermanentCompletesWithThatError) {
  FakeS3 s3;
  s3.fake->FailAlways(Op::kPutObject, FakeS3Transport::Http(503));
  Uploader up(s3.client, FastOptions());
  Results results;
  ASSERT_TRUE(up.Submit(Request("k", "b"), results.Callback()).ok());
  ASSERT_TRUE(Eventually([&] { return !up.Healthy(); }));
  s3.fake->FailAlways(Op::kPutObject, FakeS3Transport::Http(403, "AccessDenied"));
  ASSERT_TRUE(results.WaitFor(1));
  EXPECT_EQ(results.Get()[0].status.code(), StatusCode::kPermissionDenied);
  EXPECT_TRUE(results.Get()[0].was_parked);
  EXPECT_TRUE(up.Healthy());
  EXPECT_EQ(up.stats().failed, 1u);
}

TEST(UploaderTest, ParkedUploadsCountAgainstTheQueueLimit) {
  FakeS3 s3;
  s3.fake->FailAlways(Op::kPutObject, FakeS3Transport::Http(500));
  UploaderOptions o = FastOptions();
  o.max_concurrent_uploads = 1;
  o.max_queued_uploads = 2;
  o.parked_retry_interval = std::chrono::hours(1);  // parked ones stay in the queue
  Uploader up(s3.client, o);
  Results results;
  ASSERT_TRUE(up.Submit(Request("a", "1"), results.Callback()).ok());
  ASSERT_TRUE(up.Submit(Request("b", "2"), results.Callback()).ok());
  ASSERT_TRUE(Eventually([&] { return up.stats().parked == 2; }));
  EXPECT_EQ(up.Queued(), 2u);
  EXPECT_EQ(up.Submit(Request("c", "3"), results.Callback()).code(),
            StatusCode::kResourceExhausted);
  up.Stop();
  ASSERT_EQ(results.size(), 2u);
  for (const auto& r : results.Get()) EXPECT_EQ(r.status.code(), StatusCode::kCancelled);
  EXPECT_EQ(up.stats().parked, 0u);
}

TEST(UploaderTest, SubmitOnAFullQueueReturnsResourceExhaustedWithoutBlocking) {
  FakeS3 s3;
  s3.fake->Hold();
  UploaderOptions o = FastOptions();
  o.max_concurrent_uploads = 1;
  o.max_queued_uploads = 2;
  Uploader up(s3.client, o);
  Results results;
  ASSERT_TRUE(up.Submit(Request("a", "1"), results.Callback()).ok());
  ASSERT_TRUE(Eventually([&] { return s3.fake->Inside() == 1; }));  // the worker is busy
  ASSERT_TRUE(up.Submit(Request("b", "2"), results.Callback()).ok());
  ASSERT_TRUE(up.Submit(Request("c", "3"), results.Callback()).ok());
  const Status full = up.Submit(Request("d", "4"), results.Callback());
  EXPECT_EQ(full.code(), StatusCode::kResourceExhausted) << full.ToString();
  EXPECT_EQ(up.InFlight(), 1u);
  EXPECT_EQ(up.Queued(), 2u);
  EXPECT_EQ(up.stats().rejected, 1u);
  s3.fake->Release();
  ASSERT_TRUE(up.Drain(std::chrono::seconds(60)));
  EXPECT_EQ(results.size(), 3u);
  EXPECT_FALSE(s3.fake->Object("bucket", "d").has_value());
}

TEST(UploaderTest, SubmitRefusesBodiesBeyondTheByteBudgetButAlwaysAdmitsOne) {
  FakeS3 s3;
  s3.fake->Hold();
  UploaderOptions o = FastOptions();
  o.max_buffered_bytes = 10;
  Uploader up(s3.client, o);
  Results results;
  ASSERT_TRUE(up.Submit(Request("a", std::string(8, 'a')), results.Callback()).ok());
  const Status full = up.Submit(Request("b", std::string(8, 'b')), results.Callback());
  EXPECT_EQ(full.code(), StatusCode::kResourceExhausted) << full.ToString();
  EXPECT_EQ(up.stats().buffered_bytes, 8u);
  s3.fake->Release();
  ASSERT_TRUE(up.Drain(std::chrono::seconds(60)));
  EXPECT_EQ(up.stats().buffered_bytes, 0u);
  // Nothing held: even a body over the budget goes, or it could never be stored.
  ASSERT_TRUE(up.Submit(Request("c", std::string(100, 'c')), results.Callback()).ok());
  ASSERT_TRUE(up.Drain(std::chrono::seconds(60)));
  EXPECT_EQ(results.size(), 2u);
  EXPECT_EQ(s3.fake->Object("bucket", "c"), std::string(100, 'c'));
}

TEST(UploaderTest, DrainWaitsForQueuedAndInFlightUploads) {
  FakeS3 s3;
  Uploader up(s3.client, FastOptions());
  Results results;
  for (int i = 0; i < 20; ++i) {
    ASSERT_TRUE(up.Submit(Request("k" + std::to_string(i), std::string(100, 'x'), i),
                          results.Callback())
                    .ok());
  }
  ASSERT_TRUE(up.Drain(std::chrono::seconds(60)));
  EXPECT_TRUE(up.Idle());
  ASSERT_EQ(results.size(), 20u);
  for (const auto& r : results.Get()) EXPECT_TRUE(r.status.ok());
  EXPECT_EQ(s3.fake->Count(Op::kPutObject), 20);
}

TEST(UploaderTest, DrainGivesUpAtTheDeadlineAndStopCancelsWhatIsLeft) {
  FakeS3 s3;
  s3.fake->FailAlways(Op::kPutObject, FakeS3Transport::Http(503));
  Uploader up(s3.client, FastOptions());
  Results results;
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(up.Submit(Request("k" + std::to_string(i), "b", i), results.Callback()).ok());
  }
  ASSERT_TRUE(Eventually([&] { return up.stats().parked == 3; }));
  EXPECT_FALSE(up.Drain(std::chrono::milliseconds(20)));  // S3 never recovers
  EXPECT_EQ(results.size(), 0u);
  up.Stop();
  ASSERT_EQ(results.size(), 3u);
  for (const auto& r : results.Get()) {
    EXPECT_EQ(r.status.code(), StatusCode::kCancelled);
    EXPECT_NE(r.status.message().find("503"), std::string::npos) << r.status.message();
  }
  EXPECT_EQ(up.stats().cancelled, 3u);
  EXPECT_TRUE(up.Idle());
  EXPECT_EQ(up.Submit(Request("late", "b"), results.Callback()).code(),
            StatusCode::kFailedPrecondition);
}

TEST(UploaderTest, StopInterruptsABackoffSleep) {
  FakeS3 s3;
  s3.fake->FailAlways(Op::kPutObject, FakeS3Transport::Http(503));
  UploaderOptions o = FastOptions();
  o.retry.initial_backoff = std::chrono::hours(1);  // Stop() would hang if it waited this out
  o.retry.max_backoff = std::chrono::hours(1);
  o.retry.max_attempts = 100;
  Uploader up(s3.client, o);
  Results results;
  ASSERT_TRUE(up.Submit(Request("k", "b"), results.Callback()).ok());
  ASSERT_TRUE(Eventually([&] { return s3.fake->Count(Op::kPutObject) >= 1; }));
  up.Stop();
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results.Get()[0].status.code(), StatusCode::kCancelled);
}

TEST(UploaderTest, DestructorCancelsPendingUploads) {
  FakeS3 s3;
  s3.fake->FailAlways(Op::kPutObject, FakeS3Transport::Http(503));
  Results results;
  {
    Uploader up(s3.client, FastOptions());
    ASSERT_TRUE(up.Submit(Request("k", "b"), results.Callback()).ok());
  }
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results.Get()[0].status.code(), StatusCode::kCancelled);
}

TEST(UploaderTest, ConcurrentRequestsNeverExceedMaxConcurrentUploads) {
  FakeS3 s3;
  s3.fake->SetLatency(std::chrono::milliseconds(2));
  UploaderOptions o = FastOptions();
  o.max_concurrent_uploads = 3;
  o.max_queued_uploads = 100;
  Uploader up(s3.client, o);
  Results results;
  for (int i = 0; i < 40; ++i) {
    ASSERT_TRUE(up.Submit(Request("k" + std::to_string(i), "b", i), results.Callback()).ok());
  }
  ASSERT_TRUE(up.Drain(std::chrono::seconds(60)));
  EXPECT_EQ(results.size(), 40u);
  EXPECT_LE(s3.fake->MaxConcurrent(), 3);
  EXPECT_GE(s3.fake->MaxConcurrent(), 1);
}

TEST(UploaderTest, CallbacksMaySubmitMoreUploads) {
  FakeS3 s3;
  Uploader up(s3.client, FastOptions());
  Results results;
  Status chained;
  ASSERT_TRUE(up.Submit(Request("first", "1"), [&](const UploadResult&) {
                  chained = up.Submit(Request("second", "2"), results.Callback());
                }).ok());
  ASSERT_TRUE(up.Drain(std::chrono::seconds(60)));  // also orders the write of `chained`
  EXPECT_TRUE(chained.ok());
  EXPECT_EQ(s3.fake->Object("bucket", "second"), "2");
}

TEST(UploaderTest, InvalidOptionsOrRequestsAreRefusedBySubmit) {
  FakeS3 s3;
  UploaderOptions bad = FastOptions();
  bad.part_size = 1;
  EXPECT_FALSE(Uploader::Create(s3.client, bad).ok());
  Uploader up(s3.client, bad);
  Results results;
  EXPECT_EQ(up.Submit(Request("k", "b"), results.Callback()).code(),
            StatusCode::kInvalidArgument);

  Uploader good(s3.client, FastOptions());
  EXPECT_EQ(good.Submit(Request("", "b"), results.Callback()).code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(results.size(), 0u);
}

}  // namespace
}  // namespace mqtt2s3::upload
