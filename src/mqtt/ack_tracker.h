// AckTracker: releases PUBACK / PUBREC strictly in the order the PUBLISH packets arrived
// (MQTT-4.6.0-2, -3), whatever order the application releases its ack tokens in.
//
//   AckTracker t;
//   AckToken a, b;
//   t.OnPublish(/*packet_id=*/7, /*qos=*/1, &a);   // kDeliver
//   t.OnPublish(8, 2, &b);                          // kDeliver
//   t.Release(b);                                   // kAccepted, but 8 waits behind 7
//   t.DrainReady([](ReadyAck) { /* nothing yet */ });
//   t.Release(a);
//   t.DrainReady(write);                            // PUBACK 7, then PUBREC 8
//
// Tokens carry a sequence number that never repeats within the tracker's life. NewConnection()
// makes every outstanding token stale: the broker redelivers those messages (DUP) on the
// resumed session, so the application sees them again with fresh tokens and releasing an old
// one is a counted no-op. QoS 2 packet ids whose PUBREC went out stay remembered across
// connections (until PUBREL or ClearSession()), so a redelivered QoS 2 PUBLISH is never
// handed to the application twice; its PUBREC is queued again, in order.
//
// Memory: a ring of 4-byte entries (grows to the largest in-flight window seen, then no
// allocation) and two 8 KiB packet-id bitmaps.
// Lifecycle: owned by one session for its life. Thread-safety: not thread-safe; the session
// calls it on its io thread only.
#pragma once

#include <bitset>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace mqtt2s3::mqtt {

// Names one received QoS 1/2 message for Release(). 0 = no ack needed (QoS 0).
struct AckToken {
  uint64_t id = 0;
  bool valid() const { return id != 0; }
  friend bool operator==(AckToken a, AckToken b) { return a.id == b.id; }
};

// An acknowledgement ready to be written: PUBACK for QoS 1, PUBREC for QoS 2.
struct ReadyAck {
  uint16_t packet_id = 0;
  uint8_t qos = 1;
};

class AckTracker {
 public:
  enum class Admit : uint8_t {
    kDeliver,            // new message: hand it to the application with the token
    kDuplicateReleased,  // QoS 2 redelivery of a message already released: PUBREC queued again
    kDuplicatePending,   // same packet id still unacknowledged on this connection: ignore
  };
  enum class Release : uint8_t {
    kAccepted,   // marked; goes out when all earlier messages are released
    kStale,      // token from an earlier connection: no-op
    kDuplicate,  // released before
    kUnknown,    // never issued (or QoS 0's empty token)
  };

  struct Counters {
    uint64_t stale_releases = 0;
    uint64_t duplicate_releases = 0;
    uint64_t unknown_releases = 0;
    uint64_t duplicates_suppressed = 0;  // redelivered messages not handed to the app again
    uint64_t dropped_on_reconnect = 0;   // unreleased entries discarded by NewConnection()
  };

  AckTracker() = default;
  AckTracker(const AckTracker&) = delete;
  AckTracker& operator=(const AckTracker&) = delete;

  // Registers a received QoS 1/2 PUBLISH. Sets *token only for kDeliver.
  Admit OnPublish(uint16_t packet_id, uint8_t qos, AckToken* token);

  Release MarkReleased(AckToken token);

  // Calls emit(ReadyAck) for each ack now releasable, in receive order; returns how many.
  // QoS 2 entries are remembered as awaiting PUBREL once emitted.
  template <typename Emit>
  size_t DrainReady(Emit&& emit) {
    size_t n = 0;
    while (size_ > 0 && ring_[head_].released) {
      const Entry e = ring_[head_];
      if (e.qos == 2 && !awaiting_pubrel_.test(e.packet_id)) {
        awaiting_pubrel_.set(e.packet_id);
        ++awaiting_pubrel_count_;
      }
      pending_.reset(e.packet_id);
      head_ = (head_ + 1) & (ring_.size() - 1);
      --size_;
      ++base_seq_;
      emit(ReadyAck{e.packet_id, e.qos});
      ++n;
    }
    return n;
  }

  // A PUBREL arrived: forgets the packet id. Returns false when it was not awaited (the
  // session answers PUBCOMP either way, as the spec requires).
  bool OnPubrel(uint16_t packet_id);

  // The connection dropped: outstanding tokens become stale, unreleased entries are dropped.
  void NewConnection();

  // The broker has no session for us (session present = 0): forget QoS 2 state too.
  void ClearSession();

  // Received messages whose ack has not been emitted yet (released or not).
  size_t outstanding() const { return size_; }
  // Kept as a count: bitset::count() per PUBLISH was a fifth of the converter's CPU.
  size_t awaiting_pubrel() const { return awaiting_pubrel_count_; }
  const Counters& counters() const { return counters_; }

 private:
  struct Entry {
    uint16_t packet_id;
    uint8_t qos;
    bool released;
  };
  void Grow();

  std::vector<Entry> ring_;  // capacity is a power of two (or 0)
  size_t head_ = 0;
  size_t size_ = 0;
  uint64_t base_seq_ = 0;        // sequence number of ring_[head_]
  uint64_t connection_seq_ = 0;  // first sequence number of the current connection
  std::bitset<65536> pending_;          // packet ids in the ring
  std::bitset<65536> awaiting_pubrel_;  // QoS 2 ids whose PUBREC was emitted
  size_t awaiting_pubrel_count_ = 0;    // awaiting_pubrel_.count()
  Counters counters_;
};

}  // namespace mqtt2s3::mqtt
