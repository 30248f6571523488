#include "converter/batch_encoder.h"

namespace mqtt2s3::converter {

format::FormatOptions RouteFormat(const format::FormatOptions& base,
                                  const route::RouteOptions& route) {
  format::FormatOptions fo = base;
  fo.clustering = route.cluster;
  fo.cluster_key_components = route.cluster_components;
  fo.body_format = route.format;
  fo.columns.clear();
  if (route.format == format::BodyFormat::kParquet) {
    fo.payload_is_json = route::PayloadStoredAsJson(route);
    for (const route::ColumnOptions& c : route.columns) fo.columns.push_back({c.name, c.type});
  }
  return fo;
}

StatusOr<BatchEncoder> BatchEncoder::Create(const format::FormatOptions& base,
                                            const route::CompiledRoute& route) {
  const route::RouteOptions& ro = route.options();
  auto writer = format::ObjectWriter::Create(RouteFormat(base, ro));
  if (!writer.ok()) return writer.status();
  std::optional<route::ColumnExtractor> extractor;
  if (ro.format == format::BodyFormat::kParquet && !ro.columns.empty()) {
    auto x = route::ColumnExtractor::Create(route);
    if (!x.ok()) return x.status();
    extractor.emplace(std::move(*x));
  }
  return BatchEncoder(std::move(*writer), std::move(extractor), ro.name);
}

StatusOr<format::EncodedObject> BatchEncoder::Encode(std::span<format::MessageRecord> records) {
  if (extractor_) {
    extractor_->BeginBatch(records.size());
    for (const format::MessageRecord& r : records) extractor_->AddRow(r.topic, r.payload);
    extractor_->FinishBatch();
    for (size_t i = 0; i < records.size(); ++i) records[i].columns = extractor_->row(i);
  }
  return writer_.Encode(records);
}

void BatchEncoder::AppendNullStats(std::vector<ColumnNullStats>* out) const {
  if (!extractor_) return;
  const auto counts = extractor_->null_counts();
  for (size_t c = 0; c < counts.size(); ++c) {
    ColumnNullStats e;
    e.route = route_name_;
    e.column = extractor_->columns()[c].name;
    for (size_t r = 0; r < route::kNullReasonCount; ++r) e.nulls[r] = counts[c][r];
    out->push_back(std::move(e));
  }
}

}  // namespace mqtt2s3::converter

namespace mqtt2s3::converter {

void BatchEncoder::CopyNullCounts(std::span<ColumnNullStats> entries) const {
  if (!extractor_) return;
  const auto counts = extractor_->null_counts();
  for (size_t c = 0; c < counts.size() && c < entries.size(); ++c) {
    for (size_t r = 0; r < route::kNullReasonCount; ++r) entries[c].nulls[r] = counts[c][r];
  }
}

}  // namespace mqtt2s3::converter
