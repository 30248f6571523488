#include "serve/downsample.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace mqtt2s3::serve {
namespace {

std::vector<Point> Ramp(size_t n) {
  std::vector<Point> pts;
  for (size_t i = 0; i < n; ++i) pts.push_back({static_cast<int64_t>(i) * 1000, double(i % 7)});
  return pts;
}

TEST(DownsampleTest, SmallSeriesAndNoLimitAreReturnedUnchanged) {
  auto pts = Ramp(10);
  EXPECT_EQ(Downsample(pts, 10), pts);
  EXPECT_EQ(Downsample(pts, 100), pts);
  EXPECT_EQ(Downsample(pts, 0), pts);
  EXPECT_TRUE(Downsample({}, 5).empty());
}

TEST(DownsampleTest, KeepsAtMostTheLimitOfRealPointsInTimeOrderWithBothEnds) {
  auto pts = Ramp(1000);
  for (size_t limit : {1u, 2u, 3u, 7u, 100u, 999u}) {
    auto out = Downsample(pts, limit);
    ASSERT_EQ(out.size(), limit);
    EXPECT_EQ(out.front(), pts.front());
    if (limit >= 2) {
      EXPECT_EQ(out.back(), pts.back());
    }
    for (size_t i = 0; i < out.size(); ++i) {
      EXPECT_NE(std::find(pts.begin(), pts.end(), out[i]), pts.end());
      if (i) {
        EXPECT_LT(out[i - 1].time_ms, out[i].time_ms);
      }
    }
  }
}

TEST(DownsampleTest, ASingleSpikeSurvivesThinning) {
  std::vector<Point> pts;
  for (int i = 0; i < 10000; ++i) pts.push_back({i, 230.0});
  pts[4321].value = 12.0;  // the weld's voltage drop
  auto out = Downsample(pts, 50);
  EXPECT_NE(std::find(out.begin(), out.end(), Point{4321, 12.0}), out.end());
}

}  // namespace
}  // namespace mqtt2s3::serve
