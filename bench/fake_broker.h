// FakeBroker: a bench-only MQTT 5 "broker" on 127.0.0.1 for one subscriber. It accepts the
// converter's connection, answers CONNECT and SUBSCRIBE, then replays a pre-encoded stream of
// PUBLISH packets as fast as the subscriber reads them, keeping at most the subscriber's
// Receive Maximum in flight at QoS 1/2 (packet ids are reused only once acknowledged), answering
// PUBREC with PUBREL and counting PUBACK/PUBCOMP. After the stream it sends one QoS 1 message
// to the flush topic (an empty payload: "flush every batch"); its PUBACK says that the
// subscriber has read everything before it, which is also the end of a QoS 0 stream.
//
//   FakeBroker b(stream);                  // stream: see Stream below
//   uint16_t port = b.Listen();
//   FakeBroker::Result r;
//   Status s = b.Run(deadline, [&] { /* first PUBLISH about to go out */ }, &r);
//   b.DrainUntilClosed(deadline);         // answers PINGREQ until the client disconnects
//
// Lifecycle: one connection, one run. Thread-safety: single-threaded.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "common/status.h"

namespace mqtt2s3::bench {

// A pre-encoded stream: `templates` holds PUBLISH packets back to back; message i of the run
// is template i % count with its packet id rewritten.
struct Stream {
  std::vector<uint8_t> bytes;
  std::vector<uint32_t> offsets;      // start of each template; offsets.back() == bytes.size()
  std::vector<uint32_t> id_offsets;   // packet id position in each template (QoS 1/2)
  uint8_t qos = 1;
  uint64_t messages = 0;              // how many to send in the run
  std::string flush_topic;
  uint64_t payload_bytes = 0;         // sum over the templates (for the report)
  size_t templates() const { return offsets.size() - 1; }
};

// Kinds of payload: "weld" (the welding stream of `mqtt2s3 simulate --plants 3 --devices 10`,
// ≈ 150 bytes) or "machine" (the same with a `samples` array of 0..400 numbers, 150 B–1.8 KB).
StatusOr<Stream> MakeStream(const std::string& payload_kind, const std::string& root, uint8_t qos,
                            uint64_t messages, const std::string& flush_topic);

class FakeBroker {
 public:
  using Clock = std::chrono::steady_clock;
  struct Result {
    Clock::time_point first_publish{};
    Clock::time_point last_publish{};
    Clock::time_point all_acked{};    // the flush command's PUBACK (and every data ack)
    uint32_t receive_maximum = 0;     // from the CONNECT (65,535 when absent)
    uint64_t sent = 0;
    uint64_t acked = 0;               // PUBACK (QoS 1) or PUBCOMP (QoS 2) of data messages
    uint64_t pubrecs = 0;
    uint64_t refused = 0;             // acks with a reason code >= 0x80
    uint64_t window_full_waits = 0;   // times the window stopped the sender
  };

  explicit FakeBroker(const Stream& stream) : stream_(stream) {}
  ~FakeBroker();
  FakeBroker(const FakeBroker&) = delete;
  FakeBroker& operator=(const FakeBroker&) = delete;

  uint16_t Listen();  // ephemeral loopback port; 0 on failure
  Status Run(Clock::time_point deadline, const std::function<void()>& on_start, Result* out);
  void DrainUntilClosed(Clock::time_point deadline);

 private:
  Status Handshake(Clock::time_point deadline, Result* out);
  Status ReadPackets(Result* out, bool* closed);

  const Stream& stream_;
  int listen_fd_ = -1;
  int fd_ = -1;
  std::vector<uint8_t> in_;
  std::vector<uint8_t> out_;
  size_t out_pos_ = 0;
  std::vector<uint8_t> in_use_ = std::vector<uint8_t>(65536, 0);
  uint16_t next_id_ = 1;
  uint32_t inflight_ = 0;
  uint16_t flush_id_ = 0;
  bool flush_acked_ = false;
};

}  // namespace mqtt2s3::bench
