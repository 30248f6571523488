// ReaderWeldStore: the WeldStore on real S3, through mqtt2s3::Reader (include/mqtt2s3/reader.h).
// Per read: one listing of the bucket (object names carry their event-time range), then for
// each overlapping object, in parallel, a HEAD + one ranged GET of the device's group through
// the group directory when `payload_event_time` can give each message its time, else a HEAD
// + index load and ranged GETs of the wanted device only. Device listings load indexes
// (kept for later queries).
// Messages with a dedupe id already returned by the same read (a redelivery stored twice)
// are dropped.
//
//   ReaderWeldStore store(client, {.device_component = 0});
//   auto msgs = store.ReadMessages("company-x-plant-1", "WELDING-STATION-12", range);
//
// Lifecycle: holds the shared S3 client; make one per server. Thread-safety: thread-safe;
// every call uses its own Reader (Readers are not thread-safe, and cheap).
#pragma once

#include <functional>
#include <memory>

#include "mqtt2s3/reader.h"
#include "s3/client.h"
#include "serve/open_object_cache.h"
#include "serve/weld_store.h"

namespace mqtt2s3::serve {

struct ReaderWeldStoreOptions {
  // Which '/'-separated component of an index key is the device. The welding example's
  // index key is DEVICE-ID/MSG-TYPE/MSG-VERSION/Timestamp, so 0.
  size_t device_component = 0;
  // Only keys under this prefix are listed (empty: the whole bucket).
  std::string key_prefix;
  // Refuse a query that would open more objects than this (a year-wide range on a busy plant
  // must fail fast with a clear error, not stream gigabytes into one HTTP answer).
  size_t max_objects_per_read = 2000;
  // Passed to the Reader: byte gaps bridged by one ranged GET.
  uint64_t max_gap_bytes = 64 * 1024;
  // Objects read at once by ReadMessages (Reader::Query workers).
  size_t concurrency = 8;
  // Opened objects (their indexes) kept for later queries (serve/open_object_cache.h); 0
  // opens every object on every query.
  size_t cached_objects = 64;
  // Each message's event time from its payload (serve/payload_event_time.h): set, a device is
  // read through the objects' group directories (HEAD + one ranged GET each; an object whose
  // payload times are not its index's is read through the index). Unset: always the index.
  std::function<QueryOptions::PayloadEventTime()> payload_event_time;

  Status Validate() const;
};

class ReaderWeldStore : public WeldStore {
 public:
  ReaderWeldStore(std::shared_ptr<const s3::Client> client, ReaderWeldStoreOptions options);

  StatusOr<std::vector<std::string>> ListDevices(std::string_view bucket, const TimeRange& range,
                                                 size_t max_objects) override;
  StatusOr<std::vector<DeviceMessage>> ReadMessages(std::string_view bucket,
                                                    std::string_view device,
                                                    const TimeRange& range) override;

 private:
  Reader MakeReader() const;
  // The object of a listing entry, from the cache or opened (and cached) with `reader`.
  StatusOr<std::shared_ptr<const OpenObject>> Open(Reader& reader, std::string_view bucket,
                                                   const ListedBatch& listed);

  std::shared_ptr<const s3::Client> client_;
  const ReaderWeldStoreOptions options_;
  OpenObjectCache cache_;
};

}  // namespace mqtt2s3::serve
