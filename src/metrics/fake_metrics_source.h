// FakeMetricsSource: fixed readings for the metrics tests. Not thread-safe (tests set it up
// before serving).
#pragma once

#include "metrics/metrics_source.h"

namespace mqtt2s3::metrics {

class FakeMetricsSource : public MetricsSource {
 public:
  converter::ConverterStats Stats() const override { return stats; }
  upload::UploadProbe::Snapshot Uploads() const override { return uploads; }
  HealthState Health() const override { return health; }

  converter::ConverterStats stats;
  upload::UploadProbe::Snapshot uploads;
  HealthState health;
};

}  // namespace mqtt2s3::metrics
