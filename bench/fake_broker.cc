#include "fake_broker.h"

#include "loopback.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

#include "mqtt/codec.h"
#include "mqtt/properties.h"
#include "sim/weld_generator.h"

namespace mqtt2s3::bench {
namespace {

using mqtt::PacketType;
using mqtt::ProtocolVersion;

int MsLeft(FakeBroker::Clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - FakeBroker::Clock::now());
  return static_cast<int>(std::clamp<int64_t>(left.count(), 0, 1000));
}

// A deterministic 0..400-number array before the closing brace of a JSON object.
std::string MachinePayload(const std::string& weld, uint64_t i) {
  uint64_t x = i * 6364136223846793005ULL + 1442695040888963407ULL;
  const size_t n = static_cast<size_t>((x >> 33) % 401);
  std::string samples = ",\"samples\":[";
  for (size_t k = 0; k < n; ++k) {
    x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    if (k > 0) samples.push_back(',');
    samples += std::to_string((x >> 40) % 1000);
  }
  samples.push_back(']');
  const size_t close = weld.rfind('}');
  std::string out = weld;
  out.insert(close == std::string::npos ? out.size() : close, samples);
  return out;
}

}  // namespace

StatusOr<Stream> MakeStream(const std::string& payload_kind, const std::string& root, uint8_t qos,
                            uint64_t messages, const std::string& flush_topic) {
  if (payload_kind != "weld" && payload_kind != "machine") {
    return Status::InvalidArgument("--payload: weld or machine, not '" + payload_kind + "'");
  }
  if (qos > 2) return Status::InvalidArgument("--qos: 0, 1 or 2");
  sim::WeldOptions o;
  o.root = root;
  o.plants = 3;
  o.devices = 10;
  // 30,000 distinct messages (1,000 per device) at most; longer runs repeat them.
  o.count = std::clamp<uint64_t>((messages + 29) / 30, 1, 1000);
  sim::WeldGenerator gen(o);
  Stream s;
  s.qos = qos;
  s.messages = messages;
  s.flush_topic = flush_topic;
  sim::SimMessage m;
  std::string payload;
  for (uint64_t i = 0; gen.Next(&m); ++i) {
    payload = payload_kind == "machine" ? MachinePayload(m.payload, i) : m.payload;
    mqtt::Publish p;
    p.topic = m.topic;
    p.payload = payload;
    p.qos = static_cast<mqtt::QoS>(qos);
    p.packet_id = qos > 0 ? 1 : 0;
    const size_t start = s.bytes.size();
    M2S_RETURN_IF_ERROR(mqtt::EncodePublish(p, ProtocolVersion::kV5, s.bytes));
    auto split = mqtt::SplitFrame(std::span<const uint8_t>(s.bytes).subspan(start), {});
    if (!split.ok() || !split->frame) return Status::Internal("bench: cannot re-read a PUBLISH");
    s.offsets.push_back(static_cast<uint32_t>(start));
    s.id_offsets.push_back(
        static_cast<uint32_t>(start + split->frame->header.header_length + 2 + m.topic.size()));
    s.payload_bytes += payload.size();
  }
  s.offsets.push_back(static_cast<uint32_t>(s.bytes.size()));
  return s;
}

FakeBroker::~FakeBroker() {
  if (fd_ >= 0) ::close(fd_);
  if (listen_fd_ >= 0) ::close(listen_fd_);
}

uint16_t FakeBroker::Listen() {
  uint16_t port = 0;
  listen_fd_ = ListenLoopback(4, &port);
  if (listen_fd_ < 0) return 0;
  return port;
}

