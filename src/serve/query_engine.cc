// Reads are grouped per request: several fields of one device (or a wildcard and a device of
// the same plant) cost one read of the store, because the store's cost is S3 requests.
#include "serve/query_engine.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <set>
#include <string_view>
#include <unordered_map>

#include "serve/weld_payload.h"

namespace mqtt2s3::serve {
namespace {

struct NaturalOrder {
  bool operator()(const std::string& a, const std::string& b) const { return NaturalLess(a, b); }
};

}  // namespace

Status QueryEngineOptions::Validate() const {
  if (bucket_template.find("{plant}") == std::string::npos) {
    return Status::InvalidArgument("serve: bucket template '" + bucket_template +
                                   "' must contain {plant}");
  }
  M2S_RETURN_IF_ERROR(ValidateNamedFields(fields).WithContext("serve: fields"));
  for (const std::string& p : plants) {
    auto t = TargetFromParts(p, "x", "/x", fields);
    if (!t.ok()) return t.status().WithContext("serve: plants");
  }
  if (search_objects == 0 || default_max_points == 0 || max_points_limit == 0) {
    return Status::InvalidArgument(
        "serve: search_objects, default_max_points and max_points_limit must be positive");
  }
  return Status::Ok();
}

QueryEngine::QueryEngine(WeldStore* store, QueryEngineOptions options)
    : store_(store), options_(std::move(options)) {}

std::string QueryEngine::BucketFor(std::string_view plant) const {
  std::string lower(plant);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::string out = options_.bucket_template;
  for (size_t pos = out.find("{plant}"); pos != std::string::npos;
       pos = out.find("{plant}", pos + lower.size())) {
    out.replace(pos, 7, lower);
  }
  return out;
}

StatusOr<std::vector<std::string>> QueryEngine::Search(std::string_view text,
                                                       const TimeRange& range) {
  std::vector<std::string> plants = options_.plants;
  // "plant/7" or "plant/7/device/..." asks about plant 7, configured or not.
  if (text.starts_with("plant/")) {
    std::string_view rest = text.substr(6);
    std::string_view plant = rest.substr(0, rest.find('/'));
    if (!plant.empty() && rest.size() > plant.size()) plants = {std::string(plant)};
    if (!plant.empty() && std::find(plants.begin(), plants.end(), plant) == plants.end()) {
      plants.push_back(std::string(plant));
    }
  }
  std::set<std::string, NaturalOrder> out;
  for (const std::string& plant : plants) {
    if (!TargetFromParts(plant, "x", "/x").ok()) continue;
    auto devices = store_->ListDevices(BucketFor(plant), range, options_.search_objects);
    if (!devices.ok()) {
      // A configured plant without a bucket yet is not an error for a search.
      if (devices.status().code() == StatusCode::kNotFound) continue;
      return devices.status().WithContext("plant " + plant);
    }
    devices->emplace_back(kAllDevices);
    for (const std::string& device : *devices) {
      for (const NamedField& field : options_.fields) {
        std::string name = FormatTarget({plant, device, field.name});
        if (name.find(text) != std::string::npos) out.insert(std::move(name));
      }
    }
  }
  return std::vector<std::string>(out.begin(), out.end());
}

StatusOr<std::vector<std::pair<std::string, std::string>>> QueryEngine::PayloadOptions(
    std::string_view name, std::string_view plant, const TimeRange& range) {
  std::vector<std::pair<std::string, std::string>> out;
  if (name == "plant") {
    for (const std::string& p : options_.plants) out.emplace_back("plant " + p, p);
  } else if (name == "field") {
    for (const NamedField& f : options_.fields) out.emplace_back(f.name, f.name);
  } else if (name == "device") {
    if (plant.empty()) return out;  // Grafana asks before a plant is chosen
    M2S_RETURN_IF_ERROR(TargetFromParts(plant, "x", "/x").status());
    M2S_ASSIGN_OR_RETURN(auto devices,
                         store_->ListDevices(BucketFor(plant), range, options_.search_objects));
    std::sort(devices.begin(), devices.end(), NaturalOrder());
    out.emplace_back("all devices", std::string(kAllDevices));
    for (std::string& d : devices) out.emplace_back(d, d);
  } else {
    return Status::InvalidArgument("payload option '" + std::string(name) +
                                   "': expected plant, device or field");
  }
  return out;
}

StatusOr<SeriesTarget> QueryEngine::ResolveTarget(const QueryTargetSpec& spec) const {
  const auto member = [&](std::string_view key) -> std::string_view {
    auto it = spec.payload.find(key);
    return it == spec.payload.end() ? std::string_view() : std::string_view(it->second);
  };
  if (!member("plant").empty() || !member("device").empty() || !member("field").empty()) {
    std::string_view device = member("device");
    auto t = TargetFromParts(member("plant"), device.empty() ? kAllDevices : device,
                             member("field"), options_.fields);
    if (!t.ok()) return t.status().WithContext("target " + spec.ref_id + " payload");
    return t;
  }
  return ParseTarget(spec.target, options_.fields);
}

StatusOr<std::vector<TimeSeries>> QueryEngine::Query(const QueryRequest& request) {
  // Grafana's range is inclusive at both ends; TimeRange is half-open.
  TimeRange range{request.from_ms,
                  request.to_ms == TimeRange{}.to_ms ? request.to_ms : request.to_ms + 1};
  size_t max_points =
      request.max_data_points ? request.max_data_points : options_.default_max_points;
  max_points = std::min(max_points, options_.max_points_limit);

  std::vector<SeriesTarget> targets;
  for (const QueryTargetSpec& spec : request.targets) {
    if (spec.hide) continue;
    M2S_ASSIGN_OR_RETURN(SeriesTarget t, ResolveTarget(spec));
    targets.push_back(std::move(t));
  }
  // One read per (plant, device); a wildcard read serves the plant's single devices too.
  std::map<std::pair<std::string, std::string>, std::vector<DeviceMessage>> reads;
  std::set<std::string> wildcard_plants;
  for (const SeriesTarget& t : targets) {
    if (t.all_devices()) wildcard_plants.insert(t.plant);
  }
  for (const SeriesTarget& t : targets) {
    const bool via_wildcard = wildcard_plants.count(t.plant) != 0;
    auto key = std::pair{t.plant, via_wildcard ? std::string() : t.device};
    if (reads.count(key)) continue;
    M2S_ASSIGN_OR_RETURN(auto msgs, store_->ReadMessages(BucketFor(t.plant), key.second, range));
    reads.emplace(std::move(key), std::move(msgs));
  }

  WeldPayloadParser parser;
  std::vector<TimeSeries> out;
  for (const SeriesTarget& t : targets) {
    const bool via_wildcard = wildcard_plants.count(t.plant) != 0;
    const auto& msgs = reads.at({t.plant, via_wildcard ? std::string() : t.device});
    // Resolved by ResolveTarget, so there is one.
    const std::string_view pointer = FieldPointer(t.field, options_.fields).value_or("");
    // Series in device order for a wildcard; the read is in time order, so points stay sorted.
    // Grouped by hash (devices interleave in time order), ordered once at the end.
    std::unordered_map<std::string_view, std::vector<Point>> by_device;
    if (!t.all_devices()) by_device[t.device];  // an empty series still answers the target
    std::string_view last_device;
    std::vector<Point>* last_points = nullptr;
    for (const DeviceMessage& m : msgs) {
      if (!t.all_devices() && m.device != t.device) continue;
      auto v = parser.Number(m.payload, pointer);
      if (!v.ok()) continue;
      if (last_points == nullptr || m.device != last_device) {
        last_device = m.device;
        last_points = &by_device[last_device];
      }
      last_points->push_back({m.event_time_ms, *v});
    }
    std::vector<std::pair<std::string_view, std::vector<Point>*>> devices;
    devices.reserve(by_device.size());
    for (auto& [device, points] : by_device) devices.emplace_back(device, &points);
    std::sort(devices.begin(), devices.end(),
              [](const auto& a, const auto& b) { return NaturalLess(a.first, b.first); });
    for (auto& [device, points] : devices) {
      out.push_back(
          {FormatTarget({t.plant, std::string(device), t.field}), Downsample(*points, max_points)});
    }
  }
  return out;
}

}  // namespace mqtt2s3::serve
