#include "parquet/file_writer.h"

#include <limits>

#include "parquet/encoding.h"

namespace mqtt2s3::parquet {
namespace {

constexpr std::string_view kMagic = "PAR1";

SchemaElement LeafElement(const ColumnSpec& c) {
  SchemaElement e;
  e.name = c.name;
  e.repetition_type = c.nullable ? Repetition::kOptional : Repetition::kRequired;
  switch (c.type) {
    case ColumnType::kInt64:
      e.type = Type::kInt64;
      break;
    case ColumnType::kDouble:
      e.type = Type::kDouble;
      break;
    case ColumnType::kBool:
      e.type = Type::kBoolean;
      break;
    case ColumnType::kTimestampMillis:
      // Both annotations: the logical type for current readers, the converted type for
      // older ones (and for readers that reject a TIMESTAMP without it).
      e.type = Type::kInt64;
      e.converted_type = ConvertedType::kTimestampMillis;
      e.logical_type = LogicalType{.kind = LogicalType::Kind::kTimestamp};
      break;
    case ColumnType::kString:
      e.type = Type::kByteArray;
      e.converted_type = ConvertedType::kUtf8;
      e.logical_type = LogicalType{.kind = LogicalType::Kind::kString};
      break;
    case ColumnType::kJson:
      e.type = Type::kByteArray;
      e.converted_type = ConvertedType::kJson;
      e.logical_type = LogicalType{.kind = LogicalType::Kind::kJson};
      break;
    case ColumnType::kBinary:
      e.type = Type::kByteArray;
      break;
  }
  return e;
}

}  // namespace

StatusOr<ParquetWriter> ParquetWriter::Create(std::vector<ColumnSpec> columns,
                                              WriterOptions options) {
  M2S_RETURN_IF_ERROR(options.Validate());
  M2S_RETURN_IF_ERROR(ValidateSchema(columns));
  std::unique_ptr<ZstdCompressor> compressor;
  for (const ColumnSpec& c : columns) {
    if (c.compression == Compression::kZstd && !compressor) {
      M2S_ASSIGN_OR_RETURN(ZstdCompressor z, ZstdCompressor::Create(options.zstd_level));
      compressor = std::make_unique<ZstdCompressor>(std::move(z));
    }
  }
  return ParquetWriter(std::move(columns), std::make_unique<WriterOptions>(std::move(options)),
                       std::move(compressor));
}

ParquetWriter::ParquetWriter(std::vector<ColumnSpec> columns,
                             std::unique_ptr<WriterOptions> options,
                             std::unique_ptr<ZstdCompressor> compressor)
    : columns_(std::move(columns)),
      options_(std::move(options)),
      compressor_(std::move(compressor)),
      encoder_(std::make_unique<ChunkEncoder>(options_.get(), compressor_.get())),
      locations_(columns_.size()),
      blooms_(columns_.size()) {
  buffers_.reserve(columns_.size());
  for (const ColumnSpec& c : columns_) buffers_.emplace_back(c.type, c.nullable);
  file_.append(kMagic);
  BuildSchema();
}

void ParquetWriter::BuildSchema() {
  SchemaElement root;
  root.name = "schema";
  root.num_children = static_cast<int32_t>(columns_.size());
  metadata_.schema.push_back(std::move(root));
  for (const ColumnSpec& c : columns_) metadata_.schema.push_back(LeafElement(c));
  metadata_.created_by = options_->created_by;
  for (const auto& [k, v] : options_->key_value_metadata) {
    metadata_.key_value_metadata.push_back({k, v});
  }
}

Status ParquetWriter::EndRowGroup() {
  if (finished_) return Status::FailedPrecondition("parquet: writer already finished");
  const size_t rows = buffers_[0].rows();
  Status problem;
  for (size_t i = 0; i < columns_.size() && problem.ok(); ++i) {
    if (buffers_[i].misuse() != nullptr) {
      problem = Status::InvalidArgument("parquet: column '" + columns_[i].name +
                                        "': " + buffers_[i].misuse());
    } else if (buffers_[i].rows() != rows) {
      problem = Status::InvalidArgument(
          "parquet: column '" + columns_[i].name + "' has " +
          std::to_string(buffers_[i].rows()) + " rows, column '" + columns_[0].name + "' has " +
          std::to_string(rows));
    }
  }
  if (problem.ok() && rows > static_cast<size_t>(std::numeric_limits<int32_t>::max())) {
    problem = Status::InvalidArgument("parquet: row group of " + std::to_string(rows) +
                                      " rows passes 2^31-1");
  }
  if (!problem.ok() || rows == 0) {
    for (ColumnBuffer& b : buffers_) b.Clear();
    return problem;
  }

  // On a failure part-way, the file is cut back to the last complete row group and the
  // recorded locations with it, so the writer stays usable and the file valid.
  const size_t file_mark = file_.size();
  std::vector<size_t> location_marks;
  for (const auto& l : locations_) location_marks.push_back(l.size());

  RowGroup group;
  group.num_rows = static_cast<int64_t>(rows);
  int64_t compressed = 0;
  for (size_t i = 0; i < columns_.size(); ++i) {
    std::vector<ValueLocation>* locations =
        columns_[i].record_value_locations ? &locations_[i] : nullptr;
    Status s = encoder_->Encode(columns_[i], buffers_[i], &file_, &chunk_, locations);
    if (!s.ok()) {
      file_.resize(file_mark);
      for (size_t k = 0; k < locations_.size(); ++k) locations_[k].resize(location_marks[k]);
      column_index_spans_.resize(metadata_.row_groups.size() * columns_.size());
      offset_index_spans_.resize(metadata_.row_groups.size() * columns_.size());
      for (ColumnBuffer& b : buffers_) b.Clear();
      return s;
    }
    const ColumnMetaData& m = chunk_.chunk.meta_data;
    group.total_byte_size += m.total_uncompressed_size;
    compressed += m.total_compressed_size;
    if (i == 0) group.file_offset = chunk_.chunk.file_offset;

    if (chunk_.column_index) {
      const size_t at = column_index_blob_.size();
      Serialize(*chunk_.column_index, &column_index_blob_);
      column_index_spans_.emplace_back(at, column_index_blob_.size() - at);
    } else {
      column_index_spans_.emplace_back(0, 0);
    }
    const size_t at = offset_index_blob_.size();
    Serialize(chunk_.offset_index, &offset_index_blob_);
    offset_index_spans_.emplace_back(at, offset_index_blob_.size() - at);
    group.columns.push_back(std::move(chunk_.chunk));
    blooms_[i].swap(chunk_.bloom_filter);
    chunk_.bloom_filter.clear();
  }
  group.total_compressed_size = compressed;
  // Bloom filters follow the row group's chunks, so each chunk and the row group stay one
  // contiguous range (some readers fetch a row group as [file_offset, + compressed size)).
  for (size_t i = 0; i < blooms_.size(); ++i) {
    if (blooms_[i].empty()) continue;
    ColumnMetaData& m = group.columns[i].meta_data;
    m.bloom_filter_offset = static_cast<int64_t>(file_.size());
    m.bloom_filter_length = static_cast<int32_t>(blooms_[i].size());
    file_.append(blooms_[i]);
  }
  if (metadata_.row_groups.size() < 32768) {
    group.ordinal = static_cast<int16_t>(metadata_.row_groups.size());
  }
  metadata_.row_groups.push_back(std::move(group));
  metadata_.num_rows += static_cast<int64_t>(rows);
  for (ColumnBuffer& b : buffers_) b.Clear();
  return Status::Ok();
}

StatusOr<std::string> ParquetWriter::Finish() {
  if (finished_) return Status::FailedPrecondition("parquet: writer already finished");
  M2S_RETURN_IF_ERROR(EndRowGroup());
  finished_ = true;

  // Page index after all row groups, all ColumnIndex structures first, then all
  // OffsetIndex ones, as parquet-format PageIndex.md lays them out.
  const size_t ci_base = file_.size();
  file_.append(column_index_blob_);
  const size_t oi_base = file_.size();
  file_.append(offset_index_blob_);
  size_t k = 0;
  for (RowGroup& g : metadata_.row_groups) {
    for (ColumnChunk& c : g.columns) {
      const auto [ci_at, ci_len] = column_index_spans_[k];
      if (ci_len > 0) {
        c.column_index_offset = static_cast<int64_t>(ci_base + ci_at);
        c.column_index_length = static_cast<int32_t>(ci_len);
      }
      const auto [oi_at, oi_len] = offset_index_spans_[k];
      c.offset_index_offset = static_cast<int64_t>(oi_base + oi_at);
      c.offset_index_length = static_cast<int32_t>(oi_len);
      ++k;
    }
  }

  const size_t footer_at = file_.size();
  Serialize(metadata_, &file_);
  AppendFixed32(&file_, static_cast<uint32_t>(file_.size() - footer_at));
  file_.append(kMagic);
  return std::move(file_);
}

}  // namespace mqtt2s3::parquet
