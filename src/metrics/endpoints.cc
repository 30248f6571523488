#include "metrics/endpoints.h"

#include <memory>

#include "metrics/converter_collector.h"

namespace mqtt2s3::metrics {

std::map<std::string, HttpHandler> ObservabilityRoutes(const MetricsSource* source) {
  auto collector = std::make_shared<ConverterCollector>(source);
  std::map<std::string, HttpHandler> routes;
  routes["/metrics"] = [collector] {
    return HttpResponse{200, "text/plain; version=0.0.4; charset=utf-8",
                        SerializeText(collector->Collect())};
  };
  routes["/healthz"] = [] { return HttpResponse{200, "text/plain; charset=utf-8", "ok\n"}; };
  routes["/readyz"] = [source] {
    const HealthState h = source->Health();
    if (h.ready()) return HttpResponse{200, "text/plain; charset=utf-8", "ready\n"};
    std::string why = "not ready:";
    if (!h.broker_connected) why += " broker not connected;";
    if (!h.s3_reachable) why += " S3 not reachable;";
    why.back() = '\n';
    return HttpResponse{503, "text/plain; charset=utf-8", why};
  };
  return routes;
}

}  // namespace mqtt2s3::metrics
