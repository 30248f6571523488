#include "wal/record.h"

#include <limits>

namespace mqtt2s3::wal {
namespace {

constexpr std::string_view kMagic = "M2SW";

// One append per field: push_back per byte was a visible share of the WAL append (issue 19).
template <typename T>
void PutLE(std::string* out, T v) {
  char bytes[sizeof(T)];
  for (size_t i = 0; i < sizeof(T); ++i) {
    bytes[i] = static_cast<char>((static_cast<uint64_t>(v) >> (8 * i)) & 0xff);
  }
  out->append(bytes, sizeof(T));
}

// Bounds-checked little-endian cursor: every Get fails cleanly on a short record.
class Cursor {
 public:
  explicit Cursor(std::string_view d) : d_(d) {}
  template <typename T>
  bool Get(T* v) {
    if (d_.size() < sizeof(T)) return false;
    uint64_t x = 0;
    for (size_t i = 0; i < sizeof(T); ++i) x |= uint64_t{static_cast<uint8_t>(d_[i])} << (8 * i);
    *v = static_cast<T>(x);
    d_.remove_prefix(sizeof(T));
    return true;
  }
  bool Bytes(size_t n, std::string* out) {
    if (d_.size() < n) return false;
    out->assign(d_.data(), n);
    d_.remove_prefix(n);
    return true;
  }
  bool Skip(std::string_view expected) {
    if (d_.substr(0, expected.size()) != expected) return false;
    d_.remove_prefix(expected.size());
    return true;
  }
  bool empty() const { return d_.empty(); }

