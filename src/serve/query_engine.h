// QueryEngine: answers the dashboard's questions (which series exist, what are their points)
// from a WeldStore. Knows plants, devices and payload fields (named fields, by default the
// weld-spot's, and any JSON pointer); knows nothing of HTTP.
//
//   QueryEngine engine(&store, options);
//   auto names = engine.Search("plant/1");            // "plant/1/device/X/Voltage", ...
//   auto series = engine.Query(request);              // one TimeSeries per target (and device)
//
// Plant -> bucket: options.bucket_template with {plant} replaced by the plant id, lower-cased
// (the converter lower-cases bucket names; examples/welding.yaml writes plant 1 to
// company-x-plant-1).
//
// Lifecycle: borrows the store, which must outlive it. Thread-safety: thread-safe when the
// store is (no mutable state of its own).
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "serve/grafana_json.h"
#include "serve/target.h"
#include "serve/weld_store.h"

namespace mqtt2s3::serve {

struct QueryEngineOptions {
  // Bucket of a plant; must contain {plant}. Default: examples/welding.yaml's
  // "{root}-plant-{plant}" with root COMPANY-X.
  std::string bucket_template = "company-x-plant-{plant}";
  // Plants offered by search (S3 cannot list them cheaply by name). Any plant can still be
  // queried by its target.
  std::vector<std::string> plants = {"1", "2", "3"};
  // Search discovers devices from the index of at most this many newest objects per plant.
  size_t search_objects = 8;
  // Points per series when the request has no maxDataPoints.
  size_t default_max_points = 1000;
  // Upper bound for maxDataPoints (a bigger value is clamped, not refused).
  size_t max_points_limit = 100000;
  // Fields a target may name, offered by search: name -> JSON pointer into the payload.
  // Default: the weld-spot's Voltage, Current, MainPowerSwitch; `mqtt2s3 serve --route` adds a
  // route's numeric columns. A target may also give any JSON pointer as its field.
  std::vector<NamedField> fields = WeldFields();

  Status Validate() const;
};

class QueryEngine {
 public:
  QueryEngine(WeldStore* store, QueryEngineOptions options);

  // The bucket that holds `plant`'s objects.
  std::string BucketFor(std::string_view plant) const;

  // Series names containing `text` (all when empty): for every plant (the one named when
  // `text` starts with "plant/<id>", else options.plants) and every device found, one name
  // per field, plus "plant/<id>/device/*/<field>". Sorted. `range` limits device discovery.
  StatusOr<std::vector<std::string>> Search(std::string_view text, const TimeRange& range);

  // The named fields (options.fields).
  const std::vector<NamedField>& fields() const { return options_.fields; }

  // Values for one structured-form payload selector of /metric-payload-options: "plant",
  // "device" (needs payload plant) or "field". Pairs are (label, value).
  StatusOr<std::vector<std::pair<std::string, std::string>>> PayloadOptions(std::string_view name,
                                                                            std::string_view plant,
                                                                            const TimeRange& range);

  // The points of every visible target in the request's range, each series downsampled to
  // maxDataPoints. A wildcard device target gives one series per device. A message whose
  // field is missing or not numeric is skipped (it is not a point).
  StatusOr<std::vector<TimeSeries>> Query(const QueryRequest& request);

  // The target of one request entry: its payload (plant, device, field) when it has one,
  // else its target text. Its field is a named field or a JSON pointer.
  StatusOr<SeriesTarget> ResolveTarget(const QueryTargetSpec& spec) const;

 private:
  WeldStore* const store_;
  const QueryEngineOptions options_;
};

}  // namespace mqtt2s3::serve
