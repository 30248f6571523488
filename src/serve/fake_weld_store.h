// FakeWeldStore: an in-memory WeldStore for unit tests; records the reads it serves.
// Thread-safety: not thread-safe (tests call it from one thread).
#pragma once

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "serve/weld_store.h"

namespace mqtt2s3::serve {

class FakeWeldStore : public WeldStore {
 public:
  // bucket -> messages (any order; reads sort by time like the real store).
  std::map<std::string, std::vector<DeviceMessage>> buckets;
  std::vector<std::string> reads;  // "bucket|device" per ReadMessages call

  StatusOr<std::vector<std::string>> ListDevices(std::string_view bucket, const TimeRange& range,
                                                 size_t) override {
    auto it = buckets.find(std::string(bucket));
    if (it == buckets.end()) return Status::NotFound("bucket '" + std::string(bucket) + "'");
    std::vector<std::string> out;
    for (const DeviceMessage& m : it->second) {
      if (range.Contains(m.event_time_ms)) out.push_back(m.device);
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
  }

  StatusOr<std::vector<DeviceMessage>> ReadMessages(std::string_view bucket,
                                                    std::string_view device,
                                                    const TimeRange& range) override {
    reads.push_back(std::string(bucket) + "|" + std::string(device));
    auto it = buckets.find(std::string(bucket));
    if (it == buckets.end()) return Status::NotFound("bucket '" + std::string(bucket) + "'");
    std::vector<DeviceMessage> out;
    for (const DeviceMessage& m : it->second) {
      if ((device.empty() || m.device == device) && range.Contains(m.event_time_ms)) {
        out.push_back(m);
      }
    }
    std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
      return a.event_time_ms < b.event_time_ms;
    });
    return out;
  }
};

// {"weldspot": {"Timestamp": ..., "Voltage": "<v>", "Current": "<c>", "MainPowerSwitch": "1"}}
inline std::string WeldJson(int voltage, int current) {
  return R"({"weldspot": {"Timestamp": "20181001 170000", "Voltage": ")" + std::to_string(voltage) +
         R"(", "Current": ")" + std::to_string(current) + R"(", "MainPowerSwitch": "1"}})";
}

}  // namespace mqtt2s3::serve
