// Batch: the messages of one partition that become one object, stored compactly.
//
//   Batch b;
//   b.Reset("site-7", "telemetry", /*route_index=*/0, clock.Now());
//   b.Add({.topic = "site/7/t", .payload = "{...}", .receive_time_ms = now_ms, .qos = 1});
//   for (const MessageView m : b) Write(m.topic, m.payload);   // arrival order
//   Upload(b.payload_arena());   // all payloads back to back; m.payload_offset indexes it
//
// Layout: no heap allocation per message. Payloads are appended back to back to one string
// (the payload arena), topics and the optional per-message `extra` bytes (dedupe id, index key)
// to a second string (the meta arena), and each message is a 48-byte POD entry of offsets,
// lengths, event time, QoS and the caller's ack reference. A topic seen recently in the same batch
// is not stored again: a small direct-mapped cache of topic offsets lets messages of one
// device (one topic) share one copy, which is a third of the buffered bytes of a welding
// message. The arenas grow geometrically unless Reserve()d; Clear() keeps their capacity.
//
// Times: event and receive times are int64 milliseconds since the Unix epoch (system clock,
// the unit object names and metadata use); created_at is the steady-clock time the first
// message arrived (ages only).
//
// Limits: each arena stays below 4 GiB (32-bit offsets), a topic below 64 KiB (as in MQTT).
// Use CheckMessage() / Fits() before Add(); the Batcher does.
//
// Lifecycle: built by the Batcher, handed out by move when flushed, optionally handed back
// (Batcher::Complete) for reuse. Thread-safety: a value; not synchronized. A flushed batch
// may move to another thread (uploader) as long as one thread uses it at a time.
#pragma once

#include <chrono>
#include <cstddef>
#include <array>
#include <cstdint>
#include <iterator>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "batch/flush_policy.h"
#include "common/status.h"

namespace mqtt2s3::batch {

// One message to append. Views only: the bytes are copied into the batch.
struct MessageIn {
  std::string_view topic;
  std::string_view payload;
  std::string_view extra;       // opaque bytes kept with the message (dedupe id, index key)
  int64_t event_time_ms = 0;    // Unix ms; the caller passes the receive time if none is known
  int64_t receive_time_ms = 0;  // Unix ms when the session handed the message over
  uint64_t ack_ref = 0;         // the caller's ack token; meaningful for qos > 0
  uint8_t qos = 0;              // 1 and 2 count against the broker's in-flight window
  bool flush_after = false;     // MQTT 5 user property: flush the batch after this message
  // The caller's marker: ack_ref is a write-ahead-log sequence (the message is acked
  // already), not an ack token. Stored, not interpreted.
  bool logged = false;
};

// One stored message. The views point into the batch: valid until it is cleared or destroyed.
struct MessageView {
  std::string_view topic;
  std::string_view payload;
  std::string_view extra;
  uint32_t payload_offset = 0;  // where the payload starts in payload_arena()
  int64_t event_time_ms = 0;
  int64_t receive_time_ms = 0;
  uint64_t ack_ref = 0;
  uint8_t qos = 0;
  bool flush_after = false;
  bool logged = false;
};

// The per-message record. Kept small and trivially copyable: it is the only per-message
// state besides the arena bytes.
struct MessageEntry {
  uint32_t payload_offset;
  uint32_t payload_len;
  uint32_t topic_offset;  // in the meta arena; shared by messages with the same topic
  uint32_t extra_len;
  uint16_t topic_len;
  uint8_t qos;
  uint8_t flags;  // bit 0: flush_after, bit 1: logged
  uint32_t extra_offset;  // in the meta arena
  int64_t event_time_ms;
  int64_t receive_time_ms;  // the Parquet receive_time column (docs/FORMAT.md §8)
  uint64_t ack_ref;
};
static_assert(sizeof(MessageEntry) == 48);

class Batch {
 public:
  static constexpr size_t kMaxArenaBytes = std::numeric_limits<uint32_t>::max();
  static constexpr size_t kMaxTopicBytes = std::numeric_limits<uint16_t>::max();

  Batch() = default;
  Batch(Batch&&) noexcept = default;
  Batch& operator=(Batch&&) noexcept = default;
  Batch(const Batch&) = delete;
  Batch& operator=(const Batch&) = delete;

  // InvalidArgument when the message can never be stored (topic >= 64 KiB, payload or extra
  // >= 4 GiB).
  static Status CheckMessage(const MessageIn& msg);

  // Drops the messages (keeping capacity) and sets the identity of the next batch.
  void Reset(std::string_view partition_id, std::string_view bucket, int route_index,
             std::chrono::steady_clock::time_point created_at);
  // Drops the messages and stats; keeps identity strings and all capacity.
  void Clear();

