#include "batch/batch.h"

#include <algorithm>
#include <cassert>
#include <cstring>

namespace mqtt2s3::batch {

Status Batch::CheckMessage(const MessageIn& msg) {
  if (msg.topic.size() > kMaxTopicBytes) {
    return Status::InvalidArgument("batch: topic of " + std::to_string(msg.topic.size()) +
                                   " bytes exceeds 65535");
  }
  if (msg.payload.size() > kMaxArenaBytes || msg.extra.size() > kMaxArenaBytes - msg.topic.size()) {
    return Status::InvalidArgument("batch: message on topic '" + std::string(msg.topic) +
                                   "' exceeds 4 GiB");
  }
  return Status::Ok();
}

void Batch::Reset(std::string_view partition_id, std::string_view bucket, int route_index,
                  std::chrono::steady_clock::time_point created_at) {
  Clear();
  // assign() reuses the strings' capacity, so a recycled batch of the same partition does not
  // allocate here.
  partition_id_.assign(partition_id);
  bucket_.assign(bucket);
  route_index_ = route_index;
  created_at_ = created_at;
  sequence_ = 0;
  flush_reason_ = FlushReason::kCount;
}

void Batch::Clear() {
  payloads_.clear();
  meta_.clear();
  entries_.clear();
  topic_cache_.fill(TopicSlot{});
  bytes_released_ = false;
  unacked_count_ = 0;
  min_event_time_ms_ = max_event_time_ms_ = 0;
  first_receive_time_ms_ = last_receive_time_ms_ = 0;
}

void Batch::Reserve(size_t payload_bytes, size_t meta_bytes, size_t messages) {
  payloads_.reserve(payload_bytes);
  meta_.reserve(meta_bytes);
  entries_.reserve(messages);
}

void Batch::ReleaseBytes() {
  std::string().swap(payloads_);
  std::string().swap(meta_);
  topic_cache_.fill(TopicSlot{});
  bytes_released_ = true;
}

namespace {

// A cheap 64-bit hash of the whole topic (8 bytes per step): topics of one partition often
// differ only in the middle (a device level), so no prefix or suffix alone will do.
uint64_t TopicHash(std::string_view t) {
  uint64_t h = t.size() * 0x9E3779B97F4A7C15ull;
  size_t i = 0;
  for (; i + 8 <= t.size(); i += 8) {
    uint64_t w;
    std::memcpy(&w, t.data() + i, 8);
    h = (h ^ w) * 0xFF51AFD7ED558CCDull;
    h ^= h >> 29;
  }
  uint64_t tail = 0;
  std::memcpy(&tail, t.data() + i, t.size() - i);
  h = (h ^ tail) * 0xC4CEB9FE1A85EC53ull;
  return h ^ (h >> 32);
}

}  // namespace

uint32_t Batch::InternTopic(std::string_view topic) {
  if (topic.empty()) return 0;  // nothing to store (and a default view has no data pointer)
  // The previous message's topic first: a partition per device sees nothing else.
  if (!entries_.empty()) {
    const MessageEntry& last = entries_.back();
    if (last.topic_len == topic.size() &&
        std::memcmp(meta_.data() + last.topic_offset, topic.data(), topic.size()) == 0) {
      return last.topic_offset;
    }
  }
  TopicSlot& slot = topic_cache_[TopicHash(topic) >> 58];
  static_assert(kTopicSlots == 64);
  if (slot.offset != kNoTopic && slot.len == topic.size() &&
      std::memcmp(meta_.data() + slot.offset, topic.data(), topic.size()) == 0) {
    return slot.offset;
  }
  slot.offset = static_cast<uint32_t>(meta_.size());
  slot.len = static_cast<uint32_t>(topic.size());
  meta_.append(topic);
  return slot.offset;
}

void Batch::Add(const MessageIn& msg) {
  MessageEntry e;
  e.payload_offset = static_cast<uint32_t>(payloads_.size());
  e.payload_len = static_cast<uint32_t>(msg.payload.size());
  e.topic_offset = InternTopic(msg.topic);
  e.extra_offset = static_cast<uint32_t>(meta_.size());
  e.extra_len = static_cast<uint32_t>(msg.extra.size());
  e.topic_len = static_cast<uint16_t>(msg.topic.size());
  e.qos = msg.qos;
  e.flags = static_cast<uint8_t>((msg.flush_after ? 1 : 0) | (msg.logged ? 2 : 0));
  e.event_time_ms = msg.event_time_ms;
  e.receive_time_ms = msg.receive_time_ms;
  e.ack_ref = msg.ack_ref;

  payloads_.append(msg.payload);
  meta_.append(msg.extra);
  if (entries_.empty()) {
    min_event_time_ms_ = max_event_time_ms_ = msg.event_time_ms;
    first_receive_time_ms_ = msg.receive_time_ms;
  } else {
    min_event_time_ms_ = std::min(min_event_time_ms_, msg.event_time_ms);
    max_event_time_ms_ = std::max(max_event_time_ms_, msg.event_time_ms);
  }
  last_receive_time_ms_ = msg.receive_time_ms;
  entries_.push_back(e);
  if (msg.qos > 0) ++unacked_count_;
}

MessageView Batch::View(const MessageEntry& e) const {
  assert(!bytes_released_ && "message views of a batch whose bytes were released");
  MessageView v;
  v.topic = std::string_view(meta_.data() + e.topic_offset, e.topic_len);
  v.extra = std::string_view(meta_.data() + e.extra_offset, e.extra_len);
  v.payload = std::string_view(payloads_.data() + e.payload_offset, e.payload_len);
  v.payload_offset = e.payload_offset;
  v.event_time_ms = e.event_time_ms;
  v.receive_time_ms = e.receive_time_ms;
  v.ack_ref = e.ack_ref;
  v.qos = e.qos;
  v.flush_after = (e.flags & 1) != 0;
  v.logged = (e.flags & 2) != 0;
  return v;
}

}  // namespace mqtt2s3::batch