 private:
  std::string_view d_;
};

Status Short(std::string_view what) {
  return Status::Corruption(std::string("short or malformed ") + std::string(what) + " record");
}

}  // namespace

void EncodeSegmentHeader(const SegmentHeader& h, std::string* out) {
  out->push_back(static_cast<char>(RecordKind::kSegmentHeader));
  out->append(kMagic);
  PutLE<uint32_t>(out, h.version);
  PutLE<uint64_t>(out, h.first_sequence);
}

Status EncodeMessage(uint64_t sequence, const MessageIn& m, std::string* out) {
  if (m.partition.size() > std::numeric_limits<uint16_t>::max() ||
      m.topic.size() > std::numeric_limits<uint16_t>::max()) {
    return Status::InvalidArgument("WAL message: partition or topic longer than 65535 bytes");
  }
  if (m.extra.size() > std::numeric_limits<uint32_t>::max() ||
      m.payload.size() > std::numeric_limits<uint32_t>::max()) {
    return Status::InvalidArgument("WAL message: payload or extra of 4 GiB or more");
  }
  out->reserve(out->size() + 31 + m.partition.size() + m.topic.size() + m.extra.size() +
               m.payload.size());
  out->push_back(static_cast<char>(RecordKind::kMessage));
  PutLE<uint64_t>(out, sequence);
  PutLE<int64_t>(out, m.receive_time_ms);
  PutLE<uint8_t>(out, m.qos);
  PutLE<uint8_t>(out, m.flags);
  PutLE<uint16_t>(out, static_cast<uint16_t>(m.partition.size()));
  PutLE<uint16_t>(out, static_cast<uint16_t>(m.topic.size()));
  PutLE<uint32_t>(out, static_cast<uint32_t>(m.extra.size()));
  PutLE<uint32_t>(out, static_cast<uint32_t>(m.payload.size()));
  out->append(m.partition);
  out->append(m.topic);
  out->append(m.extra);
  out->append(m.payload);
  if (m.flags & kFlagPacketId) PutLE<uint16_t>(out, m.packet_id);
  return Status::Ok();
}

void EncodeAckMark(uint64_t acked_through, std::string* out) {
  out->push_back(static_cast<char>(RecordKind::kAckMark));
  PutLE<uint64_t>(out, acked_through);
}

void EncodePubRel(uint16_t packet_id, std::string* out) {
  out->push_back(static_cast<char>(RecordKind::kPubRel));
  PutLE<uint16_t>(out, packet_id);
}

namespace {

Status EncodeMarker(RecordKind kind, const CommitMarker& c, std::string* out) {
  if (c.partition.size() > std::numeric_limits<uint16_t>::max()) {
    return Status::InvalidArgument("WAL commit/seal: partition longer than 65535 bytes");
  }
  out->push_back(static_cast<char>(kind));
  PutLE<uint64_t>(out, c.partition_seq);
  PutLE<uint64_t>(out, c.last_sequence);
  PutLE<uint16_t>(out, static_cast<uint16_t>(c.partition.size()));
  out->append(c.partition);
  return Status::Ok();
}

}  // namespace

Status EncodeCommit(const CommitMarker& c, std::string* out) {
  return EncodeMarker(RecordKind::kCommit, c, out);
}

Status EncodeSeal(const CommitMarker& c, std::string* out) {
  return EncodeMarker(RecordKind::kSeal, c, out);
}

Status DecodeRecord(std::string_view data, DecodedRecord* out) {
  Cursor c(data);
  uint8_t kind = 0;
  if (!c.Get(&kind)) return Status::Corruption("empty WAL record");
  switch (kind) {
    case static_cast<uint8_t>(RecordKind::kSegmentHeader): {
      out->kind = RecordKind::kSegmentHeader;
      if (!c.Skip(kMagic)) return Status::Corruption("segment header without magic 'M2SW'");
      if (!c.Get(&out->header.version) || !c.Get(&out->header.first_sequence) || !c.empty()) {
        return Short("segment header");
      }
      if (out->header.version != kFormatVersion) {
        return Status::Corruption("unsupported WAL format version " +
                                  std::to_string(out->header.version));
      }
      return Status::Ok();
    }
    case static_cast<uint8_t>(RecordKind::kMessage): {
      out->kind = RecordKind::kMessage;
      Message& m = out->message;
      uint16_t plen = 0, tlen = 0;
      uint32_t elen = 0, len = 0;
      if (!c.Get(&m.sequence) || !c.Get(&m.receive_time_ms) || !c.Get(&m.qos) ||
          !c.Get(&m.flags) || !c.Get(&plen) || !c.Get(&tlen) || !c.Get(&elen) ||
          !c.Get(&len) || !c.Bytes(plen, &m.partition) || !c.Bytes(tlen, &m.topic) ||
          !c.Bytes(elen, &m.extra) || !c.Bytes(len, &m.payload) ||
          ((m.flags & kFlagPacketId) && !c.Get(&m.packet_id)) || !c.empty()) {
        return Short("message");
      }
      if (!(m.flags & kFlagPacketId)) m.packet_id = 0;
      return Status::Ok();
    }
    case static_cast<uint8_t>(RecordKind::kCommit):
    case static_cast<uint8_t>(RecordKind::kSeal): {
      out->kind = static_cast<RecordKind>(kind);
      CommitMarker& m = out->commit;
      uint16_t plen = 0;
      if (!c.Get(&m.partition_seq) || !c.Get(&m.last_sequence) || !c.Get(&plen) ||
          !c.Bytes(plen, &m.partition) || !c.empty()) {
        return Short(kind == static_cast<uint8_t>(RecordKind::kSeal) ? "seal" : "commit");
      }
      return Status::Ok();
    }
    case static_cast<uint8_t>(RecordKind::kAckMark):
      out->kind = RecordKind::kAckMark;
      if (!c.Get(&out->acked_through) || !c.empty()) return Short("ack mark");
      return Status::Ok();
    case static_cast<uint8_t>(RecordKind::kPubRel):
      out->kind = RecordKind::kPubRel;
      if (!c.Get(&out->packet_id) || !c.empty()) return Short("pubrel");
      return Status::Ok();
    default:
      return Status::Corruption("unknown WAL record kind " + std::to_string(kind));
  }
}

}  // namespace mqtt2s3::wal