  // True when `msg` can be added without an arena passing kMaxArenaBytes.
  bool Fits(const MessageIn& msg) const {
    return msg.payload.size() <= kMaxArenaBytes - payloads_.size() &&
           msg.topic.size() + msg.extra.size() <= kMaxArenaBytes - meta_.size();
  }
  // Appends a copy. Preconditions: CheckMessage(msg).ok() and Fits(msg).
  void Add(const MessageIn& msg);
  // Makes room for this many payload bytes, topic + extra bytes and messages without growing
  // (the Batcher passes the size of the partition's previous batch).
  void Reserve(size_t payload_bytes, size_t meta_bytes, size_t messages);
  // Frees the payload and meta arenas (capacity included) and keeps the entries, identity and
  // stats: for a batch whose bytes were encoded into an object body, when only its messages'
  // ack references and times are still needed. message() and the iterators must not be used
  // afterwards; entries() stays valid.
  void ReleaseBytes();
  bool bytes_released() const { return bytes_released_; }

  // Identity.
  const std::string& partition_id() const { return partition_id_; }
  const std::string& bucket() const { return bucket_; }
  int route_index() const { return route_index_; }
  // 0, 1, 2, ... per partition within one Batcher (see BatcherOptions::first_sequence).
  uint64_t sequence() const { return sequence_; }
  void set_sequence(uint64_t s) { sequence_ = s; }
  FlushReason flush_reason() const { return flush_reason_; }
  void set_flush_reason(FlushReason r) { flush_reason_ = r; }
  std::chrono::steady_clock::time_point created_at() const { return created_at_; }

  // Stats.
  bool empty() const { return entries_.empty(); }
  size_t message_count() const { return entries_.size(); }
  size_t payload_bytes() const { return payloads_.size(); }
  // Payload bytes plus the stored topic and extra bytes: what FlushPolicy::max_bytes bounds.
  // A topic repeated within the batch is mostly stored (and counted) once.
  size_t size_bytes() const { return payloads_.size() + meta_.size(); }
  size_t meta_bytes() const { return meta_.size(); }
  // size_bytes() plus the 48-byte entries: what BatcherOptions::max_buffered_bytes bounds.
  // Growth slack (up to 2x) is not included; see capacity_bytes().
  size_t memory_bytes() const { return size_bytes() + entries_.size() * sizeof(MessageEntry); }
  size_t capacity_bytes() const {
    return payloads_.capacity() + meta_.capacity() + entries_.capacity() * sizeof(MessageEntry);
  }
  // Messages with QoS 1 or 2: those whose acks wait for this batch.
  size_t unacked_count() const { return unacked_count_; }
  // Event times may arrive out of order: min/max span them all. Receive times follow arrival.
  int64_t min_event_time_ms() const { return min_event_time_ms_; }
  int64_t max_event_time_ms() const { return max_event_time_ms_; }
  int64_t first_receive_time_ms() const { return first_receive_time_ms_; }
  int64_t last_receive_time_ms() const { return last_receive_time_ms_; }

  // Messages, in arrival order.
  MessageView message(size_t i) const { return View(entries_[i]); }
  std::string_view payload_arena() const { return payloads_; }
  const std::vector<MessageEntry>& entries() const { return entries_; }

  class const_iterator {
   public:
    using iterator_category = std::forward_iterator_tag;
    using value_type = MessageView;
    using difference_type = std::ptrdiff_t;
    using pointer = void;
    using reference = MessageView;
    const_iterator() = default;
    MessageView operator*() const { return batch_->message(index_); }
    const_iterator& operator++() {
      ++index_;
      return *this;
    }
    const_iterator operator++(int) {
      const_iterator old = *this;
      ++index_;
      return old;
    }
    friend bool operator==(const const_iterator& a, const const_iterator& b) {
      return a.index_ == b.index_;
    }

   private:
    friend class Batch;
    const_iterator(const Batch* b, size_t i) : batch_(b), index_(i) {}
    const Batch* batch_ = nullptr;
    size_t index_ = 0;
  };
  const_iterator begin() const { return {this, 0}; }
  const_iterator end() const { return {this, entries_.size()}; }

 private:
  MessageView View(const MessageEntry& e) const;
  // Where `topic` is in meta_: an earlier copy found through the cache, or a new one.
  uint32_t InternTopic(std::string_view topic);

  // Direct-mapped by a hash of the topic; offset kNoTopic = empty slot.
  static constexpr uint32_t kNoTopic = std::numeric_limits<uint32_t>::max();
  static constexpr size_t kTopicSlots = 64;
  struct TopicSlot {
    uint32_t offset = kNoTopic;
    uint32_t len = 0;
  };

  std::string partition_id_;
  std::string bucket_;
  int route_index_ = -1;
  uint64_t sequence_ = 0;
  FlushReason flush_reason_ = FlushReason::kCount;
  std::chrono::steady_clock::time_point created_at_{};

  std::string payloads_;
  std::string meta_;
  std::vector<MessageEntry> entries_;
  std::array<TopicSlot, kTopicSlots> topic_cache_{};
  bool bytes_released_ = false;
  size_t unacked_count_ = 0;
  int64_t min_event_time_ms_ = 0;
  int64_t max_event_time_ms_ = 0;
  int64_t first_receive_time_ms_ = 0;
  int64_t last_receive_time_ms_ = 0;
};

}  // namespace mqtt2s3::batch
