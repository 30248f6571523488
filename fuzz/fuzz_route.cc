// libFuzzer target for the router's templates: the input is
//   <flags byte> key template \0 pattern \0 bucket template \0 topic \0 payload
// (missing fields are empty; the payload is the rest and may hold NULs). One route with filter
// "#" is built from it; when Router::Create accepts it, the topic and payload are routed and
// every routed message must satisfy the documented safety guarantees (router.h, key_template.h,
// key_sanitizer.h): a valid S3 bucket name, partition "<bucket>/<partial key>" without control
// characters, and object keys (for ordinary and extreme batch values) that render, fit
// max_key_bytes, are valid UTF-8 and are a clean relative path: no leading or trailing '/', no
// "//", no "." or ".." component, no control characters.
// Crashes, sanitizer reports and __builtin_trap() on a broken invariant are the findings.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <optional>
#include <string>
#include <string_view>

#include "route/event_time.h"
#include "route/key_sanitizer.h"
#include "route/key_template.h"
#include "route/route_options.h"
#include "route/router.h"

namespace {

using mqtt2s3::StatusOr;
using mqtt2s3::route::BatchKeyVars;
using mqtt2s3::route::BucketNameProblem;
using mqtt2s3::route::IsValidUtf8;
using mqtt2s3::route::kMaxEventTimeMs;
using mqtt2s3::route::PayloadFormat;
using mqtt2s3::route::RouteOptions;
using mqtt2s3::route::Router;
using mqtt2s3::route::RouterOptions;
using mqtt2s3::route::RouteResult;

void Check(bool condition) {
  if (!condition) __builtin_trap();
}

// Flags byte bits.
constexpr uint8_t kRawPayload = 1 << 0;   // payload: raw (else json)
constexpr uint8_t kTimeField = 1 << 1;    // time_field "/ts" (json only)
constexpr uint8_t kBucketSet = 1 << 2;    // use the bucket field (else the default bucket)
constexpr uint8_t kOddInstance = 1 << 3;  // instance id with '_' and '.', 64 bytes
constexpr uint8_t kSmallKeys = 1 << 4;    // max_key_bytes 200, max_value_bytes 40

// Splits off the next NUL-terminated field; the last field takes the rest.
std::string_view NextField(std::string_view* in, bool last) {
  if (last) {
    std::string_view all = *in;
    *in = {};
    return all;
  }
  size_t nul = in->find('\0');
  std::string_view field = in->substr(0, nul);
  *in = nul == std::string_view::npos ? std::string_view() : in->substr(nul + 1);
  return field;
}

bool HasControlChar(std::string_view s) {
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7F) return true;
  }
  return false;
}

// The key is one relative S3 path: no empty, "." or ".." component.
void CheckKeyShape(std::string_view key, size_t max_key_bytes) {
  Check(!key.empty());
  Check(key.size() <= max_key_bytes);
  Check(IsValidUtf8(key));
  Check(!HasControlChar(key));
  Check(key.front() != '/' && key.back() != '/');
  Check(key.find("//") == std::string_view::npos);
  size_t start = 0;
  while (true) {
    size_t slash = key.find('/', start);
    std::string_view comp =
        key.substr(start, slash == std::string_view::npos ? key.npos : slash - start);
    Check(comp != "." && comp != "..");
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
}

void CheckObjectKey(const Router& router, const RouteResult& r, const BatchKeyVars& vars,
                    size_t max_key_bytes) {
  std::string key;
  mqtt2s3::Status s =
      router.RenderObjectKey(static_cast<size_t>(r.route_index), r.partial_key(), vars, &key);
  // The partial key came from this route and the vars are in range: Create() reserved room
  // for the longest batch values, so rendering must succeed.
  Check(s.ok());
  CheckKeyShape(key, max_key_bytes);
  std::string again;
  Check(router.RenderObjectKey(static_cast<size_t>(r.route_index), r.partial_key(), vars, &again)
            .ok());
  Check(again == key);  // deterministic
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const uint8_t flags = data[0];
  std::string_view in(reinterpret_cast<const char*>(data) + 1, size - 1);
  const std::string_view key = NextField(&in, false);
  const std::string_view pattern = NextField(&in, false);
  const std::string_view bucket = NextField(&in, false);
  const std::string_view topic = NextField(&in, false);
  const std::string_view payload = NextField(&in, true);

  RouterOptions options;
  if (flags & kOddInstance) options.instance_id = std::string(62, 'g') + "_.";
  if (flags & kSmallKeys) {
    options.max_key_bytes = 200;
    options.max_value_bytes = 40;
  }
  RouteOptions& route = options.routes.emplace_back();
  route.name = "fuzz";
  route.filter = "#";
  route.pattern = std::string(pattern);
  route.key = std::string(key);
  if (flags & kBucketSet) route.bucket = std::string(bucket);
  if (flags & kRawPayload) route.payload = PayloadFormat::kRaw;
  if ((flags & kTimeField) && !(flags & kRawPayload)) route.time_field = "/ts";

  StatusOr<Router> router = Router::Create(options);
  // FUZZ_VERBOSE=1 ./fuzz_route file...: shows what each input did (for triage).
  static const bool verbose = std::getenv("FUZZ_VERBOSE") != nullptr;
  if (verbose && !router.ok()) {
    std::fprintf(stderr, "create: %s\n", router.status().message().c_str());
  }
  if (!router.ok()) {
    Check(!router.status().message().empty());
    return 0;
  }

  // 2018-10-01T17:00:00Z, a fixed receive time: runs must be reproducible.
  const auto receive_time =
      std::chrono::system_clock::time_point(std::chrono::milliseconds(1538413200000));
  RouteResult r;
  const bool ok = router->Route(topic, payload, receive_time, /*seq=*/42, &r);
  Check(ok == r.ok());
  if (verbose) {
    std::fprintf(stderr, "route: %s partition '%s'\n", ok ? "ok" : r.detail.c_str(),
                 r.partition.c_str());
  }
  if (!ok) {
    Check(r.reason != mqtt2s3::route::DeadLetterReason::kNone);
    return 0;
  }
  Check(r.route_index == 0);
  Check(r.event_time_ms >= 0 && r.event_time_ms <= kMaxEventTimeMs);

  Check(BucketNameProblem(r.bucket).empty());
  Check(r.partition.size() > r.bucket.size());
  Check(r.partition.compare(0, r.bucket.size(), r.bucket) == 0);
  Check(r.partition[r.bucket.size()] == '/');
  Check(!HasControlChar(r.partition));
  std::string_view split_bucket, split_partial;
  Check(Router::SplitPartition(r.partition, &split_bucket, &split_partial));
  Check(split_bucket == r.bucket && split_partial == r.partial_key());

  // A one-message batch, and the longest values every batch placeholder can take.
  CheckObjectKey(*router, r, BatchKeyVars{r.event_time_ms, r.event_time_ms, 0, 1},
                 options.max_key_bytes);
  CheckObjectKey(*router, r,
                 BatchKeyVars{0, kMaxEventTimeMs, std::numeric_limits<uint64_t>::max(),
                              std::numeric_limits<uint64_t>::max()},
                 options.max_key_bytes);
  return 0;
}
