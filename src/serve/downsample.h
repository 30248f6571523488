// Thins a time series to at most a number of points for a chart (Grafana's maxDataPoints),
// keeping its visual shape: Largest-Triangle-Three-Buckets (Steinarsson 2013). Every output
// point is an input point (no averaging invents values), the first and last points are kept,
// and a series already small enough is returned unchanged.
//
//   std::vector<Point> pts = ...;                 // sorted by time
//   std::vector<Point> few = Downsample(pts, 500);
//
// Pure function; thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace mqtt2s3::serve {

struct Point {
  int64_t time_ms = 0;
  double value = 0;
  friend bool operator==(const Point&, const Point&) = default;
};

// `points` sorted by time. max_points 0 means no limit; 1 or 2 keep the first (and last).
std::vector<Point> Downsample(const std::vector<Point>& points, size_t max_points);

}  // namespace mqtt2s3::serve
