#include "metrics/progress_line.h"

#include <gtest/gtest.h>

namespace mqtt2s3::metrics {
namespace {

TEST(ProgressLineTest, ShowsTheRateSinceTheLastLineAndWhatIsStillBuffered) {
  converter::ConverterStats before, now;
  before.received = 1000;
  now.received = 3000;
  now.messages_uploaded = 2500;
  now.dead_lettered = 100;
  now.acks_released = 2900;
  now.wal_appended = 2900;
  now.wal_commits = 25;
  EXPECT_EQ(ProgressLine(before, now, std::chrono::seconds(10)),
            "progress: received 3000 (200.0/s), stored 2500, acked 2900, buffered 400, "
            "dead-lettered 100, wal appended 2900 commits 25");
}

TEST(ProgressLineTest, ZeroElapsedTimeGivesZeroRate) {
  converter::ConverterStats s;
  s.received = 5;
  EXPECT_NE(ProgressLine({}, s, std::chrono::seconds(0)).find("(0.0/s)"), std::string::npos);
}

}  // namespace
}  // namespace mqtt2s3::metrics
