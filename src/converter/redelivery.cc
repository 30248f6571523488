#include "converter/redelivery.h"

#include "parquet/xxhash64.h"

namespace mqtt2s3::converter {

uint64_t ContentHash(std::string_view topic, std::string_view payload) {
  return parquet::XxHash64(payload, parquet::XxHash64(topic));
}

RedeliveryTable::RedeliveryTable() : entries_(new Entry[65536]) {}

void RedeliveryTable::OnLogged(uint16_t packet_id, uint8_t qos, uint64_t content_hash,
                               uint64_t seq) {
  entries_[packet_id] = {seq, content_hash, qos, true};
}

void RedeliveryTable::OnLoggedWithoutContent(uint16_t packet_id, uint8_t qos, uint64_t seq) {
  entries_[packet_id] = {seq, 0, qos, false};
}

void RedeliveryTable::OnPubRel(uint16_t packet_id) {
  if (entries_[packet_id].qos == 2) entries_[packet_id] = {};
}

std::optional<uint64_t> RedeliveryTable::Match(uint16_t packet_id, uint8_t qos,
                                               uint64_t content_hash) {
  Entry& e = entries_[packet_id];
  if (e.seq == 0 || e.qos != qos) return std::nullopt;
  if (e.has_content ? e.hash != content_hash : qos != 2) return std::nullopt;
  // QoS 1: its ack may never have reached the broker, however old. QoS 2: until PUBREL.
  const uint64_t seq = e.seq;
  if (qos == 1) e = {};
  return seq;
}

}  // namespace mqtt2s3::converter
