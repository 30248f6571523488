#include "format/test_messages.h"

#include <cstdio>

namespace mqtt2s3::format::testing {

std::vector<MessageRecord> MessageSet::records() const {
  std::vector<MessageRecord> out;
  out.reserve(payloads.size());
  for (size_t i = 0; i < payloads.size(); ++i) {
    out.push_back({payloads[i], topics[i], keys[i], dedupe_ids[i], times[i]});
  }
  return out;
}

MessageSet WeldingMessages(size_t count, size_t devices) {
  MessageSet set;
  const int64_t t0 = 1763776800000;  // 2025-11-22T02:00:00Z
  char buf[256];
  for (size_t i = 0; i < count; ++i) {
    const size_t robot = i % devices;
    const size_t line = robot % 3 + 1;
    const int64_t ts = t0 + static_cast<int64_t>(i) * 10 + static_cast<int64_t>(robot % 4);
    std::snprintf(buf, sizeof(buf), "line-%zu/robot-%02zu", line, robot);
    set.keys.emplace_back(buf);
    std::snprintf(buf, sizeof(buf), "factory/weld/line-%zu/robot-%02zu/telemetry", line, robot);
    set.topics.emplace_back(buf);
    std::snprintf(buf, sizeof(buf), "robot-%02zu:%zu", robot, i / devices);
    set.dedupe_ids.emplace_back(buf);
    std::snprintf(buf, sizeof(buf),
                  "{\"ts\":%lld,\"robot\":\"robot-%02zu\",\"seam\":%zu,\"current_a\":%.1f,"
                  "\"voltage_v\":%.2f,\"wire_mm_s\":%.1f,\"gas_l_min\":%.1f}",
                  static_cast<long long>(ts), robot, 1000 + i / 50, 150.0 + (i * 7 % 600) / 10.0,
                  21.0 + (i * 13 % 400) / 100.0, 80.0 + (i % 40) / 10.0, 14.0 + (i % 20) / 10.0);
    set.payloads.emplace_back(buf);
    set.times.push_back(ts);
  }
  return set;
}

}  // namespace mqtt2s3::format::testing
