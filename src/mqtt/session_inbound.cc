// Receiving: the read loop, packet dispatch, inbound PUBLISH with manual acks, PUBREL, PUBACK
// of our publishes, SUBACK. The hot path is StartRead -> Consume -> HandlePublish: no heap
// allocation per message (views into the read buffer, a ring in the tracker).
#include "mqtt/session_errors.h"
#include "mqtt/session_impl.h"

#include <boost/asio/buffer.hpp>

namespace mqtt2s3::mqtt {

using boost::system::error_code;

void Session::Impl::StartRead(const ConnPtr& conn) {
  auto space = conn->rbuf.WritableSpan();
  conn->stream.AsyncReadSome(
      boost::asio::buffer(space.data(), space.size()),
      WithMemory(conn->read_memory, [self = shared_from_this(), conn](const error_code& ec,
                                                                      size_t n) {
        if (self->conn_ != conn) return;
        if (ec) {
          self->Fail(conn, Status::Unavailable(
                               conn->stream.IsEndOfStream(ec)
                                   ? "mqtt: broker " + self->broker().ToString() +
                                         " closed the connection"
                                   : "mqtt: connection to " + self->broker().ToString() +
                                         " lost: " +
                                         conn->stream.ReadErrorText(ec, self->broker().host,
                                                                    self->broker().port)));
          return;
        }
        conn->bytes_read += n;
        self->counters_.bytes_received.fetch_add(n, std::memory_order_relaxed);
        conn->rbuf.Commit(n);
        self->in_read_dispatch_ = true;
        Status s = conn->rbuf.Consume(self->limits_, [&](const Frame& frame) {
          return self->HandleFrame(conn, frame);
        });
        self->in_read_dispatch_ = false;
        if (self->conn_ != conn) return;  // a handler dropped or stopped the connection
        if (!s.ok()) {
          self->Fail(conn, s.WithContext("mqtt: from broker"));
          return;
        }
        self->counters_.read_buffer_bytes.store(conn->rbuf.capacity(), std::memory_order_relaxed);
        // Acks released by the handlers during this read go out in one write.
        self->FlushAcks();
        if (self->conn_ == conn) self->StartRead(conn);
      }));
}

Status Session::Impl::HandleFrame(const ConnPtr& conn, const Frame& frame) {
  const PacketType type = frame.header.type;
  if (!conn->connack_received) {
    if (type != PacketType::kConnAck) {
      return Status::InvalidArgument(std::string("expected CONNACK, got ") +
                                     std::string(PacketTypeName(type)));
    }
    return HandleConnAck(conn, frame);
  }
  switch (type) {
    case PacketType::kPublish:
      return HandlePublish(conn, frame);
    case PacketType::kPubRel:
    case PacketType::kPubAck: {
      auto ack = DecodeAck(frame, version(), limits_);
      if (!ack.ok()) return ack.status();
      return type == PacketType::kPubRel ? HandlePubRel(conn, *ack) : HandlePubAck(conn, *ack);
    }
    case PacketType::kSubAck:
      return HandleSubAck(conn, frame);
    case PacketType::kPingResp:
      conn->ping_outstanding = false;
      return Status::Ok();
    case PacketType::kDisconnect: {
      auto d = DecodeDisconnect(frame, version(), limits_);
      if (!d.ok()) return d.status();
      std::string m = "broker sent DISCONNECT: " + std::string(ReasonCodeName(d->reason_code)) +
                      " (" + std::to_string(d->reason_code) + ")";
      if (auto rs = d->properties.ReasonString()) m += ": " + std::string(*rs);
      return Status::Unavailable(m);
    }
    case PacketType::kUnsubAck:
      return Status::Ok();  // we never unsubscribe; tolerate it
    default:
      return Status::InvalidArgument("unexpected " + std::string(PacketTypeName(type)) +
                                     " from broker");
  }
}

Status Session::Impl::HandlePublish(const ConnPtr& conn, const Frame& frame) {
  auto p = DecodePublish(frame, version(), limits_);
  if (!p.ok()) return p.status();
  // After Stop() nothing more reaches the application; unacked, it is redelivered next time.
  if (state_ != State::kConnected) return Status::Ok();
  if (p->topic.empty()) {
    // We advertise no Topic Alias Maximum, so the broker may not use aliases.
    return Status::InvalidArgument("PUBLISH without topic name (topic alias not negotiated)");
  }
  InboundMessage m;
  m.topic = p->topic;
  m.payload = p->payload;
  m.qos = p->qos;
  m.dup = p->dup;
  m.retain = p->retain;
  m.packet_id = p->packet_id;
  m.properties = p->properties;
  if (p->qos != QoS::kAtMostOnce) {
    const auto admit = tracker_.OnPublish(p->packet_id, static_cast<uint8_t>(p->qos), &m.token);
    if (admit != AckTracker::Admit::kDeliver) {
      counters_.duplicates_suppressed.store(tracker_.counters().duplicates_suppressed,
                                            std::memory_order_relaxed);
      return Status::Ok();  // its ack (if any) is queued in order; FlushAcks sends it
    }
    if (version() == ProtocolVersion::kV5 &&
        tracker_.outstanding() + tracker_.awaiting_pubrel() > options_.receive_maximum) {
      // The spec lets us disconnect (0x93); we keep the message and count the broker's excess.
      counters_.receive_maximum_exceeded.fetch_add(1, std::memory_order_relaxed);
    }
    counters_.outstanding_acks.store(tracker_.outstanding(), std::memory_order_relaxed);
  }
  counters_.messages_received.fetch_add(1, std::memory_order_relaxed);
  if (message_handler_ && !detached_.load(std::memory_order_relaxed)) {
    message_handler_(m);
  } else if (m.token.valid()) {
    (void)tracker_.MarkReleased(m.token);  // nobody to hold it: ack at once
  }
  (void)conn;
  return Status::Ok();
}

Status Session::Impl::HandlePubRel(const ConnPtr& conn, const Ack& ack) {
  if (conn->disconnect_queued) return Status::Ok();  // the broker resends PUBREL next time
  const bool known = tracker_.OnPubrel(ack.packet_id);
  if (pubrel_handler_ && !detached_.load(std::memory_order_relaxed)) {
    pubrel_handler_(ack.packet_id);
  }
  // PUBCOMP is sent for an unknown id too (the broker retries PUBREL after a reconnect); at
  // MQTT 5 it says "Packet Identifier not found".
  Ack comp;
  comp.type = PacketType::kPubComp;
  comp.packet_id = ack.packet_id;
  if (!known && version() == ProtocolVersion::kV5) {
    comp.reason_code = static_cast<uint8_t>(ReasonCode::kPacketIdentifierNotFound);
  }
  M2S_RETURN_IF_ERROR(EncodeAck(comp, version(), conn->pending));
  counters_.pubcomps_sent.fetch_add(1, std::memory_order_relaxed);
  StartWrite(conn);
  return Status::Ok();
}

Status Session::Impl::HandlePubAck(const ConnPtr& conn, const Ack& ack) {
  for (auto it = inflight_.begin(); it != inflight_.end(); ++it) {
    if (it->packet_id != ack.packet_id) continue;
    OutboundPublish done = std::move(*it);
    inflight_.erase(it);
    Status s;
    if (IsErrorReasonCode(ack.reason_code)) {
      s = Status::Unavailable("mqtt: PUBACK for '" + done.topic + "': " +
                              std::string(ReasonCodeName(ack.reason_code)) + " (" +
                              std::to_string(ack.reason_code) + ")");
    } else {
      counters_.published.fetch_add(1, std::memory_order_relaxed);
    }
    if (done.done) done.done(s);
    if (conn_ == conn) PumpPublishes();
    return Status::Ok();
  }
  return Status::Ok();  // an ack for a publish we already completed: harmless
}

void Session::Impl::SendSubscriptions(const ConnPtr& conn) {
  // Batches of filters per SUBSCRIBE keep each packet well below any broker's size limit.
  constexpr size_t kFiltersPerPacket = 64;
  const auto& subs = options_.subscriptions;
  for (size_t first = 0; first < subs.size(); first += kFiltersPerPacket) {
    const size_t count = std::min(kFiltersPerPacket, subs.size() - first);
    Subscribe s;
    s.packet_id = NextPacketId();
    for (size_t i = first; i < first + count; ++i) {
      s.topics.push_back(SubscribeTopic{.filter = subs[i].filter,
                                        .options = SubscribeOptions{.max_qos = subs[i].qos}});
    }
    if (Status st = EncodeSubscribe(s, version(), conn->pending); !st.ok()) {
      counters_.subscriptions_failed.fetch_add(count, std::memory_order_relaxed);
      Emit(SessionEvent{.kind = SessionEvent::Kind::kSubscriptionFailed,
                        .status = st.WithContext("mqtt: encoding SUBSCRIBE")});
      continue;
    }
    pending_subscribes_.push_back(PendingSubscribe{s.packet_id, first, count});
  }
  StartWrite(conn);
}

Status Session::Impl::HandleSubAck(const ConnPtr& /*conn*/, const Frame& frame) {
  auto ack = DecodeSubAck(frame, version(), limits_);
  if (!ack.ok()) return ack.status();
  auto it = std::find_if(pending_subscribes_.begin(), pending_subscribes_.end(),
                         [&](const PendingSubscribe& p) { return p.packet_id == ack->packet_id; });
  if (it == pending_subscribes_.end()) return Status::Ok();
  const PendingSubscribe ps = *it;
  pending_subscribes_.erase(it);
  if (ack->reason_codes.size() != ps.count) {
    return Status::InvalidArgument("SUBACK has " + std::to_string(ack->reason_codes.size()) +
                                   " reason codes for " + std::to_string(ps.count) + " filters");
  }
  for (size_t i = 0; i < ps.count; ++i) {
    const auto code = static_cast<uint8_t>(ack->reason_codes[i]);
    if (!IsErrorReasonCode(code)) continue;
    counters_.subscriptions_failed.fetch_add(1, std::memory_order_relaxed);
    Emit(SessionEvent{.kind = SessionEvent::Kind::kSubscriptionFailed,
                      .status = SubscriptionRefused(version(),
                                                    options_.subscriptions[ps.first + i].filter,
                                                    code, ack->properties.ReasonString())});
  }
  if (pending_subscribes_.empty()) {
    Emit(SessionEvent{.kind = SessionEvent::Kind::kSubscribed, .status = Status::Ok()});
  }
  return Status::Ok();
}

}  // namespace mqtt2s3::mqtt
