// Device discovery and reads on top of mqtt2s3::Reader. Objects are listed by name only;
// only those whose name range overlaps the query are opened.
#include "serve/reader_weld_store.h"

#include <algorithm>
#include <set>

namespace mqtt2s3::serve {
namespace {

std::string_view Component(std::string_view key, size_t index) {
  for (size_t i = 0; i < index; ++i) {
    const size_t slash = key.find('/');
    if (slash == std::string_view::npos) return {};
    key.remove_prefix(slash + 1);
  }
  return key.substr(0, key.find('/'));
}

}  // namespace

Status ReaderWeldStoreOptions::Validate() const {
  if (max_objects_per_read == 0) {
    return Status::InvalidArgument("serve: max_objects_per_read must be at least 1");
  }
  return Status::Ok();
}

ReaderWeldStore::ReaderWeldStore(std::shared_ptr<const s3::Client> client,
                                 ReaderWeldStoreOptions options)
    : client_(std::move(client)), options_(std::move(options)), cache_(options_.cached_objects) {}

StatusOr<std::shared_ptr<const OpenObject>> ReaderWeldStore::Open(Reader& reader,
                                                                  std::string_view bucket,
                                                                  const ListedBatch& listed) {
  if (auto hit = cache_.Get(bucket, listed.key, listed.size)) return hit;
  M2S_ASSIGN_OR_RETURN(OpenObject opened, reader.Open(bucket, listed.key));
  auto shared = std::make_shared<const OpenObject>(std::move(opened));
  cache_.Put(shared);
  return shared;
}

Reader ReaderWeldStore::MakeReader() const {
  ReaderOptions ro;
  ro.max_gap_bytes = options_.max_gap_bytes;
  // A message redelivered after a crash can sit in two objects; it is one weld, one point.
  ro.dedupe = true;
  return Reader(client_, ro);
}

StatusOr<std::vector<std::string>> ReaderWeldStore::ListDevices(std::string_view bucket,
                                                                const TimeRange& range,
                                                                size_t max_objects) {
  Reader reader = MakeReader();
  M2S_ASSIGN_OR_RETURN(ListResult listed, reader.ListObjects(bucket, options_.key_prefix, range));
  std::vector<ListedBatch>& objects = listed.objects;
  // Newest first by event time: a dashboard cares about devices that report now.
  std::sort(objects.begin(), objects.end(),
            [](const ListedBatch& a, const ListedBatch& b) { return a.last_ms > b.last_ms; });
  if (objects.size() > max_objects) objects.resize(max_objects);
  std::set<std::string, std::less<>> devices;
  for (const ListedBatch& b : objects) {
    M2S_ASSIGN_OR_RETURN(std::shared_ptr<const OpenObject> obj, Open(reader, bucket, b));
    for (size_t i = 0; i < obj->index.size(); ++i) {
      const format::IndexEntry e = obj->index.entry(i);
      if (!range.Contains(e.event_time_ms)) continue;
      std::string_view device = Component(e.index_key, options_.device_component);
      if (!device.empty() && devices.find(device) == devices.end()) devices.emplace(device);
    }
  }
  return std::vector<std::string>(devices.begin(), devices.end());
}

StatusOr<std::vector<DeviceMessage>> ReaderWeldStore::ReadMessages(std::string_view bucket,
                                                                   std::string_view device,
                                                                   const TimeRange& range) {
  Reader reader = MakeReader();
  M2S_ASSIGN_OR_RETURN(ListResult listed, reader.ListObjects(bucket, options_.key_prefix, range));
  if (listed.objects.size() > options_.max_objects_per_read) {
    return Status::ResourceExhausted(
        "bucket '" + std::string(bucket) + "': the range covers " +
        std::to_string(listed.objects.size()) + " objects, more than the limit of " +
        std::to_string(options_.max_objects_per_read) + " per query; narrow the time range");
  }
  // All objects in parallel, each HEAD + one ranged GET through the group directory with the
  // times read from the payloads, or HEAD + index + coalesced ranged GETs (a chart needs each
  // weld's own time, which the group directory does not carry).
  QueryOptions q;
  q.bucket = std::string(bucket);
  q.keys.reserve(listed.objects.size());
  for (ListedBatch& b : listed.objects) q.keys.push_back(std::move(b.key));
  q.selector.component = std::string(device);
  q.selector.component_index = options_.device_component;
  q.selector.time = range;
  q.concurrency = options_.concurrency;
  q.use_directory = static_cast<bool>(options_.payload_event_time);
  q.payload_event_time = options_.payload_event_time;
  std::vector<DeviceMessage> out;
  if (q.keys.empty()) return out;
  M2S_ASSIGN_OR_RETURN(QueryResult result, reader.Query(q));
  // Objects of one partition are in time order by name, but several writer instances (or a
  // redelivery) can interleave, and a group holds its messages in arrival order: sort once
  // (positions, not the messages) so every series is monotonic for the charts.
  std::vector<std::pair<int64_t, uint32_t>> order(result.messages.size());
  for (size_t i = 0; i < order.size(); ++i) {
    order[i] = {result.messages[i].event_time_ms, static_cast<uint32_t>(i)};
  }
  std::sort(order.begin(), order.end());  // by time, then position: stable
  out.reserve(order.size());
  for (const auto& [time, i] : order) {
    Message& m = result.messages[i];
    out.push_back(DeviceMessage{std::string(Component(m.index_key, options_.device_component)),
                                m.event_time_ms, std::move(m.payload)});
  }
  return out;
}

}  // namespace mqtt2s3::serve