Status FakeBroker::Handshake(Clock::time_point deadline, Result* out) {
  pollfd lp{listen_fd_, POLLIN, 0};
  while (::poll(&lp, 1, MsLeft(deadline)) == 0) {
    if (Clock::now() >= deadline) return Status::DeadlineExceeded("bench: no client connected");
  }
  fd_ = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
  if (fd_ < 0) return Status::Unavailable("bench: accept failed");
  const int one = 1;
  ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  bool subscribed = false;
  uint8_t chunk[4096];
  while (!subscribed) {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, MsLeft(deadline)) == 0) {
      if (Clock::now() >= deadline) return Status::DeadlineExceeded("bench: no SUBSCRIBE");
      continue;
    }
    const ssize_t n = ::recv(fd_, chunk, sizeof(chunk), 0);
    if (n <= 0) return Status::Unavailable("bench: client left during the handshake");
    in_.insert(in_.end(), chunk, chunk + n);
    for (;;) {
      auto split = mqtt::SplitFrame(in_, {});
      if (!split.ok()) return split.status();
      if (!split->frame) break;
      const mqtt::Frame f = *split->frame;
      std::vector<uint8_t> reply;
      if (f.header.type == PacketType::kConnect) {
        M2S_ASSIGN_OR_RETURN(mqtt::Connect c, mqtt::DecodeConnect(f, {}));
        out->receive_maximum =
            c.properties.GetNumber(mqtt::PropertyId::kReceiveMaximum).value_or(65535);
        M2S_RETURN_IF_ERROR(mqtt::EncodeConnAck({}, ProtocolVersion::kV5, reply));
      } else if (f.header.type == PacketType::kSubscribe) {
        M2S_ASSIGN_OR_RETURN(mqtt::Subscribe s, mqtt::DecodeSubscribe(f, ProtocolVersion::kV5, {}));
        std::string codes;
        for (const auto& t : s.topics) codes.push_back(static_cast<char>(t.options.max_qos));
        mqtt::SubAck a;
        a.packet_id = s.packet_id;
        a.reason_codes = codes;
        M2S_RETURN_IF_ERROR(mqtt::EncodeSubAck(a, ProtocolVersion::kV5, reply));
        subscribed = true;
      }
      in_.erase(in_.begin(), in_.begin() + static_cast<ptrdiff_t>(f.bytes.size()));
      if (!reply.empty() && ::send(fd_, reply.data(), reply.size(), MSG_NOSIGNAL) !=
                                static_cast<ssize_t>(reply.size())) {
        return Status::Unavailable("bench: cannot answer the client");
      }
    }
  }
  ::fcntl(fd_, F_SETFL, ::fcntl(fd_, F_GETFL) | O_NONBLOCK);
  return Status::Ok();
}

Status FakeBroker::ReadPackets(Result* out, bool* closed) {
  uint8_t chunk[64 << 10];
  for (;;) {
    const ssize_t n = ::recv(fd_, chunk, sizeof(chunk), 0);
    if (n == 0) {
      *closed = true;
      break;
    }
    if (n < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK) break;
      *closed = true;
      break;
    }
    in_.insert(in_.end(), chunk, chunk + n);
    if (static_cast<size_t>(n) < sizeof(chunk)) break;
  }
  size_t pos = 0;
  while (pos < in_.size()) {
    auto split = mqtt::SplitFrame(std::span<const uint8_t>(in_).subspan(pos), {});
    if (!split.ok()) return split.status();
    if (!split->frame) break;
    const mqtt::Frame& f = *split->frame;
    pos += f.bytes.size();
    const auto body = f.body();
    const uint16_t id = body.size() >= 2 ? static_cast<uint16_t>(body[0] << 8 | body[1]) : 0;
    if (body.size() >= 3 && body[2] >= 0x80) ++out->refused;
    switch (f.header.type) {
      case PacketType::kPubRec: {
        ++out->pubrecs;
        const uint8_t rel[4] = {0x62, 0x02, static_cast<uint8_t>(id >> 8),
                                static_cast<uint8_t>(id)};
        out_.insert(out_.end(), rel, rel + 4);
        break;
      }
      case PacketType::kPubAck:
      case PacketType::kPubComp:
        if (id == flush_id_ && flush_id_ != 0) {
          flush_acked_ = true;
        } else {
          ++out->acked;
        }
        if (in_use_[id]) {
          in_use_[id] = 0;
          --inflight_;
        }
        break;
      case PacketType::kPingReq: {
        const uint8_t resp[2] = {0xD0, 0x00};
        out_.insert(out_.end(), resp, resp + 2);
        break;
      }
      case PacketType::kDisconnect:
        *closed = true;
        break;
      default:
        break;
    }
  }
  in_.erase(in_.begin(), in_.begin() + static_cast<ptrdiff_t>(pos));
  return Status::Ok();
}

