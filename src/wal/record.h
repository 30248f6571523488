// The logical records a WAL segment holds, and their byte encoding (docs/WAL.md):
//   segment header  kind=1 | magic "M2SW" | version u32 | first_sequence u64
//   message         kind=2 | sequence u64 | receive_time_ms i64 | qos u8 | flags u8 |
//                   partition_len u16 | topic_len u16 | extra_len u32 | payload_len u32 |
//                   partition | topic | extra | payload
//   commit          kind=3 | partition_seq u64 | last_sequence u64 | partition_len u16 |
//                   partition
//   seal            kind=4 | same fields as commit
//   ack mark        kind=5 | acked_through u64
//   pubrel          kind=6 | packet_id u16
// A message whose flags have bit 1 set ends with its MQTT packet id (u16) after the payload.
// All integers little-endian. Values; thread-safe as values.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace mqtt2s3::wal {

inline constexpr uint32_t kFormatVersion = 1;

enum class RecordKind : uint8_t {
  kSegmentHeader = 1,
  kMessage = 2,
  kCommit = 3,
  kSeal = 4,
  kAckMark = 5,  // acks may have been sent for every message up to this sequence
  kPubRel = 6,   // PUBREL received for this packet id: its QoS 2 exchange is over
};

// Message flags.
inline constexpr uint8_t kFlagFlushAfter = 1;
inline constexpr uint8_t kFlagPacketId = 2;      // packet_id is meaningful (and encoded)
inline constexpr uint8_t kFlagAckedOnAppend = 4;  // its ack may go out at once (sync "never")

// What the caller appends. Views: copied by Log::Append.
struct MessageIn {
  std::string_view partition{};  // the batch partition this message goes to (commit scope)
  std::string_view topic{};      // < 64 KiB
  std::string_view payload{};
  std::string_view extra{};      // opaque bytes kept with the message (dedupe id, index key)
  int64_t receive_time_ms = 0;
  uint8_t qos = 0;
  uint8_t flags = 0;  // kFlag* (bit 0 flush_after, as batch::MessageIn)
  uint16_t packet_id = 0;  // the MQTT packet id it arrived with; with kFlagPacketId
};

// A message read back by recovery.
struct Message {
  uint64_t sequence = 0;  // assigned by Log::Append: 1, 2, 3, ... never reused
  int64_t receive_time_ms = 0;
  uint8_t qos = 0;
  uint8_t flags = 0;
  uint16_t packet_id = 0;  // with kFlagPacketId
  std::string partition;
  std::string topic;
  std::string payload;
  std::string extra;
};

// "Partition `partition` uploaded its batch number `partition_seq`, which ends with the
// message of WAL sequence `last_sequence`": every message of that partition with a
// sequence <= last_sequence is in S3.
struct CommitMarker {
  std::string partition;
  uint64_t partition_seq = 0;
  uint64_t last_sequence = 0;
};

// A seal has the same fields: "partition `partition` cut its batch number `partition_seq`,
// ending with the message of WAL sequence `last_sequence`, and is about to upload it". It is
// written before the upload, so that recovery re-forms exactly that batch (same messages,
// same number, so the same object key) when the upload's commit never made it to disk.

struct SegmentHeader {
  uint32_t version = kFormatVersion;
  uint64_t first_sequence = 0;
};

void EncodeSegmentHeader(const SegmentHeader& h, std::string* out);
// InvalidArgument when a field exceeds its length prefix (topic >= 64 KiB, ...).
Status EncodeMessage(uint64_t sequence, const MessageIn& m, std::string* out);
Status EncodeCommit(const CommitMarker& c, std::string* out);
Status EncodeSeal(const CommitMarker& c, std::string* out);
void EncodeAckMark(uint64_t acked_through, std::string* out);
void EncodePubRel(uint16_t packet_id, std::string* out);

// One decoded record; only the member matching `kind` is filled.
struct DecodedRecord {
  RecordKind kind = RecordKind::kMessage;
  SegmentHeader header;
  Message message;
  CommitMarker commit;  // kCommit and kSeal
  uint64_t acked_through = 0;  // kAckMark
  uint16_t packet_id = 0;      // kPubRel
};

// Corruption naming what is malformed (unknown kind, short record, bad magic/version).
Status DecodeRecord(std::string_view data, DecodedRecord* out);

}  // namespace mqtt2s3::wal
