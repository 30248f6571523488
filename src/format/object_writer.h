// ObjectWriter: turns a batch of messages into one processing-friendly object: a plain body
// (payloads byte for byte, each followed by the separator) or a Parquet file
// (FormatOptions::body_format, format/parquet_body.h), an offset index of every payload's
// bytes in the body, and the S3 user metadata that carries the index inline or points at a
// companion index object. Format: docs/FORMAT.md (version 1). Pure: no I/O.
//
//   M2S_ASSIGN_OR_RETURN(ObjectWriter writer, ObjectWriter::Create(options));
//   std::vector<MessageRecord> records;   // reserve(batch.message_count()) once
//   for (const auto& m : batch) records.push_back({m.payload, m.topic, key, id, m.event_time_ms});
//   M2S_ASSIGN_OR_RETURN(EncodedObject obj, writer.Encode(records));
//   if (obj.index_object) PUT(options.IndexObjectKey(key), *obj.index_object);   // first!
//   PUT(key, obj.body, obj.metadata);     // x-amz-content-sha256 may reuse obj.body_sha256
//
// Speed: one pass over the payloads; the body is reserved once; clustering is a stable
// counting sort over distinct cluster keys (heap work per distinct key, not per message).
//
// Lifecycle: created once from validated options. Thread-safety: Encode is const and keeps no
// state, so one writer may serve several threads.
#pragma once

#include <cstdint>
#include <climits>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "common/status.h"
#include "format/format_options.h"

namespace mqtt2s3::format {

// User metadata: names without the "x-amz-meta-" prefix, lower case.
using Metadata = std::map<std::string, std::string>;

// MessageRecord::receive_time_ms when the message's own receive time is not known.
inline constexpr int64_t kUnknownReceiveTime = INT64_MIN;

// One message to store. Views only; they must stay valid during Encode.
struct MessageRecord {
  std::string_view payload;
  std::string_view topic;
  std::string_view index_key;  // e.g. "site-7/device-42"; components split at key_delimiter
  std::string_view dedupe_id;  // may be empty
  int64_t event_time_ms = 0;   // Unix ms
  // Parquet body only (JSON Lines ignores both): the receive_time column (null when unknown),
  // and one cell per FormatOptions::columns (empty = all null).
  int64_t receive_time_ms = kUnknownReceiveTime;
  std::span<const ColumnValue> columns = {};
};

struct EncodedObject {
  std::string body;
  Metadata metadata;
  // Bytes of the companion index object, to upload BEFORE the body; nullopt when the index
  // is inline in `metadata`.
  std::optional<std::string> index_object;
  std::string body_sha256;     // lowercase hex, as in metadata
  size_t metadata_bytes = 0;   // names + values, what counts against the budget
  size_t index_bytes = 0;      // compressed index size (inline or companion)
  size_t raw_index_bytes = 0;  // before compression
};

// Sum over fields of "x-amz-meta-" + name + value sizes: the bytes the headers carry, an upper
// bound of AWS's 2 KB user-metadata count whether or not AWS counts the prefix.
size_t MetadataBytes(const Metadata& metadata);

class ObjectWriter {
 public:
  static StatusOr<ObjectWriter> Create(FormatOptions options);

  // InvalidArgument when a count or size passes the format's 32-bit limits (2^32-1 messages,
  // payloads below 4 GiB); ResourceExhausted when even the mandatory metadata passes the budget.
  StatusOr<EncodedObject> Encode(std::span<const MessageRecord> messages) const;

  const FormatOptions& options() const { return options_; }

 private:
  explicit ObjectWriter(FormatOptions options) : options_(std::move(options)) {}
  FormatOptions options_;
};

}  // namespace mqtt2s3::format
