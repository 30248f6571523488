// RedeliveryTable: recognises a PUBLISH the broker sends again (DUP set, same packet id) that
// the write-ahead log already holds, so it is acknowledged without being stored twice
// (docs/WAL.md "Redeliveries").
//
//   RedeliveryTable t;
//   t.OnLogged(packet_id, qos, ContentHash(topic, payload), seq);   // every QoS 1/2 append,
//                                                          // and at start-up from the WAL
//   if (auto seq = t.Match(packet_id, qos, ContentHash(topic, payload))) { ack once *seq is
//     durable; do not store }
//   t.OnPubRel(packet_id);                                // the QoS 2 exchange is over
//
// "The same message" is: the same packet id, DUP set on the redelivery, the same QoS and the
// same topic + payload (64-bit hash) as one of the last kDepth messages logged with that id,
// and
//   - QoS 1: however long ago it was logged, among those kDepth. Its PUBACK may have been lost
//     with the connection (a kill -9 resets the socket and the broker drops the acks it had not
//     read yet), and the broker redelivers everything it holds unacked. mosquitto 2.0.11 lets
//     that grow past Receive Maximum and past 65,535 messages, and then gives the same packet
//     id to a new message while an older one under that id is still unacknowledged, so one id
//     can stand for several outstanding messages (docs/DELIVERY.md, "mosquitto 2.0.11").
//     A match is used up. The one case taken wrongly: the broker got our PUBACK, reused the
//     id for a byte-identical message on the same topic, and that copy was lost before we
//     logged it; then two indistinguishable messages are stored once.
//   - QoS 2 until PUBREL, PUBREC sent or not, the latest message with the id only: the id is
//     still taken by that exchange. One already uploaded and restored without its content is
//     recognised by its id alone.
// Anything else is stored (a duplicate at worst).
//
// Memory: a fixed table of 65,536 x kDepth entries (4 MiB), allocated once.
// Lifecycle: one per converter. Thread-safety: none (the io thread).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>

namespace mqtt2s3::converter {

uint64_t ContentHash(std::string_view topic, std::string_view payload);

class RedeliveryTable {
 public:
  // Messages remembered per packet id: the ids of the last kDepth x 65,535 messages, which the
  // write-ahead log keeps on disk for a restart (LogOptions::retain_messages).
  static constexpr size_t kDepth = 4;

  RedeliveryTable();

  // The message of WAL sequence `seq` arrived with `packet_id` at `qos` (1 or 2); it replaces
  // the oldest of the id's kDepth entries. Logging the id's newest sequence again is a no-op.
  void OnLogged(uint16_t packet_id, uint8_t qos, uint64_t content_hash, uint64_t seq);
  // A restored entry whose message is no longer in the log (uploaded): only the id is known,
  // which identifies a QoS 2 redelivery (the id stays taken until PUBREL).
  void OnLoggedWithoutContent(uint16_t packet_id, uint8_t qos, uint64_t seq);
  // Ends the QoS 2 exchange of `packet_id`: its QoS 2 entries are forgotten.
  void OnPubRel(uint16_t packet_id);

  // For a redelivered (DUP) PUBLISH: the WAL sequence of the copy already logged, or nullopt
  // when it must be stored. A QoS 1 match is used up (the ack goes out now).
  std::optional<uint64_t> Match(uint16_t packet_id, uint8_t qos, uint64_t content_hash);

 private:
  struct Entry {  // 16 bytes
    uint64_t seq : 61 = 0;  // 0 = none; WAL sequences stay far below 2^61
    uint64_t qos : 2 = 0;
    uint64_t has_content : 1 = 0;
    uint64_t hash = 0;
  };
  void Push(uint16_t packet_id, const Entry& e);
  Entry* Slots(uint16_t packet_id) { return &entries_[size_t{packet_id} * kDepth]; }

  std::unique_ptr<Entry[]> entries_;  // kDepth per id, a ring
  std::unique_ptr<uint8_t[]> newest_;  // per id: the ring slot written last
};

}  // namespace mqtt2s3::converter
