#include "upload/upload_probe.h"

#include <gtest/gtest.h>

#include "upload/fake_s3_transport.h"
#include "upload/uploader.h"
#include "upload/uploader_test_util.h"

namespace mqtt2s3::upload {
namespace {

UploadResult Result(Status status, size_t bytes, std::chrono::milliseconds duration) {
  UploadResult r;
  r.status = std::move(status);
  r.bytes = bytes;
  r.duration = duration;
  return r;
}

TEST(UploadProbeTest, SucceededUploadsFillTheLatencyBucketOfTheirDuration) {
  UploadProbe probe;
  probe.Record(Result(Status::Ok(), 100, std::chrono::milliseconds(3)));   // <= 5 ms
  probe.Record(Result(Status::Ok(), 50, std::chrono::milliseconds(200)));  // <= 250 ms
  probe.Record(Result(Status::Ok(), 1, std::chrono::minutes(2)));          // +Inf
  UploadProbe::Snapshot s = probe.snapshot();
  EXPECT_EQ(s.succeeded, 3u);
  EXPECT_EQ(s.bytes, 151u);
  EXPECT_EQ(s.latency_buckets[0], 1u);
  EXPECT_EQ(s.latency_buckets[5], 1u);
  EXPECT_EQ(s.latency_buckets.back(), 1u);
  EXPECT_NEAR(s.latency_sum_seconds, 120.203, 1e-9);
}

TEST(UploadProbeTest, FailuresAreCountedByStatusCodeAndCancelledApart) {
  UploadProbe probe;
  probe.Record(Result(Status::PermissionDenied("AccessDenied"), 10, {}));
  probe.Record(Result(Status::PermissionDenied("AccessDenied"), 10, {}));
  probe.Record(Result(Status::NotFound("NoSuchBucket"), 10, {}));
  probe.Record(Result(Status::Cancelled("stopped"), 10, {}));
  probe.AddRetries(4);
  UploadProbe::Snapshot s = probe.snapshot();
  EXPECT_EQ(s.failed, 3u);
  EXPECT_EQ(s.cancelled, 1u);
  EXPECT_EQ(s.succeeded, 0u);
  EXPECT_EQ(s.bytes, 0u);
  EXPECT_EQ(s.retries, 4u);
  EXPECT_EQ(s.failures.at(std::string(StatusCodeName(StatusCode::kPermissionDenied))), 2u);
  EXPECT_EQ(s.failures.at(std::string(StatusCodeName(StatusCode::kNotFound))), 1u);
}

TEST(UploadProbeTest, TheUploaderReportsCompletionsAndRetriesToTheGlobalProbe) {
  using testing::FakeS3Transport;
  testing::FakeS3 s3;
  s3.fake->Script(FakeS3Transport::Op::kPutObject,
                  {FakeS3Transport::Http(503), FakeS3Transport::Http(503)});
  const UploadProbe::Snapshot before = UploadProbe::Global().snapshot();
  Uploader up(s3.client, testing::FastOptions());
  testing::Results results;
  ASSERT_TRUE(up.Submit(testing::Request("k", "body"), results.Callback()).ok());
  ASSERT_TRUE(results.WaitFor(1));
  ASSERT_TRUE(up.Drain(std::chrono::seconds(60)));
  const UploadProbe::Snapshot after = UploadProbe::Global().snapshot();
  EXPECT_EQ(after.succeeded - before.succeeded, 1u);
  EXPECT_EQ(after.bytes - before.bytes, 4u);
  EXPECT_EQ(after.retries - before.retries, 2u);
}

}  // namespace
}  // namespace mqtt2s3::upload
