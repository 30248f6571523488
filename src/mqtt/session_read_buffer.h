// SessionReadBuffer: the session's receive buffer. Socket reads are coalesced into one reusable
// byte array and split into complete MQTT packets in place, so many PUBLISH packets are decoded
// from one read without copying or allocating.
//
//   SessionReadBuffer rb(64 * 1024);
//   auto space = rb.WritableSpan();          // read up to space.size() bytes into it
//   rb.Commit(n);
//   Status s = rb.Consume(limits, [&](const Frame& f) { return Handle(f); });
//
// Frames handed to the callback point into the buffer and are valid only during the call.
// A partial packet stays at the front of the buffer; when the packet is larger than the
// buffer, the buffer grows to exactly that packet's size (SplitFrame has already checked it
// against DecodeLimits::max_packet_size) and shrinks back to the initial size once empty.
// Lifecycle: one per connection. Thread-safety: not thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <vector>

#include "common/status.h"
#include "mqtt/codec.h"

namespace mqtt2s3::mqtt {

class SessionReadBuffer {
 public:
  explicit SessionReadBuffer(size_t initial_bytes) : initial_(initial_bytes), buf_(initial_bytes) {}

  // Free space after the buffered bytes; never empty after Consume() returned OK.
  std::span<uint8_t> WritableSpan() { return {buf_.data() + end_, buf_.size() - end_}; }
  void Commit(size_t n) { end_ += n; }

  // Calls on_frame(const Frame&) -> Status for each complete packet, in order. Stops at the
  // first error (a malformed header from SplitFrame or the callback's own), which the caller
  // treats as fatal for the connection. Then makes room for the rest of a partial packet.
  template <typename OnFrame>
  Status Consume(const DecodeLimits& limits, OnFrame&& on_frame) {
    size_t need = 0;
    while (begin_ < end_) {
      auto split = SplitFrame(std::span<const uint8_t>(buf_.data() + begin_, end_ - begin_), limits);
      if (!split.ok()) return split.status();
      if (!split->frame) {
        need = split->need_bytes;
        break;
      }
      begin_ += split->frame->bytes.size();
      M2S_RETURN_IF_ERROR(on_frame(*split->frame));
    }
    MakeRoom(need);
    return Status::Ok();
  }

  size_t buffered() const { return end_ - begin_; }
  size_t capacity() const { return buf_.size(); }

 private:
  // Moves a partial packet to the front (at most one packet's bytes, once per packet) and
  // grows only when the packet cannot fit at all.
  void MakeRoom(size_t need) {
    const size_t have = end_ - begin_;
    if (have == 0) {
      begin_ = end_ = 0;
      if (buf_.size() > initial_) std::vector<uint8_t>(initial_).swap(buf_);
      return;
    }
    const size_t want = have + need;
    if (want > buf_.size()) {
      std::vector<uint8_t> bigger(want);
      std::memcpy(bigger.data(), buf_.data() + begin_, have);
      buf_.swap(bigger);
    } else if (begin_ > 0) {
      std::memmove(buf_.data(), buf_.data() + begin_, have);
    }
    begin_ = 0;
    end_ = have;
  }

  size_t initial_;
  std::vector<uint8_t> buf_;
  size_t begin_ = 0;  // first unconsumed byte
  size_t end_ = 0;    // one past the last received byte
};

}  // namespace mqtt2s3::mqtt
