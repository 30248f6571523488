#include "parquet/column_writer.h"

#include <bit>
#include <cstring>
#include <limits>

#include "parquet/encoding.h"
#include "parquet/xxhash64.h"

namespace mqtt2s3::parquet {
namespace {

constexpr size_t kMaxPageBytes = std::numeric_limits<int32_t>::max();

bool IsUtf8Type(ColumnType t) { return t == ColumnType::kString || t == ColumnType::kJson; }

int64_t DecodeI64(const std::string& s) {
  int64_t v;
  std::memcpy(&v, s.data(), 8);
  return v;
}

double DecodeF64(const std::string& s) {
  double v;
  std::memcpy(&v, s.data(), 8);
  return v;
}

// <0, 0, >0 in the column's sort order, for two encoded bounds.
int CompareBounds(PhysicalKind kind, const std::string& a, const std::string& b) {
  switch (kind) {
    case PhysicalKind::kInt64: {
      const int64_t x = DecodeI64(a), y = DecodeI64(b);
      return x < y ? -1 : x > y ? 1 : 0;
    }
    case PhysicalKind::kDouble: {
      const double x = DecodeF64(a), y = DecodeF64(b);
      return x < y ? -1 : x > y ? 1 : 0;
    }
    case PhysicalKind::kBool:
    case PhysicalKind::kBytes:
      return a.compare(b);  // std::string compares as unsigned char
  }
  return 0;
}

BoundaryOrder ComputeBoundaryOrder(PhysicalKind kind, const ColumnIndex& ci) {
  bool asc = true, desc = true;
  const std::string* prev_min = nullptr;
  const std::string* prev_max = nullptr;
  for (size_t i = 0; i < ci.null_pages.size(); ++i) {
    if (ci.null_pages[i]) continue;  // null pages carry no bounds and break no order
    if (prev_min != nullptr) {
      const int cmin = CompareBounds(kind, *prev_min, ci.min_values[i]);
      const int cmax = CompareBounds(kind, *prev_max, ci.max_values[i]);
      if (cmin > 0 || cmax > 0) asc = false;
      if (cmin < 0 || cmax < 0) desc = false;
    }
    prev_min = &ci.min_values[i];
    prev_max = &ci.max_values[i];
  }
  if (asc) return BoundaryOrder::kAscending;
  if (desc) return BoundaryOrder::kDescending;
  return BoundaryOrder::kUnordered;
}

Statistics ToStatistics(const EncodedBounds& b, int64_t nulls, PhysicalKind kind) {
  Statistics s;
  s.null_count = nulls;
  s.min_value = b.min;
  s.max_value = b.max;
  if (kind == PhysicalKind::kBytes) {
    if (b.min) s.is_min_value_exact = b.min_exact;
    if (b.max) s.is_max_value_exact = b.max_exact;
  }
  // The legacy fields use signed comparison; for INT64 that is the real order, so old
  // readers get them too. Everything else leaves them unset.
  if (kind == PhysicalKind::kInt64) {
    s.min = b.min;
    s.max = b.max;
  }
  return s;
}

}  // namespace

PhysicalKind KindOf(ColumnType type) {
  switch (type) {
    case ColumnType::kInt64:
    case ColumnType::kTimestampMillis:
      return PhysicalKind::kInt64;
    case ColumnType::kDouble:
      return PhysicalKind::kDouble;
    case ColumnType::kBool:
      return PhysicalKind::kBool;
    case ColumnType::kString:
    case ColumnType::kJson:
    case ColumnType::kBinary:
      return PhysicalKind::kBytes;
  }
  return PhysicalKind::kBytes;
}

void ColumnBuffer::Clear() {
  misuse_ = nullptr;
  defs_.clear();
  fixed_.clear();
  bools_.clear();
  bytes_.clear();
}

bool ChunkEncoder::BuildDictionary(const ColumnBuffer& c, bool utf8_strings) {
  dict_.Reset(options_->dictionary_page_bytes);
  const size_t n = c.values();
  indices_.resize(n);
  size_t plain = 0;
  if (c.kind_ == PhysicalKind::kBytes) {
    for (size_t i = 0; i < n; ++i) {
      if (!dict_.AddBytes(c.bytes_[i], &indices_[i])) return false;
      plain += 4 + c.bytes_[i].size();
    }
  } else {
    for (size_t i = 0; i < n; ++i) {
      if (!dict_.AddFixed(c.fixed_[i], &indices_[i])) return false;
    }
    plain = 8 * n;
  }
  // Bit width 1 at least: some readers mishandle width 0 for one-entry dictionaries.
  index_bit_width_ = std::max(1, BitWidth(dict_.size() - 1));
  const double encoded = static_cast<double>(dict_.plain_bytes()) +
                         static_cast<double>(n) * index_bit_width_ / 8.0;
  // STRING columns keep the dictionary whenever it fits: a file whose UTF8 chunks mix PLAIN
  // and dictionary encoding loses values in fastparquet 2026.x (its Arrow string path keeps
  // the PLAIN pages, its numpy path the dictionary ones, and the merge drops one side).
  if (utf8_strings) return true;
  return encoded <= options_->dictionary_max_ratio * static_cast<double>(plain);
}

void ChunkEncoder::BuildBloomFilter(const ColumnBuffer& c, std::string* out) {
  // Sized for the distinct values, which the dictionary already holds when the chunk is
  // dictionary-encoded; otherwise they are collected here without a size limit.
  if (!use_dict_) {
    dict_.Reset(std::numeric_limits<size_t>::max());
    uint32_t ignored;
    if (c.kind_ == PhysicalKind::kBytes) {
      for (std::string_view v : c.bytes_) dict_.AddBytes(v, &ignored);
    } else {
      for (uint64_t bits : c.fixed_) dict_.AddFixed(bits, &ignored);
    }
  }
  bloom_.Init(SplitBlockBloomFilter::OptimalBytes(dict_.size(), options_->bloom_filter_fpp));
  if (c.kind_ == PhysicalKind::kBytes) {
    for (std::string_view v : dict_.byte_values()) bloom_.Insert(XxHash64(v));
  } else {
    for (uint64_t bits : dict_.fixed_values()) {
      char plain[8];
      std::memcpy(plain, &bits, 8);
      bloom_.Insert(XxHash64(std::string_view(plain, 8)));
    }
  }
  AppendBloomFilter(bloom_, out);
}

Status ChunkEncoder::EmitPage(const ColumnSpec& spec, PageHeader* header, std::string* file,
                              ColumnMetaData* meta, size_t* page_offset, size_t* page_size) {
  std::string_view body = page_;
  if (spec.compression == Compression::kZstd) {
    M2S_RETURN_IF_ERROR(compressor_->Compress(page_, &compressed_));
    body = compressed_;
  }
  if (page_.size() > kMaxPageBytes || body.size() > kMaxPageBytes) {
    return Status::InvalidArgument("parquet: column '" + spec.name + "': a page of " +
                                   std::to_string(page_.size()) + " bytes passes 2 GiB");
  }
  header->uncompressed_page_size = static_cast<int32_t>(page_.size());
  header->compressed_page_size = static_cast<int32_t>(body.size());
  header_.clear();
  Serialize(*header, &header_);
  *page_offset = file->size();
  file->append(header_);
  file->append(body);
  *page_size = header_.size() + body.size();
  meta->total_uncompressed_size += static_cast<int64_t>(header_.size() + page_.size());
  meta->total_compressed_size += static_cast<int64_t>(header_.size() + body.size());
  return Status::Ok();
}

Status ChunkEncoder::WriteDictionaryPage(const ColumnSpec& spec, const ColumnBuffer& c,
                                         std::string* file, ColumnMetaData* meta) {
  page_.clear();
  if (c.kind_ == PhysicalKind::kBytes) {
    for (std::string_view v : dict_.byte_values()) AppendPlainByteArray(&page_, v);
  } else {
    for (uint64_t bits : dict_.fixed_values()) AppendPlainInt64(&page_, static_cast<int64_t>(bits));
  }
  PageHeader h;
  h.type = PageType::kDictionaryPage;
  h.dictionary_page_header = DictionaryPageHeader{static_cast<int32_t>(dict_.size()),
                                                  Encoding::kPlain};
  size_t offset = 0, size = 0;
  M2S_RETURN_IF_ERROR(EmitPage(spec, &h, file, meta, &offset, &size));
  meta->dictionary_page_offset = static_cast<int64_t>(offset);
  meta->encoding_stats.push_back({PageType::kDictionaryPage, Encoding::kPlain, 1});
  return Status::Ok();
}

void ChunkEncoder::AddPageStats(const ColumnSpec& spec, const ColumnBuffer& c,
                                const PageExtent& p, DataPageHeader* header,
                                ChunkResult* result) {
  ValueStats stats;
  switch (c.kind_) {
    case PhysicalKind::kInt64:
      for (size_t i = p.value_begin; i < p.value_end; ++i) {
        stats.AddInt64(static_cast<int64_t>(c.fixed_[i]));
      }
      break;
    case PhysicalKind::kDouble:
      for (size_t i = p.value_begin; i < p.value_end; ++i) {
        stats.AddDouble(std::bit_cast<double>(c.fixed_[i]));
      }
      break;
    case PhysicalKind::kBool:
      for (size_t i = p.value_begin; i < p.value_end; ++i) stats.AddBool(c.bools_[i] != 0);
      break;
    case PhysicalKind::kBytes:
      for (size_t i = p.value_begin; i < p.value_end; ++i) stats.AddBytes(c.bytes_[i]);
      break;
  }
  const auto nulls =
      static_cast<int64_t>((p.row_end - p.row_begin) - (p.value_end - p.value_begin));
  chunk_stats_.Merge(stats);
  chunk_nulls_ += nulls;
  const EncodedBounds b =
      stats.Encode(c.kind_, options_->statistics_max_bytes, IsUtf8Type(spec.type));
  header->statistics = ToStatistics(b, nulls, c.kind_);

  ColumnIndex& ci = *result->column_index;
  const bool null_page = p.value_end == p.value_begin;
  // A page whose values are all NaN, or whose max could not be truncated, has no valid
  // bounds; the spec then forbids a column index for the whole chunk.
  if (!null_page && (!b.min || !b.max)) column_index_ok_ = false;
  ci.null_pages.push_back(null_page);
  ci.min_values.push_back(null_page || !b.min ? std::string() : *b.min);
  ci.max_values.push_back(null_page || !b.max ? std::string() : *b.max);
  ci.null_counts.push_back(nulls);
}

Status ChunkEncoder::WriteDataPage(const ColumnSpec& spec, const ColumnBuffer& c,
                                   const PageExtent& p, std::string* file, ChunkResult* result,
                                   std::vector<ValueLocation>* locations) {
  ColumnMetaData& meta = result->chunk.meta_data;
  PageHeader h;
  h.type = PageType::kDataPage;
  DataPageHeader& d = h.data_page_header.emplace();
  d.num_values = static_cast<int32_t>(p.row_end - p.row_begin);
  d.encoding = use_dict_ ? Encoding::kRleDictionary : Encoding::kPlain;
  if (spec.statistics) AddPageStats(spec, c, p, &d, result);

  page_.clear();
  if (spec.nullable) {
    levels_.clear();
    AppendRleHybrid(std::span<const uint8_t>(c.defs_).subspan(p.row_begin, p.row_end - p.row_begin),
                    1, &levels_);
    AppendFixed32(&page_, static_cast<uint32_t>(levels_.size()));
    page_.append(levels_);
  }
  const size_t nv = p.value_end - p.value_begin;
  size_t offset = 0, size = 0;
  if (use_dict_) {
    page_.push_back(static_cast<char>(index_bit_width_));
    AppendRleHybrid(std::span<const uint32_t>(indices_).subspan(p.value_begin, nv),
                    index_bit_width_, &page_);
  } else if (c.kind_ == PhysicalKind::kBool) {
    AppendPlainBooleans(&page_, std::span<const uint8_t>(c.bools_).subspan(p.value_begin, nv));
  } else if (c.kind_ != PhysicalKind::kBytes) {
    const size_t at = page_.size();
    page_.resize(at + 8 * nv);
    // On an all-null page fixed_ may be empty and data() null, which memcpy must not get.
    if (nv > 0) std::memcpy(page_.data() + at, c.fixed_.data() + p.value_begin, 8 * nv);
  } else if (spec.compression == Compression::kUncompressed) {
    // Uncompressed PLAIN byte arrays go straight from caller memory into the file, one copy,
    // and their file offsets are known as they are written.
    if (p.plain_bytes > kMaxPageBytes - page_.size()) {
      return Status::InvalidArgument("parquet: column '" + spec.name +
                                     "': a page passes 2 GiB");
    }
    const size_t levels_bytes = page_.size();
    h.uncompressed_page_size = static_cast<int32_t>(levels_bytes + p.plain_bytes);
    h.compressed_page_size = h.uncompressed_page_size;
    header_.clear();
    Serialize(h, &header_);
    offset = file->size();
    file->reserve(offset + header_.size() + levels_bytes + p.plain_bytes);
    file->append(header_);
    file->append(page_);
    size_t v = p.value_begin;
    for (size_t r = p.row_begin; r < p.row_end; ++r) {
      if (c.defs_[r] == 0) {
        if (locations) locations->push_back({});
        continue;
      }
      const std::string_view value = c.bytes_[v++];
      AppendFixed32(file, static_cast<uint32_t>(value.size()));
      if (locations) {
        locations->push_back({file->size(), static_cast<uint32_t>(value.size()), true});
      }
      file->append(value);
    }
    size = header_.size() + levels_bytes + p.plain_bytes;
    meta.total_uncompressed_size += static_cast<int64_t>(size);
    meta.total_compressed_size += static_cast<int64_t>(size);
  } else {
    for (size_t i = p.value_begin; i < p.value_end; ++i) AppendPlainByteArray(&page_, c.bytes_[i]);
  }
  if (size == 0) M2S_RETURN_IF_ERROR(EmitPage(spec, &h, file, &meta, &offset, &size));
  if (result->offset_index.page_locations.empty()) {
    meta.data_page_offset = static_cast<int64_t>(offset);
  }
  result->offset_index.page_locations.push_back(
      {static_cast<int64_t>(offset), static_cast<int32_t>(size),
       static_cast<int64_t>(p.row_begin)});
  return Status::Ok();
}

Status ChunkEncoder::Encode(const ColumnSpec& spec, const ColumnBuffer& c, std::string* file,
                            ChunkResult* result, std::vector<ValueLocation>* locations) {
  *result = ChunkResult{};
  if (c.rows() == 0) {
    return Status::FailedPrecondition("parquet: column '" + spec.name + "' has no rows");
  }
  const auto chunk_start = static_cast<int64_t>(file->size());
  // Deprecated field: parquet-mr points it at the chunk's first page, and readers that still
  // look at it expect that; 0 would point them at the magic bytes.
  result->chunk.file_offset = chunk_start;
  ColumnMetaData& meta = result->chunk.meta_data;
  switch (c.kind_) {
    case PhysicalKind::kInt64: meta.type = Type::kInt64; break;
    case PhysicalKind::kDouble: meta.type = Type::kDouble; break;
    case PhysicalKind::kBool: meta.type = Type::kBoolean; break;
    case PhysicalKind::kBytes: meta.type = Type::kByteArray; break;
  }
  meta.path_in_schema = {spec.name};
  meta.codec = spec.compression == Compression::kZstd ? Codec::kZstd : Codec::kUncompressed;
  meta.num_values = static_cast<int64_t>(c.rows());
  chunk_stats_ = ValueStats();
  chunk_nulls_ = 0;
  column_index_ok_ = spec.statistics;
  if (spec.statistics) result->column_index.emplace();

  use_dict_ = spec.dictionary && c.kind_ != PhysicalKind::kBool && c.values() > 0 &&
              BuildDictionary(c, spec.type == ColumnType::kString);
  if (use_dict_) {
    M2S_RETURN_IF_ERROR(WriteDictionaryPage(spec, c, file, &meta));
    meta.encodings = {Encoding::kPlain, Encoding::kRle, Encoding::kRleDictionary};
  } else {
    meta.encodings = {Encoding::kPlain, Encoding::kRle};
  }

  // Pages end on row boundaries once they pass the byte or row target; a page always holds
  // at least one row, so one oversized value makes one oversized page.
  const size_t page_bits = options_->data_page_bytes * 8;
  size_t row = 0, value = 0;
  int32_t data_pages = 0;
  while (row < c.rows()) {
    PageExtent p{row, row, value, value, 0};
    size_t bits = 0;
    while (p.row_end < c.rows()) {
      if (p.row_end > p.row_begin &&
          (bits >= page_bits || p.row_end - p.row_begin >= options_->data_page_rows)) {
        break;
      }
      if (c.defs_[p.row_end] != 0) {
        size_t plain;
        switch (c.kind_) {
          case PhysicalKind::kBytes: plain = 4 + c.bytes_[p.value_end].size(); break;
          case PhysicalKind::kBool: plain = 0; break;  // bit-packed; sized below
          default: plain = 8;
        }
        p.plain_bytes += plain;
        bits += use_dict_ ? index_bit_width_ : c.kind_ == PhysicalKind::kBool ? 1 : plain * 8;
        ++p.value_end;
      }
      ++p.row_end;
    }
    M2S_RETURN_IF_ERROR(WriteDataPage(spec, c, p, file, result, locations));
    ++data_pages;
    row = p.row_end;
    value = p.value_end;
  }
  meta.encoding_stats.push_back({PageType::kDataPage,
                                 use_dict_ ? Encoding::kRleDictionary : Encoding::kPlain,
                                 data_pages});

  if (spec.bloom_filter && c.values() > 0) BuildBloomFilter(c, &result->bloom_filter);

  if (spec.statistics) {
    const EncodedBounds b =
        chunk_stats_.Encode(c.kind_, options_->statistics_max_bytes, IsUtf8Type(spec.type));
    meta.statistics = ToStatistics(b, chunk_nulls_, c.kind_);
    if (column_index_ok_) {
      result->column_index->boundary_order = ComputeBoundaryOrder(c.kind_, *result->column_index);
    } else {
      result->column_index.reset();
    }
  }
  return Status::Ok();
}

}  // namespace mqtt2s3::parquet
