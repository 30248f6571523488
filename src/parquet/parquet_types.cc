#include "parquet/parquet_types.h"

#include "parquet/thrift_compact.h"

namespace mqtt2s3::parquet {
namespace {

// Enums travel as i32 (thrift compact "Enum encoding").
template <typename E>
int32_t E32(E e) {
  return static_cast<int32_t>(e);
}

void WriteStatistics(const Statistics& s, CompactWriter& w) {
  if (s.max) w.FieldBinary(1, *s.max);
  if (s.min) w.FieldBinary(2, *s.min);
  if (s.null_count) w.FieldI64(3, *s.null_count);
  if (s.max_value) w.FieldBinary(5, *s.max_value);
  if (s.min_value) w.FieldBinary(6, *s.min_value);
  if (s.is_max_value_exact) w.FieldBool(7, *s.is_max_value_exact);
  if (s.is_min_value_exact) w.FieldBool(8, *s.is_min_value_exact);
}

void WriteLogicalType(const LogicalType& t, CompactWriter& w) {
  // A union: exactly one arm, each arm a struct.
  const auto arm = static_cast<int16_t>(t.kind);
  w.BeginStructField(arm);
  switch (t.kind) {
    case LogicalType::Kind::kString:
    case LogicalType::Kind::kJson:
      break;  // StringType {} / JsonType {}
    case LogicalType::Kind::kTimestamp:
      w.FieldBool(1, t.timestamp_adjusted_to_utc);
      w.BeginStructField(2);  // union TimeUnit
      w.EmptyStructField(1);  // MILLIS: MilliSeconds {}
      w.EndStruct();
      break;
    case LogicalType::Kind::kInteger:
      w.FieldI8(1, t.bit_width);
      w.FieldBool(2, t.is_signed);
      break;
  }
  w.EndStruct();
}

void WriteSchemaElement(const SchemaElement& e, CompactWriter& w) {
  if (e.type) w.FieldI32(1, E32(*e.type));
  if (e.repetition_type) w.FieldI32(3, E32(*e.repetition_type));
  w.FieldBinary(4, e.name);
  if (e.num_children) w.FieldI32(5, *e.num_children);
  if (e.converted_type) w.FieldI32(6, E32(*e.converted_type));
  if (e.logical_type) {
    w.BeginStructField(10);
    WriteLogicalType(*e.logical_type, w);
    w.EndStruct();
  }
}

void WriteColumnMetaData(const ColumnMetaData& m, CompactWriter& w) {
  w.FieldI32(1, E32(m.type));
  w.BeginListField(2, CompactType::kI32, static_cast<uint32_t>(m.encodings.size()));
  for (Encoding e : m.encodings) w.ElemI32(E32(e));
  w.BeginListField(3, CompactType::kBinary, static_cast<uint32_t>(m.path_in_schema.size()));
  for (const std::string& p : m.path_in_schema) w.ElemBinary(p);
  w.FieldI32(4, E32(m.codec));
  w.FieldI64(5, m.num_values);
  w.FieldI64(6, m.total_uncompressed_size);
  w.FieldI64(7, m.total_compressed_size);
  w.FieldI64(9, m.data_page_offset);
  if (m.dictionary_page_offset) w.FieldI64(11, *m.dictionary_page_offset);
  if (m.statistics) {
    w.BeginStructField(12);
    WriteStatistics(*m.statistics, w);
    w.EndStruct();
  }
  if (!m.encoding_stats.empty()) {
    w.BeginListField(13, CompactType::kStruct, static_cast<uint32_t>(m.encoding_stats.size()));
    for (const PageEncodingStats& s : m.encoding_stats) {
      w.BeginStructElem();
      w.FieldI32(1, E32(s.page_type));
      w.FieldI32(2, E32(s.encoding));
      w.FieldI32(3, s.count);
      w.EndStruct();
    }
  }
  if (m.bloom_filter_offset) w.FieldI64(14, *m.bloom_filter_offset);
  if (m.bloom_filter_length) w.FieldI32(15, *m.bloom_filter_length);
}

void WriteColumnChunk(const ColumnChunk& c, CompactWriter& w) {
  w.FieldI64(2, c.file_offset);
  w.BeginStructField(3);
  WriteColumnMetaData(c.meta_data, w);
  w.EndStruct();
  if (c.offset_index_offset) w.FieldI64(4, *c.offset_index_offset);
  if (c.offset_index_length) w.FieldI32(5, *c.offset_index_length);
  if (c.column_index_offset) w.FieldI64(6, *c.column_index_offset);
  if (c.column_index_length) w.FieldI32(7, *c.column_index_length);
}

void WriteRowGroup(const RowGroup& g, CompactWriter& w) {
  w.BeginListField(1, CompactType::kStruct, static_cast<uint32_t>(g.columns.size()));
  for (const ColumnChunk& c : g.columns) {
    w.BeginStructElem();
    WriteColumnChunk(c, w);
    w.EndStruct();
  }
  w.FieldI64(2, g.total_byte_size);
  w.FieldI64(3, g.num_rows);
  if (g.file_offset) w.FieldI64(5, *g.file_offset);
  if (g.total_compressed_size) w.FieldI64(6, *g.total_compressed_size);
  if (g.ordinal) w.FieldI16(7, *g.ordinal);
}

}  // namespace

void Serialize(const Statistics& statistics, std::string* out) {
  CompactWriter w(out);
  WriteStatistics(statistics, w);
  w.EndStruct();
}

void Serialize(const SchemaElement& element, std::string* out) {
  CompactWriter w(out);
  WriteSchemaElement(element, w);
  w.EndStruct();
}

void Serialize(const PageHeader& h, std::string* out) {
  CompactWriter w(out);
  w.FieldI32(1, E32(h.type));
  w.FieldI32(2, h.uncompressed_page_size);
  w.FieldI32(3, h.compressed_page_size);
  if (h.data_page_header) {
    const DataPageHeader& d = *h.data_page_header;
    w.BeginStructField(5);
    w.FieldI32(1, d.num_values);
    w.FieldI32(2, E32(d.encoding));
    w.FieldI32(3, E32(d.definition_level_encoding));
    w.FieldI32(4, E32(d.repetition_level_encoding));
    if (d.statistics) {
      w.BeginStructField(5);
      WriteStatistics(*d.statistics, w);
      w.EndStruct();
    }
    w.EndStruct();
  }
  if (h.dictionary_page_header) {
    w.BeginStructField(7);
    w.FieldI32(1, h.dictionary_page_header->num_values);
    w.FieldI32(2, E32(h.dictionary_page_header->encoding));
    w.EndStruct();
  }
  w.EndStruct();
}

void Serialize(const FileMetaData& m, std::string* out) {
  CompactWriter w(out);
  w.FieldI32(1, m.version);
  w.BeginListField(2, CompactType::kStruct, static_cast<uint32_t>(m.schema.size()));
  for (const SchemaElement& e : m.schema) {
    w.BeginStructElem();
    WriteSchemaElement(e, w);
    w.EndStruct();
  }
  w.FieldI64(3, m.num_rows);
  w.BeginListField(4, CompactType::kStruct, static_cast<uint32_t>(m.row_groups.size()));
  for (const RowGroup& g : m.row_groups) {
    w.BeginStructElem();
    WriteRowGroup(g, w);
    w.EndStruct();
  }
  if (!m.key_value_metadata.empty()) {
    w.BeginListField(5, CompactType::kStruct, static_cast<uint32_t>(m.key_value_metadata.size()));
    for (const KeyValue& kv : m.key_value_metadata) {
      w.BeginStructElem();
      w.FieldBinary(1, kv.key);
      w.FieldBinary(2, kv.value);
      w.EndStruct();
    }
  }
  if (m.created_by) w.FieldBinary(6, *m.created_by);
  if (m.type_defined_column_orders) {
    uint32_t leaves = 0;
    for (const SchemaElement& e : m.schema) leaves += e.num_children ? 0 : 1;
    w.BeginListField(7, CompactType::kStruct, leaves);
    for (uint32_t i = 0; i < leaves; ++i) {
      w.BeginStructElem();     // union ColumnOrder
      w.EmptyStructField(1);   // TYPE_ORDER: TypeDefinedOrder {}
      w.EndStruct();
    }
  }
  w.EndStruct();
}

void Serialize(const ColumnIndex& c, std::string* out) {
  CompactWriter w(out);
  w.BeginListField(1, CompactType::kBoolTrue, static_cast<uint32_t>(c.null_pages.size()));
  for (bool b : c.null_pages) w.ElemBool(b);
  w.BeginListField(2, CompactType::kBinary, static_cast<uint32_t>(c.min_values.size()));
  for (const std::string& v : c.min_values) w.ElemBinary(v);
  w.BeginListField(3, CompactType::kBinary, static_cast<uint32_t>(c.max_values.size()));
  for (const std::string& v : c.max_values) w.ElemBinary(v);
  w.FieldI32(4, E32(c.boundary_order));
  if (!c.null_counts.empty()) {
    w.BeginListField(5, CompactType::kI64, static_cast<uint32_t>(c.null_counts.size()));
    for (int64_t n : c.null_counts) w.ElemI64(n);
  }
  w.EndStruct();
}

void Serialize(const OffsetIndex& o, std::string* out) {
  CompactWriter w(out);
  w.BeginListField(1, CompactType::kStruct, static_cast<uint32_t>(o.page_locations.size()));
  for (const PageLocation& p : o.page_locations) {
    w.BeginStructElem();
    w.FieldI64(1, p.offset);
    w.FieldI32(2, p.compressed_page_size);
    w.FieldI64(3, p.first_row_index);
    w.EndStruct();
  }
  w.EndStruct();
}

}  // namespace mqtt2s3::parquet
