#include "route/column_extractor.h"

// See json_fields.cc: GCC 12's -Wnull-dereference inside simdjson's inlined iterators.
#pragma GCC diagnostic ignored "-Wnull-dereference"
#include <simdjson.h>

#include <charconv>
#include <cmath>
#include <optional>

#include "route/event_time.h"
#include "route/payload_inflater.h"

namespace mqtt2s3::route {
namespace {

using format::ColumnType;
using format::ColumnValue;

// 2^63 as a double: integral doubles in [-2^63, 2^63) fit int64.
constexpr double kTwo63 = 9223372036854775808.0;

bool IntegralToInt64(double d, int64_t* out) {
  if (!std::isfinite(d) || d != std::trunc(d) || d < -kTwo63 || d >= kTwo63) return false;
  *out = static_cast<int64_t>(d);
  return true;
}

// Devices often send numbers and switches as strings ("229.7", "1"): a string converts when
// all of it is one such value, with no spaces, signs beyond a leading '-', or NaN/infinity.
bool TextToDouble(std::string_view text, double* out) {
  if (text.empty()) return false;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, *out, std::chars_format::general);
  return ec == std::errc() && ptr == end && std::isfinite(*out);
}

bool TextToInt64(std::string_view text, int64_t* out) {
  if (text.empty()) return false;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, *out);
  if (ec == std::errc() && ptr == end) return true;
  double d = 0;
  return ec != std::errc::result_out_of_range && TextToDouble(text, &d) && IntegralToInt64(d, out);
}

bool TextToBool(std::string_view text, bool* out) {
  if (text == "true" || text == "1") return *out = true, true;
  if (text == "false" || text == "0") return *out = false, true;
  return false;
}

}  // namespace

std::string_view NullReasonName(NullReason r) {
  switch (r) {
    case NullReason::kAbsent: return "absent";
    case NullReason::kType: return "type";
    case NullReason::kPayload: return "payload";
  }
  return "absent";
}

struct ColumnExtractor::Impl {
  std::vector<ColumnOptions> columns;
  std::vector<std::optional<EventTimeParser>> time_parsers;  // per column (timestamp only)
  PayloadCompression compression = PayloadCompression::kNone;
  int compressed_level = -1;
  size_t max_inflated_bytes = 0;

  simdjson::dom::parser parser;
  std::string padded;  // payload copy + SIMDJSON_PADDING; capacity kept
  PayloadInflater inflater;
  std::string inflate_detail;
  std::vector<ColumnValue> cells;  // rows x columns
  std::string arena;               // string cells' bytes
  // String cells hold their arena offset in `i` and length in `pending_len` until
  // FinishBatch: the arena may move while it grows.
  std::vector<uint32_t> pending_cell;
  std::vector<uint32_t> pending_len;
  std::vector<NullCounts> nulls;
  size_t rows = 0;

  bool Compressed(std::string_view topic) const {
    if (compressed_level < 0) return compression == PayloadCompression::kZlib;
    size_t start = 0;
    for (int level = 0; level < compressed_level; ++level) {
      start = topic.find('/', start);
      if (start == std::string_view::npos) return false;
      ++start;
    }
    const size_t end = topic.find('/', start);
    const std::string_view value = topic.substr(start, end == topic.npos ? topic.npos : end - start);
    return value == "1";
  }

  void Null(ColumnValue* cell, size_t column, NullReason why) {
    cell->kind = ColumnValue::Kind::kNull;
    ++nulls[column][static_cast<size_t>(why)];
  }

  void String(ColumnValue* cell, std::string_view text) {
    cell->kind = ColumnValue::Kind::kString;
    cell->i = static_cast<int64_t>(arena.size());
    pending_cell.push_back(static_cast<uint32_t>(cell - cells.data()));
    pending_len.push_back(static_cast<uint32_t>(text.size()));
    arena.append(text);
  }

  void Convert(simdjson::dom::element e, size_t c, ColumnValue* cell) {
    using T = simdjson::dom::element_type;
    const T type = e.type();
    if (type == T::NULL_VALUE) return Null(cell, c, NullReason::kAbsent);
    int64_t i = 0;
    double d = 0;
    switch (columns[c].type) {
      case ColumnType::kInt64: {
        // UINT64 means above INT64_MAX: not representable.
        std::string_view text;
        const bool ok = type == T::INT64 ? !e.get_int64().get(i)
                        : type == T::DOUBLE
                            ? !e.get_double().get(d) && IntegralToInt64(d, &i)
                        : type == T::STRING ? !e.get_string().get(text) && TextToInt64(text, &i)
                                            : false;
        if (!ok) break;
        cell->kind = ColumnValue::Kind::kInt64;
        cell->i = i;
        return;
      }
      case ColumnType::kDouble:
        if (type == T::STRING) {
          std::string_view text;
          if (e.get_string().get(text) || !TextToDouble(text, &d)) break;
        } else if (type != T::INT64 && type != T::UINT64 && type != T::DOUBLE) {
          break;
        } else if (e.get_double().get(d)) {
          break;
        }
        cell->kind = ColumnValue::Kind::kDouble;
        cell->d = d;
        return;
      case ColumnType::kBool: {
        bool b = false;
        std::string_view text;
        if (type == T::BOOL) {
          if (e.get_bool().get(b)) break;
        } else if (type == T::STRING) {
          if (e.get_string().get(text) || !TextToBool(text, &b)) break;
        } else if (type == T::INT64 && (i = e.get_int64().value_unsafe()) >= 0 && i <= 1) {
          b = i == 1;
        } else {
          break;
        }
        cell->kind = ColumnValue::Kind::kBool;
        cell->b = b;
        return;
      }
      case ColumnType::kString: {
        char buf[32];
        std::to_chars_result r{buf, std::errc()};
        std::string_view text;
        if (type == T::STRING) {
          if (e.get_string().get(text)) break;
          return String(cell, text);
        }
        if (type == T::BOOL) return String(cell, e.get_bool().value_unsafe() ? "true" : "false");
        if (type == T::INT64) {
          r = std::to_chars(buf, buf + sizeof(buf), e.get_int64().value_unsafe());
        } else if (type == T::UINT64) {
          r = std::to_chars(buf, buf + sizeof(buf), e.get_uint64().value_unsafe());
        } else if (type == T::DOUBLE) {
          r = std::to_chars(buf, buf + sizeof(buf), e.get_double().value_unsafe());
        } else {
          break;  // object or array
        }
        if (r.ec != std::errc()) break;
        return String(cell, std::string_view(buf, static_cast<size_t>(r.ptr - buf)));
      }
      case ColumnType::kTimestamp: {
        if (type == T::STRING) {
          std::string_view text;
          if (e.get_string().get(text) || !time_parsers[c]->Parse(text, &i)) break;
        } else if (type == T::INT64) {
          i = e.get_int64().value_unsafe();
        } else if (type == T::DOUBLE) {
          d = e.get_double().value_unsafe();
          if (!std::isfinite(d) || d < -kTwo63 || d >= kTwo63) break;
          i = static_cast<int64_t>(std::floor(d));
        } else {
          break;  // UINT64 is past INT64_MAX ms; objects, arrays, booleans
        }
        cell->kind = ColumnValue::Kind::kInt64;
        cell->i = i;
        return;
      }
    }
    Null(cell, c, NullReason::kType);
  }
};

