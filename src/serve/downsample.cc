// LTTB: the first and last points stay; the rest is split into max_points - 2 buckets of
// (nearly) equal point count, and each bucket keeps the point forming the largest triangle
// with the point kept before it and the average of the next bucket. Spikes (a weld's voltage
// drop) survive, which an average or every-nth-point would flatten or skip.
#include "serve/downsample.h"

#include <cmath>

namespace mqtt2s3::serve {

std::vector<Point> Downsample(const std::vector<Point>& points, size_t max_points) {
  const size_t n = points.size();
  if (max_points == 0 || n <= max_points) return points;
  if (max_points == 1) return {points.front()};
  if (max_points == 2) return {points.front(), points.back()};
  std::vector<Point> out;
  out.reserve(max_points);
  out.push_back(points.front());
  const size_t buckets = max_points - 2;
  // Bucket b covers inner points [Start(b), Start(b + 1)) of points[1 .. n-2].
  const auto start = [&](size_t b) { return 1 + (b * (n - 2)) / buckets; };
  size_t kept = 0;
  for (size_t b = 0; b < buckets; ++b) {
    const size_t lo = start(b), hi = start(b + 1);
    // Average of the next bucket (the last point for the final bucket).
    double avg_t = 0, avg_v = 0;
    const size_t next_lo = hi, next_hi = b + 1 < buckets ? start(b + 2) : n;
    for (size_t i = next_lo; i < next_hi; ++i) {
      avg_t += static_cast<double>(points[i].time_ms);
      avg_v += points[i].value;
    }
    const double count = static_cast<double>(next_hi - next_lo);
    avg_t /= count;
    avg_v /= count;
    const double at = static_cast<double>(points[kept].time_ms), av = points[kept].value;
    double best_area = -1;
    size_t best = lo;
    for (size_t i = lo; i < hi; ++i) {
      const double area = std::abs((at - avg_t) * (points[i].value - av) -
                                   (at - static_cast<double>(points[i].time_ms)) * (avg_v - av));
      if (area > best_area) {
        best_area = area;
        best = i;
      }
    }
    out.push_back(points[best]);
    kept = best;
  }
  out.push_back(points.back());
  return out;
}

}  // namespace mqtt2s3::serve
