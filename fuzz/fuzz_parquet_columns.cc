// libFuzzer target for the Parquet column-typing path: the input is
//   <flags byte> <type byte> time format \0 payload \0 payload \0 ...
// One Parquet route is built with typed columns of every type at a few fixed pointers (plus a
// column of the type byte's choice, with the fuzzed time format when that is valid); each
// payload is typed by route::ColumnExtractor (zlib-inflated first when flags bit 0 is set and
// the payload inflates) and the batch is encoded as a Parquet object. Invariants: every cell is
// null or of its column's type, string cells view valid bytes, null counts add up, encoding
// succeeds, and the index's offsets slice back the exact payloads.
// Crashes, sanitizer reports and __builtin_trap() on a broken invariant are the findings.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "format/object_index.h"
#include "format/object_writer.h"
#include "route/column_extractor.h"
#include "route/compiled_route.h"

namespace {

using mqtt2s3::format::ColumnType;
using mqtt2s3::format::ColumnValue;
namespace format = mqtt2s3::format;
namespace route = mqtt2s3::route;

void Check(bool condition) {
  if (!condition) __builtin_trap();
}

bool Matches(ColumnType t, ColumnValue::Kind k) {
  using K = ColumnValue::Kind;
  switch (t) {
    case ColumnType::kInt64:
    case ColumnType::kTimestamp: return k == K::kInt64;
    case ColumnType::kDouble: return k == K::kDouble;
    case ColumnType::kString: return k == K::kString;
    case ColumnType::kBool: return k == K::kBool;
  }
  return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  const uint8_t flags = data[0];
  const auto extra_type = static_cast<ColumnType>(data[1] % 5);
  std::string_view in(reinterpret_cast<const char*>(data) + 2, size - 2);
  const size_t nul = in.find('\0');
  const std::string time_format(in.substr(0, nul));
  in = nul == std::string_view::npos ? std::string_view() : in.substr(nul + 1);
  std::vector<std::string_view> payloads;
  while (!in.empty() && payloads.size() < 64) {
    const size_t end = in.find('\0');
    payloads.push_back(in.substr(0, end));
    in = end == std::string_view::npos ? std::string_view() : in.substr(end + 1);
  }

  route::RouteOptions r;
  r.name = "fuzz";
  r.filter = "#";
  r.format = format::BodyFormat::kParquet;
  if (flags & 1) r.payload_compression = route::PayloadCompression::kZlib;
  r.max_inflated_bytes = 1 << 16;
  r.columns = {{"i", "/a", ColumnType::kInt64, "rfc3339"},
               {"d", "/a", ColumnType::kDouble, "rfc3339"},
               {"s", "/b/0", ColumnType::kString, "rfc3339"},
               {"ok", "/c~1d", ColumnType::kBool, "rfc3339"},
               {"t", "/t", ColumnType::kTimestamp, "%Y%m%d %H%M%S"},
               {"whole", "", ColumnType::kString, "rfc3339"},
               {"x", "/x", extra_type, time_format}};
  auto compiled = route::CompiledRoute::Compile(r);
  if (!compiled.ok()) {
    r.columns.back().time_format = "rfc3339";
    compiled = route::CompiledRoute::Compile(r);
  }
  Check(compiled.ok());
  auto extractor = route::ColumnExtractor::Create(*compiled);
  Check(extractor.ok());
  route::ColumnExtractor& x = *extractor;

  // Two batches through one extractor: buffers are reused, views must be re-made.
  for (int round = 0; round < 2; ++round) {
    x.BeginBatch(payloads.size());
    for (std::string_view p : payloads) x.AddRow((flags & 2) ? "dev/2" : "dev/1", p);
    x.FinishBatch();

    format::FormatOptions fo;
    fo.body_format = format::BodyFormat::kParquet;
    fo.payload_is_json = false;
    fo.parquet_row_group_rows = 1 + (flags >> 4);
    for (const route::ColumnOptions& c : r.columns) fo.columns.push_back({c.name, c.type});
    std::vector<format::MessageRecord> records;
    for (size_t i = 0; i < payloads.size(); ++i) {
      const auto cells = x.row(i);
      Check(cells.size() == r.columns.size());
      for (size_t c = 0; c < cells.size(); ++c) {
        if (cells[c].kind == ColumnValue::Kind::kNull) continue;
        Check(Matches(r.columns[c].type, cells[c].kind));
        if (cells[c].kind == ColumnValue::Kind::kString) {
          volatile char sink = 0;
          for (char ch : cells[c].s) sink = static_cast<char>(sink ^ ch);
        }
      }
      format::MessageRecord rec;
      rec.payload = payloads[i];
      rec.topic = "t";
      rec.index_key = (i % 3 == 0) ? "dev/a" : "dev/b";
      rec.dedupe_id = "id";
      rec.event_time_ms = static_cast<int64_t>((i * 7919) % 13);
      rec.columns = cells;
      records.push_back(rec);
    }
    auto writer = format::ObjectWriter::Create(fo);
    Check(writer.ok());
    auto obj = writer->Encode(records);
    Check(obj.ok());
    auto located = format::ObjectIndex::FromMetadata(obj->metadata, "k");
    Check(located.ok());
    const auto* index = std::get_if<format::ObjectIndex>(&*located);
    if (index == nullptr) {
      auto loaded = format::ObjectIndex::FromIndexObject(obj->metadata, *obj->index_object);
      Check(loaded.ok());
      for (size_t i = 0; i < loaded->size(); ++i) {
        const auto e = loaded->entry(i);
        Check(std::string_view(obj->body).substr(e.offset, e.length) == payloads[e.arrival]);
      }
      continue;
    }
    Check(index->size() == payloads.size());
    for (size_t i = 0; i < index->size(); ++i) {
      const auto e = index->entry(i);
      Check(std::string_view(obj->body).substr(e.offset, e.length) == payloads[e.arrival]);
    }
  }
  uint64_t nulls = 0;
  for (const auto& n : x.null_counts()) nulls += n[0] + n[1] + n[2];
  Check(nulls <= 2 * payloads.size() * r.columns.size());
  return 0;
}
