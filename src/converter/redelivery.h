// RedeliveryTable: recognises a PUBLISH the broker sends again (DUP set, same packet id) that
// the write-ahead log already holds, so it is acknowledged without being stored twice
// (docs/WAL.md "Redeliveries").
//
//   RedeliveryTable t;
//   t.Restore(recovered, content_hash_of);                 // at start-up, from the WAL
//   t.OnLogged(packet_id, qos, ContentHash(topic, payload), seq);   // every QoS 1/2 append
//   t.SetAckedThrough(log.durable_sequence());            // acks up to here may have gone out
//   if (auto seq = t.Match(packet_id, qos, ContentHash(topic, payload))) { ack once *seq is
//     durable; do not store }
//   t.OnPubRel(packet_id);                                // the QoS 2 exchange is over
//
// "The same message" is: the same packet id, DUP set on the redelivery, the same QoS and the
// same topic + payload (64-bit hash), and either
//   - its ack was never sent (WAL sequence above the ack mark): the broker cannot have reused
//     the id, because it reuses an id only after our ack; or
//   - QoS 2 with PUBREC sent and no PUBREL yet: the id is still taken by that exchange; or
//   - QoS 1 among the last `window` messages logged (the broker's in-flight window, Receive
//     Maximum): its ack may have been lost with the connection. Here a broker that reused the
//     id at once for a byte-identical message on the same topic, lost before we logged it,
//     would have that copy taken for the first: indistinguishable messages stored once.
// Anything else is stored (a duplicate at worst).
//
// Memory: a fixed table of 65,536 entries (1 MiB), allocated once.
// Lifecycle: one per converter. Thread-safety: none (the io thread).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>

namespace mqtt2s3::converter {

uint64_t ContentHash(std::string_view topic, std::string_view payload);

class RedeliveryTable {
 public:
  RedeliveryTable();

  // The message of WAL sequence `seq` arrived with `packet_id` at `qos` (1 or 2).
  void OnLogged(uint16_t packet_id, uint8_t qos, uint64_t content_hash, uint64_t seq);
  // A restored entry whose message is no longer in the log (uploaded): only the id is known,
  // which identifies a QoS 2 redelivery (the id stays taken until PUBREL).
  void OnLoggedWithoutContent(uint16_t packet_id, uint8_t qos, uint64_t seq);
  void OnPubRel(uint16_t packet_id);
  // Acks may have been sent for every message up to `seq`.
  void SetAckedThrough(uint64_t seq) {
    if (seq > acked_through_) acked_through_ = seq;
  }
  // How many of the latest logged messages may still be unacked at the broker (its in-flight
  // window); 0 = only those whose ack never went out.
  void SetWindow(uint64_t messages) { window_ = messages; }

  // For a redelivered (DUP) PUBLISH: the WAL sequence of the copy already logged, or nullopt
  // when it must be stored. A QoS 1 match is used up (the ack goes out now).
  std::optional<uint64_t> Match(uint16_t packet_id, uint8_t qos, uint64_t content_hash);

  uint64_t acked_through() const { return acked_through_; }

 private:
  struct Entry {
    uint64_t seq = 0;  // 0 = none
    uint64_t hash = 0;
    uint8_t qos = 0;
    bool has_content = false;
  };
  std::unique_ptr<Entry[]> entries_;
  uint64_t acked_through_ = 0;
  uint64_t window_ = 0;
  uint64_t newest_ = 0;  // the highest sequence logged
};

}  // namespace mqtt2s3::converter
