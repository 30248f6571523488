// The observability endpoints served by HttpServer (docs/OPERATIONS.md):
//   /metrics  Prometheus text exposition of ConverterCollector
//   /healthz  200 while the process serves requests (liveness)
//   /readyz   200 when connected to the broker and S3 answered its last check, else 503
//             naming what is missing (readiness)
// Lifecycle: `source` must outlive the returned handlers. Thread-safety: as the source.
#pragma once

#include <map>
#include <string>

#include "metrics/http_server.h"
#include "metrics/metrics_source.h"

namespace mqtt2s3::metrics {

std::map<std::string, HttpHandler> ObservabilityRoutes(const MetricsSource* source);

}  // namespace mqtt2s3::metrics
