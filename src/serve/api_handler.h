// ApiHandler: routes one HTTP request to the Grafana JSON data source endpoints or the
// dashboard page's files, and turns every outcome into a response (JSON errors with 4xx/5xx,
// never an exception). The transport (serve/http_server.h) only moves bytes.
//
//   ApiHandler api(&engine, &files);
//   HttpResponse r = api.Handle({"POST", "/query", body});
//
// Endpoints (docs/DASHBOARD.md):
//   GET  /                        health: 200 {"status":"ok",...} (Grafana "Save & test")
//   POST /search                  {"target": text} -> ["plant/1/device/X/Voltage", ...]
//   POST /query                   range + targets -> [{"target", "datapoints"}]
//   POST /annotations             -> []
//   POST /metrics                 structured form: the "weldspot" metric and its payloads
//   POST /metric-payload-options  options of plant, device, field
//   POST /variable                {"payload": {"target": text}} -> [{"__text", "__value"}]
//   POST /tag-keys, /tag-values   -> [] (no ad hoc filters)
//   GET  /ui/...                  the page (StaticFiles); GET /ui redirects to /ui/
//   OPTIONS *                     CORS preflight (Grafana's "Browser" access mode)
//
// Lifecycle: borrows the engine and files, which must outlive it. Thread-safety: Handle is
// thread-safe when the engine is.
#pragma once

#include "serve/http_types.h"
#include "serve/query_engine.h"
#include "serve/static_files.h"

namespace mqtt2s3::serve {

class ApiHandler {
 public:
  // `files` may be null: no page is served then.
  ApiHandler(QueryEngine* engine, const StaticFiles* files);

  HttpResponse Handle(const HttpRequest& request) const;

  // The HTTP status for an error Status (400 bad request, 404 missing bucket, ...).
  static int HttpStatusFor(const Status& status);

 private:
  HttpResponse Post(std::string_view path, const std::string& body) const;

  QueryEngine* const engine_;
  const StaticFiles* const files_;
};

}  // namespace mqtt2s3::serve
