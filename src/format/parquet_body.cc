#include "format/parquet_body.h"

#include "parquet/file_writer.h"

namespace mqtt2s3::format {
namespace {

using parquet::ColumnSpec;
namespace pq = ::mqtt2s3::parquet;

constexpr size_t kEventTime = 0, kReceiveTime = 1, kTopic = 2, kIndexKey = 3, kDedupe = 4,
                 kPayload = 5, kFixed = 6;

pq::ColumnType ParquetType(ColumnType t) {
  switch (t) {
    case ColumnType::kInt64: return pq::ColumnType::kInt64;
    case ColumnType::kDouble: return pq::ColumnType::kDouble;
    case ColumnType::kString: return pq::ColumnType::kString;
    case ColumnType::kBool: return pq::ColumnType::kBool;
    case ColumnType::kTimestamp: return pq::ColumnType::kTimestampMillis;
  }
  return pq::ColumnType::kString;
}

std::vector<ColumnSpec> Schema(const FormatOptions& options) {
  std::vector<ColumnSpec> cols;
  cols.reserve(kFixed + options.columns.size());
  auto fixed = [&](size_t i, pq::ColumnType type, bool nullable) {
    ColumnSpec c;
    c.name = std::string(kParquetFixedColumns[i]);
    c.type = type;
    c.nullable = nullable;
    return c;
  };
  cols.push_back(fixed(kEventTime, pq::ColumnType::kTimestampMillis, false));
  cols.push_back(fixed(kReceiveTime, pq::ColumnType::kTimestampMillis, true));
  cols.push_back(fixed(kTopic, pq::ColumnType::kString, false));
  cols.push_back(fixed(kIndexKey, pq::ColumnType::kString, false));
  // One device per row group: the filter is tiny and lets engines skip other devices' groups.
  cols.back().bloom_filter = true;
  cols.push_back(fixed(kDedupe, pq::ColumnType::kString, false));
  ColumnSpec payload = ColumnSpec::Payload(
      std::string(kParquetFixedColumns[kPayload]),
      options.payload_is_json ? pq::ColumnType::kJson : pq::ColumnType::kBinary);
  payload.nullable = false;
  cols.push_back(std::move(payload));
  for (const TypedColumn& t : options.columns) {
    ColumnSpec c;
    c.name = t.name;
    c.type = ParquetType(t.type);
    cols.push_back(std::move(c));
  }
  return cols;
}

bool Matches(ColumnType type, ColumnValue::Kind kind) {
  using K = ColumnValue::Kind;
  switch (type) {
    case ColumnType::kInt64:
    case ColumnType::kTimestamp: return kind == K::kInt64;
    case ColumnType::kDouble: return kind == K::kDouble;
    case ColumnType::kString: return kind == K::kString;
    case ColumnType::kBool: return kind == K::kBool;
  }
  return false;
}

}  // namespace

void CutRowGroups(const FormatOptions& options, std::span<const MessageRecord> messages,
                  std::span<const uint32_t> order, uint32_t first, uint32_t count,
                  std::vector<RowGroupRange>* out) {
  const uint32_t end = first + count;
  uint32_t begin = first;
  size_t bytes = 0;
  for (uint32_t pos = first; pos < end; ++pos) {
    const size_t size = messages[order[pos]].payload.size();
    const bool full_rows = pos - begin >= options.parquet_row_group_rows;
    const bool full_bytes = pos > begin && bytes + size > options.parquet_row_group_bytes;
    if (full_rows || full_bytes) {
      out->push_back({begin, pos});
      begin = pos;
      bytes = 0;
    }
    bytes += size;
  }
  if (end > begin) out->push_back({begin, end});
}

Status EncodeParquetBody(const FormatOptions& options, std::span<const MessageRecord> messages,
                         std::span<const uint32_t> order,
                         std::span<const RowGroupRange> row_groups, std::string* body,
                         std::vector<uint64_t>* offsets, std::vector<uint32_t>* lengths) {
  pq::WriterOptions wo;
  wo.zstd_level = options.parquet_zstd_level;
  // STRING chunks must all stay dictionary-encoded (fastparquet mixes up PLAIN and dictionary
  // UTF8 chunks in one file, docs/PARQUET_ENCODER.md): room for a whole row group's
  // distinct dedupe ids and strings.
  wo.dictionary_page_bytes = std::max<size_t>(wo.dictionary_page_bytes,
                                              options.parquet_row_group_bytes * 2);
  wo.dictionary_page_bytes = std::min<size_t>(wo.dictionary_page_bytes, size_t{1} << 30);
  wo.key_value_metadata.emplace_back("mqtt2s3.format", "1");
  auto writer = pq::ParquetWriter::Create(Schema(options), std::move(wo));
  if (!writer.ok()) return writer.status().WithContext("parquet schema");
  pq::ParquetWriter& w = *writer;
  const size_t typed = options.columns.size();

  for (const RowGroupRange& rg : row_groups) {
    for (uint32_t pos = rg.begin; pos < rg.end; ++pos) {
      const MessageRecord& m = messages[order[pos]];
      w.column(kEventTime).AppendInt64(m.event_time_ms);
      if (m.receive_time_ms == kUnknownReceiveTime) {
        w.column(kReceiveTime).AppendNull();
      } else {
        w.column(kReceiveTime).AppendInt64(m.receive_time_ms);
      }
      w.column(kTopic).AppendBytes(m.topic);
      w.column(kIndexKey).AppendBytes(m.index_key);
      w.column(kDedupe).AppendBytes(m.dedupe_id);
      w.column(kPayload).AppendBytes(m.payload);
      if (!m.columns.empty() && m.columns.size() != typed) {
        return Status::InvalidArgument("message " + std::to_string(order[pos]) + " has " +
                                       std::to_string(m.columns.size()) +
                                       " typed cells, the route has " + std::to_string(typed) +
                                       " columns");
      }
      for (size_t c = 0; c < typed; ++c) {
        pq::ColumnBuffer& out = w.column(kFixed + c);
        if (m.columns.empty() || m.columns[c].kind == ColumnValue::Kind::kNull) {
          out.AppendNull();
          continue;
        }
        const ColumnValue& v = m.columns[c];
        if (!Matches(options.columns[c].type, v.kind)) {
          return Status::InvalidArgument("message " + std::to_string(order[pos]) +
                                         ": column '" + options.columns[c].name +
                                         "' got a value of another type");
        }
        switch (v.kind) {
          case ColumnValue::Kind::kInt64: out.AppendInt64(v.i); break;
          case ColumnValue::Kind::kDouble: out.AppendDouble(v.d); break;
          case ColumnValue::Kind::kBool: out.AppendBool(v.b); break;
          case ColumnValue::Kind::kString: out.AppendBytes(v.s); break;
          case ColumnValue::Kind::kNull: break;
        }
      }
    }
    M2S_RETURN_IF_ERROR(w.EndRowGroup());
  }
  const std::span<const parquet::ValueLocation> at = w.value_locations(kPayload);
  if (at.size() != order.size()) {
    return Status::Internal("parquet body: " + std::to_string(at.size()) +
                            " payload locations for " + std::to_string(order.size()) + " rows");
  }
  for (size_t pos = 0; pos < at.size(); ++pos) {
    (*offsets)[pos] = at[pos].offset;
    (*lengths)[pos] = at[pos].length;
  }
  M2S_ASSIGN_OR_RETURN(*body, w.Finish());
  return Status::Ok();
}

}  // namespace mqtt2s3::format
