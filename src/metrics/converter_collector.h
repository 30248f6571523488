// ConverterCollector: a prometheus-cpp pull collector that turns one MetricsSource reading into
// the mqtt2s3_* metric families (names, types and labels: docs/OPERATIONS.md). Nothing is
// counted here: every scrape reads the converter's own counters, so the two cannot drift.
//
//   prometheus::Registry registry;                       // or Collect() directly
//   auto collector = std::make_shared<ConverterCollector>(&source);
//   registry.Register... / TextSerializer().Serialize(out, collector->Collect());
//
// Lifecycle: `source` must outlive the collector. Thread-safety: Collect() is const and safe
// from any thread when the source is.
#pragma once

#include <prometheus/collectable.h>
#include <prometheus/metric_family.h>

#include <string>
#include <vector>

#include "metrics/metrics_source.h"

namespace mqtt2s3::metrics {

class ConverterCollector : public prometheus::Collectable {
 public:
  explicit ConverterCollector(const MetricsSource* source) : source_(source) {}

  std::vector<prometheus::MetricFamily> Collect() const override;

 private:
  const MetricsSource* source_;
};

// The text exposition format (version 0.0.4) of `families`.
std::string SerializeText(const std::vector<prometheus::MetricFamily>& families);

}  // namespace mqtt2s3::metrics
