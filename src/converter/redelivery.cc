#include "converter/redelivery.h"

#include "parquet/xxhash64.h"

namespace mqtt2s3::converter {

uint64_t ContentHash(std::string_view topic, std::string_view payload) {
  return parquet::XxHash64(payload, parquet::XxHash64(topic));
}

RedeliveryTable::RedeliveryTable()
    : entries_(new Entry[65536 * kDepth]), newest_(new uint8_t[65536]()) {}

void RedeliveryTable::Push(uint16_t packet_id, const Entry& e) {
  Entry* slots = Slots(packet_id);
  uint8_t& newest = newest_[packet_id];
  if (slots[newest].seq == e.seq && e.seq != 0) {
    slots[newest] = e;  // the same message again (restored twice)
    return;
  }
  if (slots[newest].seq != 0) newest = static_cast<uint8_t>((newest + 1) % kDepth);
  slots[newest] = e;
}

void RedeliveryTable::OnLogged(uint16_t packet_id, uint8_t qos, uint64_t content_hash,
                               uint64_t seq) {
  Push(packet_id, {seq, qos, 1, content_hash});
}

void RedeliveryTable::OnLoggedWithoutContent(uint16_t packet_id, uint8_t qos, uint64_t seq) {
  Push(packet_id, {seq, qos, 0, 0});
}

void RedeliveryTable::OnPubRel(uint16_t packet_id) {
  Entry* slots = Slots(packet_id);
  for (size_t i = 0; i < kDepth; ++i) {
    if (slots[i].qos == 2) slots[i] = {};
  }
}

std::optional<uint64_t> RedeliveryTable::Match(uint16_t packet_id, uint8_t qos,
                                               uint64_t content_hash) {
  Entry* slots = Slots(packet_id);
  const uint8_t newest = newest_[packet_id];
  if (qos == 2) {
    // The id is taken by the latest exchange until its PUBREL; older QoS 2 entries are over.
    Entry& e = slots[newest];
    if (e.seq == 0 || e.qos != 2 || (e.has_content && e.hash != content_hash)) {
      return std::nullopt;
    }
    return static_cast<uint64_t>(e.seq);
  }
  // QoS 1: its ack may never have reached the broker, however old, and mosquitto may hold
  // several unacknowledged messages under one id: newest first.
  for (size_t k = 0; k < kDepth; ++k) {
    Entry& e = slots[(newest + kDepth - k) % kDepth];
    if (e.seq != 0 && e.qos == qos && e.has_content && e.hash == content_hash) {
      const uint64_t seq = e.seq;
      e = {};  // used up
      return seq;
    }
  }
  return std::nullopt;
}

}  // namespace mqtt2s3::converter
