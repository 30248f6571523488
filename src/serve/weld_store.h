// WeldStore: where the dashboard's weld-spot messages come from. The query logic
// (serve/query_engine.h) talks only to this interface, so tests plug in a fake; production
// uses ReaderWeldStore (serve/reader_weld_store.h), which reads the converter's objects.
//
// Thread-safety: implementations must allow concurrent calls (the HTTP server runs requests
// on several threads).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "mqtt2s3/reader.h"

namespace mqtt2s3::serve {

// One stored message of a device.
struct DeviceMessage {
  std::string device;
  int64_t event_time_ms = 0;  // from the object's index
  std::string payload;        // as published (possibly zlib-compressed)
};

class WeldStore {
 public:
  virtual ~WeldStore() = default;

  // The devices with a message in `bucket` during `range`, sorted, unique. When the range
  // covers more than `max_objects` objects, only the newest `max_objects` are looked at
  // (device discovery must stay cheap; a device silent in those is missed).
  virtual StatusOr<std::vector<std::string>> ListDevices(std::string_view bucket,
                                                         const TimeRange& range,
                                                         size_t max_objects) = 0;

  // The messages of `device` (every device when empty) in `bucket` with an event time in
  // `range`, in event-time order (ties: storage order). NotFound when the bucket does not
  // exist.
  virtual StatusOr<std::vector<DeviceMessage>> ReadMessages(std::string_view bucket,
                                                            std::string_view device,
                                                            const TimeRange& range) = 0;
};

}  // namespace mqtt2s3::serve
