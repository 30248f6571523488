// Every endpoint answers JSON; errors carry {"error", "code"} so Grafana shows the message.
#include "serve/api_handler.h"

#include "serve/grafana_json.h"

namespace mqtt2s3::serve {
namespace {

HttpResponse Json(int status, std::string body) {
  return {status, "application/json", std::move(body), {}};
}

HttpResponse Error(const Status& s) { return Json(ApiHandler::HttpStatusFor(s), RenderError(s)); }

// The "weldspot" metric of the structured form: Grafana's query editor (Builder mode) shows
// three selects and asks /metric-payload-options for their values; the field select lists the
// engine's named fields.
std::string MetricsBody(const std::vector<NamedField>& fields) {
  std::vector<std::pair<std::string, std::string>> options;
  for (const NamedField& f : fields) options.emplace_back(f.name, f.name);
  return R"([{"label":"Weld spot series","value":"weldspot","payloads":[)"
         R"({"label":"Plant","name":"plant","type":"select","reloadMetric":true},)"
         R"({"label":"Device","name":"device","type":"select","reloadMetric":true},)"
         R"({"label":"Field","name":"field","type":"select","options":)" +
         RenderOptions(options) + "}]}]";
}

}  // namespace

ApiHandler::ApiHandler(QueryEngine* engine, const StaticFiles* files)
    : engine_(engine), files_(files) {}

int ApiHandler::HttpStatusFor(const Status& s) {
  switch (s.code()) {
    case StatusCode::kOk:
      return 200;
    case StatusCode::kInvalidArgument:
      return 400;
    case StatusCode::kNotFound:
      return 404;
    case StatusCode::kPermissionDenied:
      return 502;  // our S3 credentials, not the caller's
    case StatusCode::kResourceExhausted:
      return 422;
    case StatusCode::kUnavailable:
      return 503;
    case StatusCode::kDeadlineExceeded:
      return 504;
    default:
      return 500;
  }
}

HttpResponse ApiHandler::Handle(const HttpRequest& request) const {
  std::string_view path = request.target;
  path = path.substr(0, path.find('?'));
  HttpResponse r;
  if (request.method == "OPTIONS") {
    r = {204, "text/plain", "", {}};
  } else if (path == "/" && (request.method == "GET" || request.method == "HEAD")) {
    r = Json(200, R"({"status":"ok","service":"mqtt2s3 serve","ui":"/ui/"})");
  } else if (path == "/ui" && request.method == "GET") {
    r = {301, "text/plain", "", {{"Location", "/ui/"}}};
  } else if (files_ && files_->Handles(path)) {
    if (request.method != "GET" && request.method != "HEAD") {
      r = Json(405, RenderError(Status::InvalidArgument(std::string(path) + ": use GET")));
      r.headers.emplace_back("Allow", "GET, HEAD");
    } else {
      r = files_->Get(path);
    }
  } else if (request.method == "POST") {
    r = Post(path, request.body);
  } else {
    static constexpr std::string_view kPosts[] = {
        "/search",   "/query",    "/annotations", "/metrics", "/metric-payload-options",
        "/variable", "/tag-keys", "/tag-values"};
    bool post_only = false;
    for (std::string_view p : kPosts) post_only |= (p == path);
    if (post_only) {
      r = Json(405, RenderError(Status::InvalidArgument(std::string(path) + ": use POST")));
      r.headers.emplace_back("Allow", "POST, OPTIONS");
    } else {
      r = Error(Status::NotFound("no endpoint '" + std::string(path.substr(0, 200)) + "'"));
    }
  }
  if (request.method == "HEAD") r.body.clear();
  // Grafana's "Browser" access mode calls us from the page's origin.
  r.headers.emplace_back("Access-Control-Allow-Origin", "*");
  r.headers.emplace_back("Access-Control-Allow-Methods", "GET, POST, OPTIONS");
  r.headers.emplace_back("Access-Control-Allow-Headers", "accept, content-type");
  return r;
}

HttpResponse ApiHandler::Post(std::string_view path, const std::string& body) const {
  if (path == "/query") {
    auto q = ParseQueryRequest(body);
    if (!q.ok()) return Error(q.status());
    auto series = engine_->Query(*q);
    if (!series.ok()) return Error(series.status());
    return Json(200, RenderTimeSeries(*series));
  }
  if (path == "/annotations" || path == "/tag-keys" || path == "/tag-values") {
    // Validate the body anyway: a client sending garbage should learn it here.
    auto l = ParseLookupRequest(body);
    if (!l.ok()) return Error(l.status());
    return Json(200, "[]");
  }
  if (path == "/metrics") {
    auto l = ParseLookupRequest(body);
    if (!l.ok()) return Error(l.status());
    return Json(200, MetricsBody(engine_->fields()));
  }
  if (path == "/search" || path == "/variable" || path == "/metric-payload-options") {
    auto l = ParseLookupRequest(body);
    if (!l.ok()) return Error(l.status());
    TimeRange range;
    if (l->has_range) range = {l->from_ms, l->to_ms + 1};
    if (path == "/metric-payload-options") {
      auto it = l->payload.find("plant");
      auto opts = engine_->PayloadOptions(l->name, it == l->payload.end() ? "" : it->second, range);
      if (!opts.ok()) return Error(opts.status());
      return Json(200, RenderOptions(*opts));
    }
    auto names = engine_->Search(l->target, range);
    if (!names.ok()) return Error(names.status());
    if (path == "/search") return Json(200, RenderStrings(*names));
    std::vector<std::pair<std::string, std::string>> opts;
    for (const std::string& n : *names) opts.emplace_back(n, n);
    return Json(200, RenderOptions(opts, "__text", "__value"));
  }
  return Error(Status::NotFound("no endpoint '" + std::string(path.substr(0, 200)) + "'"));
}

}  // namespace mqtt2s3::serve
