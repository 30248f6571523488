// The one declarative config table: every key the file may hold, with its type, default,
// range and help text. The loader checks keys and types against it, DumpEffective() walks it,
// and RenderConfigMarkdown() turns it into docs/CONFIG.md — so docs, checks and structs cannot
// drift apart (config_table_test.cc checks the defaults against the structs).
//
// Paths: "broker.tls.enabled"; list items as "routes[].key".
// Thread-safety: the table is built once (function-local static) and immutable.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "config/config.h"

namespace mqtt2s3::config {

enum class ValueKind : uint8_t {
  kSection,    // a map of further keys
  kList,       // a sequence of maps; items are the "<path>[]." keys
  kString,
  kTemplate,   // a string parsed as a route template (see docs "Templates")
  kPath,       // a file path; relative paths are taken from the config file's directory
  kEnvName,    // the name of an environment variable
  kBool,
  kInt,
  kDuration,   // stored as milliseconds
  kSize,       // stored as bytes
  kEnum,       // one of `choices`
  kForbidden,  // never allowed (inline secrets); help says what to write instead
};

// A scalar as it moves between YAML text and a struct field.
struct ConfigValue {
  bool b = false;
  int64_t i = 0;  // ints, durations (ms), sizes (bytes)
  std::string s;  // strings, paths, enums
};

inline constexpr uint8_t kRequired = 1;        // must be present (and for lists: non-empty)
inline constexpr uint8_t kDynamicDefault = 2;  // default depends on other values or the host

struct ConfigKey {
  std::string_view path;
  ValueKind kind = ValueKind::kString;
  std::string_view default_text;  // as documented; empty = no default
  std::string_view help;
  uint8_t flags = 0;
  int64_t min = 0;  // range for kInt / kDuration / kSize when min < max
  int64_t max = 0;
  std::string_view choices;  // kEnum: "json|raw"
  void (*set)(Config&, size_t item, const ConfigValue&) = nullptr;
  ConfigValue (*get)(const Config&, size_t item) = nullptr;
  // kList; `item` is the enclosing list item for a list inside one (routes[].columns).
  size_t (*count)(const Config&, size_t item) = nullptr;
  void (*resize)(Config&, size_t item, size_t n) = nullptr;

  bool required() const { return flags & kRequired; }
  bool is_scalar() const {
    return kind != ValueKind::kSection && kind != ValueKind::kList && kind != ValueKind::kForbidden;
  }
};

// The item number set/get receive for keys of a list inside a list item
// ("routes[].columns[].name"): the outer item and the inner one packed into one size_t.
inline constexpr size_t kNestedItemShift = 20;  // inner lists hold fewer than 2^20 items
inline constexpr size_t NestedItem(size_t outer, size_t inner) {
  return (outer << kNestedItemShift) | inner;
}
inline constexpr size_t OuterItem(size_t item) { return item >> kNestedItemShift; }
inline constexpr size_t InnerItem(size_t item) {
  return item & ((size_t{1} << kNestedItemShift) - 1);
}
// Item number for element `i` of list `list_path` under item `item` of its parent.
inline size_t ChildItem(std::string_view list_path, size_t item, size_t i) {
  return list_path.find("[]") == std::string_view::npos ? i : NestedItem(item, i);
}

std::span<const ConfigKey> ConfigTable();

// The entry for a table path ("routes[].key"), or nullptr.
const ConfigKey* FindConfigKey(std::string_view path);

// "broker.tls" for "broker.tls.enabled", "routes[]" for "routes[].key", "" for "broker".
std::string_view ParentPath(std::string_view path);
// "enabled" for "broker.tls.enabled".
std::string_view LeafName(std::string_view path);

// "an integer 1..65535", "a duration (e.g. 30s)", "one of json|raw" — for messages and docs.
std::string DescribeExpected(const ConfigKey& key);
// "integer", "duration", ... — the docs' type column.
std::string_view ValueKindName(ValueKind kind);

// For an unknown key `name` under `parent` (table path): "; did you mean 'host'?" for a close
// sibling, "; 'port' belongs in 'broker.port'" when the name exists elsewhere, else "".
std::string SuggestKey(std::string_view parent, std::string_view name);

// The value as the file would spell it ("30s", "16MiB", "true").
std::string FormatValue(const ConfigKey& key, const ConfigValue& value);

}  // namespace mqtt2s3::config
