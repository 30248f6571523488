// MetricsSource: what the metrics collector and the health endpoints read from the running
// service. The app implements it over a Converter (apps/mqtt2s3/service_runtime.cc); tests
// implement it with fixed values.
//
// Thread-safety: implementations must be safe to call from the metrics server's thread while
// the converter runs.
#pragma once

#include "converter/converter.h"
#include "upload/upload_probe.h"

namespace mqtt2s3::metrics {

struct HealthState {
  bool broker_connected = false;  // a broker connection is established (readiness)
  bool s3_reachable = false;      // the S3 endpoint answered its last check (readiness)

  bool ready() const { return broker_connected && s3_reachable; }
};

class MetricsSource {
 public:
  virtual ~MetricsSource() = default;
  virtual converter::ConverterStats Stats() const = 0;
  virtual upload::UploadProbe::Snapshot Uploads() const = 0;
  virtual HealthState Health() const = 0;
};

}  // namespace mqtt2s3::metrics
