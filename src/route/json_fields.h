// Reads scalar fields from one JSON payload by JSON pointer, for {json:/a/b} placeholders.
//
//   JsonFields fields;                       // once per thread; keeps its buffers
//   fields.Reset(payload);                   // per message; parses lazily on first Get
//   std::string_view v;
//   if (fields.Get("/weldspot/Timestamp", &v) == JsonFieldResult::kOk) Use(v);
//
// Strings come back unescaped, numbers as their exact source text ("1.50" stays "1.50"),
// booleans as "true"/"false". null, objects and arrays count as missing. The parser and the
// padded copy of the payload are reused, so a steady stream of messages allocates nothing.
//
// A pointer read twice for one payload is answered from a small memo (the welding route reads
// its time field for the event time and again for the index key). The memo keeps the pointer
// view: pointer strings must live until the next Reset() (the router's are config strings).
//
// Thread-safety: not thread-safe; one instance per thread. Returned views live until the next
// Get() or Reset(); `payload` must outlive the calls that follow Reset().
#pragma once

#include <memory>
#include <string_view>

namespace mqtt2s3::route {

enum class JsonFieldResult : uint8_t {
  kOk,
  kMissing,      // no such field, or null / object / array
  kInvalidJson,  // the payload is not valid JSON (or not UTF-8)
};

class JsonFields {
 public:
  JsonFields();
  ~JsonFields();
  JsonFields(JsonFields&&) noexcept;
  JsonFields& operator=(JsonFields&&) noexcept;

  void Reset(std::string_view payload);
  JsonFieldResult Get(std::string_view pointer, std::string_view* value);
  // True when the whole payload is valid JSON (and UTF-8), checked once per Reset with
  // simdjson's DOM parser (reused, so no allocation in steady state).
  bool IsValid();

 private:
  JsonFieldResult Read(std::string_view pointer, std::string_view* value);

  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace mqtt2s3::route
