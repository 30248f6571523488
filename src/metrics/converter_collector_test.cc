#include "metrics/converter_collector.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "batch/flush_policy.h"
#include "metrics/fake_metrics_source.h"

namespace mqtt2s3::metrics {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

std::string Scrape(const FakeMetricsSource& source) {
  return SerializeText(ConverterCollector(&source).Collect());
}

TEST(ConverterCollectorTest, CountersCarryTheConverterValuesUnderTheirNames) {
  FakeMetricsSource source;
  source.stats.received = 120;
  source.stats.messages_uploaded = 100;
  source.stats.acks_released = 118;
  source.stats.dead_lettered = 5;
  source.stats.wal_appended = 115;
  source.stats.wal_commits = 7;
  const std::string text = Scrape(source);
  EXPECT_THAT(text, HasSubstr("# TYPE mqtt2s3_messages_received_total counter\n"));
  EXPECT_THAT(text, HasSubstr("\nmqtt2s3_messages_received_total 120\n"));
  EXPECT_THAT(text, HasSubstr("\nmqtt2s3_messages_stored_total 100\n"));
  EXPECT_THAT(text, HasSubstr("\nmqtt2s3_messages_acked_total 118\n"));
  EXPECT_THAT(text, HasSubstr("\nmqtt2s3_messages_dead_lettered_total 5\n"));
  EXPECT_THAT(text, HasSubstr("\nmqtt2s3_wal_appends_total 115\n"));
  EXPECT_THAT(text, HasSubstr("\nmqtt2s3_wal_commits_total 7\n"));
  // 120 received - 100 stored - 5 dead-lettered.
  EXPECT_THAT(text, HasSubstr("# TYPE mqtt2s3_messages_buffered gauge\n"));
  EXPECT_THAT(text, HasSubstr("\nmqtt2s3_messages_buffered 15\n"));
}

TEST(ConverterCollectorTest, FlushesAreLabelledByTrigger) {
  FakeMetricsSource source;
  source.stats.flushes[static_cast<size_t>(batch::FlushReason::kAge)] = 3;
  const std::string text = Scrape(source);
  EXPECT_THAT(text, HasSubstr("mqtt2s3_batches_flushed_total{trigger=\"age\"} 3\n"));
  EXPECT_THAT(
      text, HasSubstr("mqtt2s3_batches_flushed_total{trigger=\"" +
                      std::string(batch::FlushReasonName(batch::FlushReason::kCount)) + "\"} 0\n"));
}

TEST(ConverterCollectorTest, UploadsExposeOutcomesFailureCodesAndACumulativeHistogram) {
  FakeMetricsSource source;
  source.uploads.succeeded = 4;
  source.uploads.failed = 1;
  source.uploads.retries = 2;
  source.uploads.bytes = 4096;
  source.uploads.failures["permission_denied"] = 1;
  source.uploads.latency_buckets[0] = 1;  // <= 5 ms
  source.uploads.latency_buckets[4] = 3;  // <= 100 ms
  source.uploads.latency_sum_seconds = 0.25;
  const std::string text = Scrape(source);
  EXPECT_THAT(text, HasSubstr("mqtt2s3_uploads_total{outcome=\"succeeded\"} 4\n"));
  EXPECT_THAT(text, HasSubstr("mqtt2s3_uploads_total{outcome=\"failed\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("mqtt2s3_upload_failures_total{code=\"permission_denied\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("\nmqtt2s3_upload_retries_total 2\n"));
  EXPECT_THAT(text, HasSubstr("\nmqtt2s3_upload_bytes_total 4096\n"));
  EXPECT_THAT(text, HasSubstr("# TYPE mqtt2s3_upload_duration_seconds histogram\n"));
  EXPECT_THAT(text, HasSubstr("mqtt2s3_upload_duration_seconds_bucket{le=\"0.005\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("mqtt2s3_upload_duration_seconds_bucket{le=\"0.05\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("mqtt2s3_upload_duration_seconds_bucket{le=\"0.1\"} 4\n"));
  EXPECT_THAT(text, HasSubstr("mqtt2s3_upload_duration_seconds_bucket{le=\"+Inf\"} 4\n"));
  EXPECT_THAT(text, HasSubstr("mqtt2s3_upload_duration_seconds_count 4\n"));
  EXPECT_THAT(text, HasSubstr("mqtt2s3_upload_duration_seconds_sum 0.25\n"));
}

TEST(ConverterCollectorTest, NoFailureFamilyUntilAnUploadFails) {
  FakeMetricsSource source;
  EXPECT_THAT(Scrape(source), Not(HasSubstr("mqtt2s3_upload_failures_total")));
}

TEST(ConverterCollectorTest, HealthGaugesFollowTheSource) {
  FakeMetricsSource source;
  source.health = {true, false};
  std::string text = Scrape(source);
  EXPECT_THAT(text, HasSubstr("\nmqtt2s3_broker_connected 1\n"));
  EXPECT_THAT(text, HasSubstr("\nmqtt2s3_s3_reachable 0\n"));
  EXPECT_THAT(text, HasSubstr("\nmqtt2s3_ready 0\n"));
  source.health = {true, true};
  EXPECT_THAT(Scrape(source), HasSubstr("\nmqtt2s3_ready 1\n"));
}

}  // namespace
}  // namespace mqtt2s3::metrics