ColumnExtractor::ColumnExtractor(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ColumnExtractor::~ColumnExtractor() = default;
ColumnExtractor::ColumnExtractor(ColumnExtractor&&) noexcept = default;
ColumnExtractor& ColumnExtractor::operator=(ColumnExtractor&&) noexcept = default;

StatusOr<ColumnExtractor> ColumnExtractor::Create(const CompiledRoute& route) {
  auto impl = std::make_unique<Impl>();
  const RouteOptions& o = route.options();
  impl->columns = o.columns;
  impl->compression = o.payload_compression;
  impl->compressed_level = route.compressed_level_index();
  impl->max_inflated_bytes = o.max_inflated_bytes;
  impl->nulls.assign(o.columns.size(), NullCounts{});
  for (const ColumnOptions& c : o.columns) {
    if (c.type != ColumnType::kTimestamp) {
      impl->time_parsers.emplace_back();
      continue;
    }
    auto p = EventTimeParser::Create(c.time_format, o.time_zone);
    if (!p.ok()) return p.status().WithContext("column '" + c.name + "' time_format");
    impl->time_parsers.emplace_back(std::move(*p));
  }
  return ColumnExtractor(std::move(impl));
}

size_t ColumnExtractor::column_count() const { return impl_->columns.size(); }
const std::vector<ColumnOptions>& ColumnExtractor::columns() const { return impl_->columns; }

void ColumnExtractor::BeginBatch(size_t rows) {
  Impl& im = *impl_;
  im.rows = 0;
  im.cells.clear();
  im.cells.reserve(rows * im.columns.size());
  im.arena.clear();
  im.pending_cell.clear();
  im.pending_len.clear();
}

void ColumnExtractor::AddRow(std::string_view topic, std::string_view payload) {
  Impl& im = *impl_;
  const size_t k = im.columns.size();
  const size_t first = im.cells.size();
  im.cells.resize(first + k);
  ++im.rows;
  if (k == 0) return;
  ColumnValue* row = im.cells.data() + first;
  std::string_view json = payload;
  bool readable = true;
  if (im.Compressed(topic)) {
    readable = im.inflater.Inflate(payload, im.max_inflated_bytes, &json, &im.inflate_detail) ==
               InflateResult::kOk;
  }
  simdjson::dom::element root;
  if (readable) {
    im.padded.assign(json);
    im.padded.resize(json.size() + simdjson::SIMDJSON_PADDING, '\0');
    readable = !im.parser.parse(im.padded.data(), json.size(), false).get(root);
  }
  for (size_t c = 0; c < k; ++c) {
    if (!readable) {
      im.Null(&row[c], c, NullReason::kPayload);
      continue;
    }
    simdjson::dom::element e;
    const simdjson::error_code err = im.columns[c].pointer.empty()
                                         ? simdjson::SUCCESS
                                         : root.at_pointer(im.columns[c].pointer).get(e);
    if (im.columns[c].pointer.empty()) e = root;
    if (err) {
      im.Null(&row[c], c, NullReason::kAbsent);
      continue;
    }
    im.Convert(e, c, &row[c]);
  }
}

void ColumnExtractor::FinishBatch() {
  Impl& im = *impl_;
  const std::string_view arena = im.arena;
  for (size_t p = 0; p < im.pending_cell.size(); ++p) {
    ColumnValue& cell = im.cells[im.pending_cell[p]];
    cell.s = arena.substr(static_cast<size_t>(cell.i), im.pending_len[p]);
    cell.i = 0;
  }
  im.pending_cell.clear();
  im.pending_len.clear();
}

std::span<const format::ColumnValue> ColumnExtractor::row(size_t i) const {
  const size_t k = impl_->columns.size();
  return std::span<const format::ColumnValue>(impl_->cells).subspan(i * k, k);
}

std::span<const NullCounts> ColumnExtractor::null_counts() const { return impl_->nulls; }

}  // namespace mqtt2s3::route
