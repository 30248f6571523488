// Maps one MQTT message to (route, bucket, key), or to a dead-letter reason.
//
//   StatusOr<Router> router = Router::Create(options);   // once, at startup
//   RouteResult r;                                        // reused across messages
//   router->Route(topic, payload, receive_time, seq, &r);
//   if (r.ok()) Put(r.bucket, r.key); else DeadLetter(r.reason, r.detail);
//
// The first route whose filter matches wins. Templates were parsed at Create(), so Route()
// only walks segments: it reuses the result's strings, the topic-level vector and the JSON
// parser, and in steady state allocates nothing (the payload is parsed only when a template
// reads a {json:...} field).
//
// Lifecycle: Create() validates and compiles; the Router is then used for the life of the
// process. Thread-safety: NOT thread-safe (it owns per-message scratch); give each thread its
// own Clone(), which shares the compiled routes.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "route/compiled_route.h"
#include "route/dead_letter.h"
#include "route/json_fields.h"
#include "route/route_options.h"

namespace mqtt2s3::route {

struct RouteResult {
  bool ok() const { return reason == DeadLetterReason::kNone; }

  // Index into RouterOptions::routes of the matching route; -1 for kNoRoute. Set also when a
  // matching route failed to render (reason != kNone).
  int route_index = -1;
  std::string bucket;  // valid when ok()
  std::string key;     // valid when ok()
  DeadLetterReason reason = DeadLetterReason::kNone;
  std::string detail;  // when !ok(): names the template, field or topic; safe to log
};

class Router {
 public:
  static StatusOr<Router> Create(const RouterOptions& options);

  Router(Router&&) noexcept = default;
  Router& operator=(Router&&) noexcept = default;

  // A router sharing this one's compiled routes, with its own scratch (for another thread).
  Router Clone() const;

  // Fills *result (its previous contents are overwritten, its capacity reused). Returns
  // result->ok().
  bool Route(std::string_view topic, std::string_view payload,
             std::chrono::system_clock::time_point receive_time, uint64_t seq,
             RouteResult* result);

  size_t route_count() const { return shared_->routes.size(); }
  const CompiledRoute& route(size_t i) const { return shared_->routes[i]; }
  const std::string& instance_id() const { return shared_->instance_id; }

 private:
  struct Shared {
    std::vector<CompiledRoute> routes;
    std::string instance_id;
    RenderLimits key_limits;
    RenderLimits bucket_limits;
  };
  explicit Router(std::shared_ptr<const Shared> shared) : shared_(std::move(shared)) {}

  bool RenderBucket(const CompiledRoute& route, const RenderInput& in, RouteResult* result);

  std::shared_ptr<const Shared> shared_;
  std::vector<std::string_view> levels_;  // scratch: the topic split at '/'
  JsonFields json_;                        // scratch: reused parser and padded buffer
};

}  // namespace mqtt2s3::route
