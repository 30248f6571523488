// Object format version 1: the constants a reader and a writer share. The specification is
// docs/FORMAT.md; this header is its vocabulary (like LevelDB's db/log_format.h).
//
// An object is a plain body (payloads back to back, each followed by the separator) plus an
// index of every message. The index is a little-endian binary layout
//
//   header: "M2SI" | u16 version | u16 header_len | u32 entry_count | u32 flags
//   then sections until the end: 4-byte ASCII tag | u32 payload_len | payload
//
// compressed as one zlib stream (RFC 1950). It lives base64-encoded in user metadata when it
// fits the metadata budget, and in a companion object otherwise.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace mqtt2s3::format {

inline constexpr uint32_t kFormatVersion = 1;

// Index header.
inline constexpr std::string_view kIndexMagic = "M2SI";
inline constexpr size_t kIndexHeaderBytes = 16;
inline constexpr size_t kSectionHeaderBytes = 8;  // tag + u32 length

// Index sections. Unknown tags are skipped by readers.
inline constexpr std::string_view kTagStrings = "STRS";  // string table
inline constexpr std::string_view kTagOffsets = "OFFS";  // u64 per entry: payload offset
inline constexpr std::string_view kTagLengths = "LENS";  // u32 per entry: payload length
inline constexpr std::string_view kTagTimes = "TIME";    // i64 per entry: event time, Unix ms
inline constexpr std::string_view kTagTopics = "TOPC";   // u32 per entry: topic string id
inline constexpr std::string_view kTagKeys = "IKEY";     // u32 per entry: index key string id
inline constexpr std::string_view kTagDedupe = "DDUP";   // u32 lengths, then bytes (optional)
inline constexpr std::string_view kTagArrival = "SEQN";  // u32 per entry: arrival position (opt.)
inline constexpr std::string_view kTagGroups = "GRPS";   // cluster groups (optional)
// Group directory buckets (optional), stored uncompressed at the end of the companion index so
// that one bucket is one ranged GET (FORMAT.md 3.4). Index parsers skip it.
inline constexpr std::string_view kTagGroupBuckets = "GDIR";
// Largest bucket slot the writer aims for: a device then costs at most this many index bytes.
inline constexpr size_t kGroupBucketTargetBytes = 4096;
inline constexpr size_t kGroupRecordBytes = 28;  // u32 key, u32 first, u32 count, u64 off, u64 len

// The header prefix of S3 user metadata; Metadata maps hold names without it.
inline constexpr std::string_view kAmzMetaPrefix = "x-amz-meta-";

// User-metadata names, without the "x-amz-meta-" prefix, lower case.
inline constexpr std::string_view kMetaFormat = "mqtt2s3-format";
inline constexpr std::string_view kMetaCount = "mqtt2s3-count";
inline constexpr std::string_view kMetaFirstEvent = "mqtt2s3-first-event-ms";
inline constexpr std::string_view kMetaLastEvent = "mqtt2s3-last-event-ms";
inline constexpr std::string_view kMetaBodyLength = "mqtt2s3-body-length";
inline constexpr std::string_view kMetaBodySha256 = "mqtt2s3-body-sha256";
inline constexpr std::string_view kMetaSeparator = "mqtt2s3-separator";
// "parquet" for a Parquet body; absent = JSON Lines (the only body before it existed).
inline constexpr std::string_view kMetaBodyFormat = "mqtt2s3-body-format";
inline constexpr std::string_view kMetaIndexSha256 = "mqtt2s3-index-sha256";
inline constexpr std::string_view kMetaIndexSize = "mqtt2s3-index-size";
inline constexpr std::string_view kMetaIndexLocation = "mqtt2s3-index-location";
inline constexpr std::string_view kMetaIndexParts = "mqtt2s3-index-parts";
inline constexpr std::string_view kMetaIndexPartPrefix = "mqtt2s3-index-";  // + 0, 1, ...
inline constexpr std::string_view kMetaIndexPrefix = "mqtt2s3-index-prefix";
inline constexpr std::string_view kMetaIndexSuffix = "mqtt2s3-index-suffix";
// Optional group directory (FORMAT.md 3.3): parts of "key:offset:length:count:first:last,...".
inline constexpr std::string_view kMetaGroupsParts = "mqtt2s3-groups-parts";
inline constexpr std::string_view kMetaGroupsPartPrefix = "mqtt2s3-groups-";  // + 0, 1, ...
// Optional bucketed group directory in the companion index (FORMAT.md 3.4):
// "<offset>:<buckets>:<slot>:<delimiter hex>".
inline constexpr std::string_view kMetaGroupBuckets = "mqtt2s3-group-buckets";

inline constexpr std::string_view kLocationInline = "inline";
inline constexpr std::string_view kLocationObject = "object";
inline constexpr std::string_view kSeparatorNone = "none";

// A decoder never inflates an index past this many bytes (decompression-bomb guard; a
// 10,000-message index is well under 1 MiB).
inline constexpr size_t kMaxRawIndexBytes = size_t{1} << 30;

}  // namespace mqtt2s3::format
