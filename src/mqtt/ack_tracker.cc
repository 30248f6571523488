#include "mqtt/ack_tracker.h"

namespace mqtt2s3::mqtt {

// Token ids are sequence + 1 so that 0 stays "no token". Sequences only grow, so a token
// below connection_seq_ belongs to an earlier connection, one in [connection_seq_, base_seq_)
// was already emitted, and one in [base_seq_, base_seq_ + size_) is in the ring.

AckTracker::Admit AckTracker::OnPublish(uint16_t packet_id, uint8_t qos, AckToken* token) {
  if (pending_.test(packet_id)) {
    // The broker may not reuse an id before our ack, so this is a resend; the entry already
    // in the ring will acknowledge it.
    ++counters_.duplicates_suppressed;
    return Admit::kDuplicatePending;
  }
  if (size_ == ring_.size()) Grow();
  const bool already_released = qos == 2 && awaiting_pubrel_.test(packet_id);
  // An already released QoS 2 id stays in awaiting_pubrel_ while its PUBREC is re-queued, so
  // another disconnect before that PUBREC goes out cannot make it look new.
  ring_[(head_ + size_) & (ring_.size() - 1)] = Entry{packet_id, qos, already_released};
  ++size_;
  pending_.set(packet_id);
  if (already_released) {
    ++counters_.duplicates_suppressed;
    return Admit::kDuplicateReleased;
  }
  token->id = base_seq_ + size_;  // (base_seq_ + size_ - 1) + 1
  return Admit::kDeliver;
}

AckTracker::Release AckTracker::MarkReleased(AckToken token) {
  if (!token.valid()) {
    ++counters_.unknown_releases;
    return Release::kUnknown;
  }
  const uint64_t seq = token.id - 1;
  if (seq < connection_seq_) {
    ++counters_.stale_releases;
    return Release::kStale;
  }
  if (seq < base_seq_) {
    ++counters_.duplicate_releases;
    return Release::kDuplicate;
  }
  if (seq >= base_seq_ + size_) {
    ++counters_.unknown_releases;
    return Release::kUnknown;
  }
  Entry& e = ring_[(head_ + (seq - base_seq_)) & (ring_.size() - 1)];
  if (e.released) {
    ++counters_.duplicate_releases;
    return Release::kDuplicate;
  }
  e.released = true;
  return Release::kAccepted;
}

bool AckTracker::OnPubrel(uint16_t packet_id) {
  const bool known = awaiting_pubrel_.test(packet_id);
  awaiting_pubrel_.reset(packet_id);
  if (known) --awaiting_pubrel_count_;
  return known;
}

void AckTracker::NewConnection() {
  counters_.dropped_on_reconnect += size_;
  base_seq_ += size_;
  connection_seq_ = base_seq_;
  head_ = 0;
  size_ = 0;
  pending_.reset();
}

void AckTracker::ClearSession() {
  NewConnection();
  awaiting_pubrel_.reset();
  awaiting_pubrel_count_ = 0;
}

void AckTracker::Grow() {
  const size_t new_cap = ring_.empty() ? 64 : ring_.size() * 2;
  std::vector<Entry> next(new_cap);
  for (size_t i = 0; i < size_; ++i) next[i] = ring_[(head_ + i) & (ring_.size() - 1)];
  ring_.swap(next);
  head_ = 0;
}

}  // namespace mqtt2s3::mqtt
