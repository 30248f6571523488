#include "upload/retry_policy.h"

#include <gtest/gtest.h>

#include "upload/uploader_options.h"

namespace mqtt2s3::upload {
namespace {

using std::chrono::milliseconds;

TEST(RetryPolicyTest, DefaultsAreValid) {
  EXPECT_TRUE(RetryPolicy{}.Validate().ok());
  EXPECT_TRUE(UploaderOptions{}.Validate().ok());
}

TEST(RetryPolicyTest, RejectsZeroBackoffShrinkingCapAndNoAttempts) {
  RetryPolicy p;
  p.initial_backoff = milliseconds(0);
  EXPECT_NE(p.Validate().message().find("initial_backoff"), std::string::npos);
  p = RetryPolicy{};
  p.max_backoff = milliseconds(100);
  EXPECT_NE(p.Validate().message().find("max_backoff"), std::string::npos);
  p = RetryPolicy{};
  p.max_attempts = 0;
  EXPECT_NE(p.Validate().message().find("max_attempts"), std::string::npos);
}

TEST(RetryPolicyTest, CapDoublesFromInitialUpToMax) {
  RetryBackoff b(RetryPolicy{milliseconds(200), milliseconds(1000), 10}, 42);
  EXPECT_EQ(b.Cap(1), milliseconds(200));
  EXPECT_EQ(b.Cap(2), milliseconds(400));
  EXPECT_EQ(b.Cap(3), milliseconds(800));
  EXPECT_EQ(b.Cap(4), milliseconds(1000));
  EXPECT_EQ(b.Cap(1'000'000), milliseconds(1000));
}

TEST(RetryPolicyTest, DelaysStayWithinTheCapAndAreReproducibleWithASeed) {
  RetryPolicy p{milliseconds(50), milliseconds(400), 10};
  RetryBackoff a(p, 7);
  RetryBackoff b(p, 7);
  for (int failures = 1; failures < 20; ++failures) {
    const milliseconds d = a.Delay(failures);
    EXPECT_GE(d.count(), 0);
    EXPECT_LE(d, a.Cap(failures));
    EXPECT_EQ(d, b.Delay(failures));
  }
}

TEST(UploaderOptionsTest, ValidateNamesTheWrongField) {
  UploaderOptions o;
  o.part_size = 4 * kMiB;
  EXPECT_NE(o.Validate().message().find("part_size"), std::string::npos);
  o = UploaderOptions{};
  o.max_concurrent_uploads = 0;
  EXPECT_NE(o.Validate().message().find("max_concurrent_uploads"), std::string::npos);
  o = UploaderOptions{};
  o.max_queued_uploads = 0;
  EXPECT_NE(o.Validate().message().find("max_queued_uploads"), std::string::npos);
  o = UploaderOptions{};
  o.max_concurrent_parts_per_upload = 2;
  EXPECT_NE(o.Validate().message().find("max_concurrent_parts_per_upload"), std::string::npos);
  o = UploaderOptions{};
  o.parked_retry_interval = milliseconds(0);
  EXPECT_NE(o.Validate().message().find("parked_retry_interval"), std::string::npos);
  o = UploaderOptions{};
  o.retry.max_attempts = 0;
  EXPECT_FALSE(o.Validate().ok());
}

}  // namespace
}  // namespace mqtt2s3::upload