Status FakeBroker::Run(Clock::time_point deadline, const std::function<void()>& on_start,
                       Result* out) {
  M2S_RETURN_IF_ERROR(Handshake(deadline, out));
  const uint32_t window = std::min<uint32_t>(out->receive_maximum, 65535);
  const bool acked_stream = stream_.qos > 0;
  const size_t templates = stream_.templates();
  constexpr size_t kOutHigh = 256 << 10;
  bool flush_sent = false;
  bool closed = false;
  on_start();
  out->first_publish = Clock::now();
  out_.reserve(kOutHigh + (64 << 10));
  while (!(flush_acked_ && (!acked_stream || out->acked == stream_.messages))) {
    if (closed) return Status::Unavailable("bench: the converter closed the connection");
    if (Clock::now() >= deadline) {
      return Status::DeadlineExceeded(
          "bench: run timed out: sent " + std::to_string(out->sent) + ", acked " +
          std::to_string(out->acked) + ", flush " + (flush_sent ? "sent" : "not sent") +
          (flush_acked_ ? " and acked" : "") + ", in flight " + std::to_string(inflight_));
    }
    // Top up the output buffer with the stream, within the window.
    while (out_.size() - out_pos_ < kOutHigh && out->sent < stream_.messages) {
      if (acked_stream && (inflight_ >= window || in_use_[next_id_])) {
        ++out->window_full_waits;
        break;
      }
      const size_t t = out->sent % templates;
      const size_t at = out_.size();
      out_.insert(out_.end(), stream_.bytes.begin() + stream_.offsets[t],
                  stream_.bytes.begin() + stream_.offsets[t + 1]);
      if (acked_stream) {
        const size_t id_at = at + stream_.id_offsets[t] - stream_.offsets[t];
        out_[id_at] = static_cast<uint8_t>(next_id_ >> 8);
        out_[id_at + 1] = static_cast<uint8_t>(next_id_);
        in_use_[next_id_] = 1;
        ++inflight_;
        next_id_ = next_id_ == 65535 ? 1 : next_id_ + 1;
      }
      if (++out->sent == stream_.messages) out->last_publish = Clock::now();
    }
    if (out->sent == stream_.messages && !flush_sent && !in_use_[next_id_]) {
      mqtt::Publish p;
      p.topic = stream_.flush_topic;
      p.qos = mqtt::QoS::kAtLeastOnce;
      p.packet_id = next_id_;
      M2S_RETURN_IF_ERROR(mqtt::EncodePublish(p, ProtocolVersion::kV5, out_));
      flush_id_ = next_id_;
      in_use_[next_id_] = 1;
      ++inflight_;
      next_id_ = next_id_ == 65535 ? 1 : next_id_ + 1;
      flush_sent = true;
    }
    const bool want_write = out_pos_ < out_.size();
    pollfd p{fd_, static_cast<short>(POLLIN | (want_write ? POLLOUT : 0)), 0};
    if (::poll(&p, 1, MsLeft(deadline)) < 0 && errno != EINTR) {
      return Status::Unavailable("bench: poll failed");
    }
    if (p.revents & (POLLIN | POLLHUP | POLLERR)) M2S_RETURN_IF_ERROR(ReadPackets(out, &closed));
    if (out_pos_ < out_.size() && (p.revents & POLLOUT)) {
      const ssize_t n = ::send(fd_, out_.data() + out_pos_, out_.size() - out_pos_, MSG_NOSIGNAL);
      if (n > 0) out_pos_ += static_cast<size_t>(n);
      if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) closed = true;
      if (out_pos_ == out_.size()) {
        out_.clear();
        out_pos_ = 0;
      } else if (out_pos_ > kOutHigh) {
        out_.erase(out_.begin(), out_.begin() + static_cast<ptrdiff_t>(out_pos_));
        out_pos_ = 0;
      }
    }
  }
  out->all_acked = Clock::now();
  return Status::Ok();
}

void FakeBroker::DrainUntilClosed(Clock::time_point deadline) {
  Result ignored;
  bool closed = false;
  while (!closed && Clock::now() < deadline && fd_ >= 0) {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, MsLeft(deadline)) <= 0) continue;
    if (!ReadPackets(&ignored, &closed).ok()) break;
    if (!out_.empty()) {
      (void)::send(fd_, out_.data(), out_.size(), MSG_NOSIGNAL);
      out_.clear();
      out_pos_ = 0;
    }
  }
}

}  // namespace mqtt2s3::bench
