// Sending: the write queue (double-buffered, one write in flight), releasing acks in receive
// order, and Publish() for control messages.
#include <algorithm>

#include <boost/asio/buffer.hpp>
#include <boost/asio/post.hpp>

#include "mqtt/session_impl.h"

namespace mqtt2s3::mqtt {

using boost::system::error_code;

// Everything encoded while a write is in flight accumulates in `pending` and goes out in the
// next single write, so a burst of releases costs one syscall. The two vectors keep their
// capacity, so steady state allocates nothing.
void Session::Impl::StartWrite(const ConnPtr& conn) {
  if (conn->write_in_progress || conn->pending.empty()) return;
  conn->pending.swap(conn->writing);
  conn->write_in_progress = true;
  if (conn->acks_in_pending > 0) {
    counters_.ack_writes.fetch_add(1, std::memory_order_relaxed);
    conn->acks_in_pending = 0;
  }
  conn->stream.AsyncWrite(
      boost::asio::buffer(conn->writing),
      WithMemory(conn->write_memory, [self = shared_from_this(), conn](const error_code& ec,
                                                                       size_t) {
        conn->write_in_progress = false;
        conn->writing.clear();
        if (self->conn_ != conn) return;
        if (ec) {
          self->Fail(conn, Status::Unavailable("mqtt: write failed: " + ec.message()));
          return;
        }
        if (conn->disconnect_queued && conn->pending.empty()) {
          conn->stream.Close();
          self->FinishStop();
          return;
        }
        self->StartWrite(conn);
      }));
}

void Session::Impl::Release(AckToken token) {
  if (strand_.running_in_this_thread()) {
    // Typical when the handler acks at once or the WAL completes on the io thread: no lock.
    (void)tracker_.MarkReleased(token);
    if (!in_read_dispatch_ && !flush_posted_) {
      flush_posted_ = true;
      boost::asio::post(strand_, [self = shared_from_this()] {
        self->flush_posted_ = false;
        self->FlushAcks();
      });
    }
    return;
  }
  std::lock_guard<std::mutex> lock(release_mu_);
  released_.push_back(token);
  if (!release_drain_posted_) {
    release_drain_posted_ = true;
    boost::asio::post(strand_, [self = shared_from_this()] { self->DrainReleases(); });
  }
}

void Session::Impl::DrainReleases() {
  {
    std::lock_guard<std::mutex> lock(release_mu_);
    releasing_.swap(released_);
    release_drain_posted_ = false;
  }
  for (AckToken t : releasing_) (void)tracker_.MarkReleased(t);
  releasing_.clear();
  FlushAcks();
}

void Session::Impl::FlushAcks() {
  // Nothing may follow our DISCONNECT; unsent acks are redelivered to the next session.
  if (!conn_ || !conn_->connack_received || conn_->disconnect_queued) {
    SyncTrackerCounters();
    return;
  }
  SessionConnection& c = *conn_;
  Ack ack;
  const size_t n = tracker_.DrainReady([&](ReadyAck r) {
    ack.type = r.qos == 2 ? PacketType::kPubRec : PacketType::kPubAck;
    ack.packet_id = r.packet_id;
    // A short ack without properties cannot fail to encode.
    (void)EncodeAck(ack, version(), c.pending);
  });
  SyncTrackerCounters();
  if (n == 0) return;
  counters_.acks_sent.fetch_add(n, std::memory_order_relaxed);
  c.acks_in_pending += n;
  StartWrite(conn_);
}

void Session::Impl::Publish(OutboundPublish message) {
  boost::asio::post(strand_, [self = shared_from_this(), m = std::move(message)]() mutable {
    auto fail = [&](Status s) {
      if (m.done) m.done(std::move(s));
    };
    if (self->state_ == State::kStopping || self->state_ == State::kStopped) {
      return fail(Status::Cancelled("mqtt session stopped"));
    }
    if (m.qos == QoS::kExactlyOnce) {
      return fail(Status::InvalidArgument("mqtt: Publish supports QoS 0 and 1, not 2"));
    }
    if (!IsValidTopicName(m.topic)) {
      return fail(Status::InvalidArgument("mqtt: invalid topic name '" + m.topic + "'"));
    }
    if (m.qos == QoS::kAtMostOnce && self->state_ != State::kConnected) {
      return fail(Status::Unavailable("mqtt: not connected; QoS 0 message to '" + m.topic +
                                      "' dropped"));
    }
    self->queued_.push_back(std::move(m));
    self->PumpPublishes();
  });
}

void Session::Impl::PumpPublishes() {
  if (state_ != State::kConnected || !conn_) return;
  SessionConnection& c = *conn_;
  bool wrote = false;
  while (!queued_.empty() &&
         (queued_.front().qos == QoS::kAtMostOnce ||
          inflight_.size() < c.server_receive_maximum)) {
    OutboundPublish m = std::move(queued_.front());
    queued_.pop_front();
    mqtt::Publish p;
    p.topic = m.topic;
    p.payload = m.payload;
    p.qos = m.qos;
    p.dup = m.sent;  // only resends from ResendAfterReconnect reach here with sent = true
    if (m.qos == QoS::kAtLeastOnce && m.packet_id == 0) m.packet_id = NextPacketId();
    p.packet_id = m.qos == QoS::kAtMostOnce ? 0 : m.packet_id;
    PropertiesBuilder props;
    if (version() == ProtocolVersion::kV5) {
      for (const auto& [k, v] : m.user_properties) props.AddUserProperty(k, v);
      p.properties = props.view();
    }
    Status s = props.status();
    if (s.ok()) s = EncodePublish(p, version(), c.pending);
    if (!s.ok()) {
      if (m.done) m.done(s.WithContext("mqtt: encoding PUBLISH to '" + m.topic + "'"));
      continue;
    }
    wrote = true;
    if (m.qos == QoS::kAtMostOnce) {
      counters_.published.fetch_add(1, std::memory_order_relaxed);
      if (m.done) m.done(Status::Ok());
      continue;
    }
    if (m.sent) counters_.publish_resends.fetch_add(1, std::memory_order_relaxed);
    m.sent = true;
    inflight_.push_back(std::move(m));
  }
  if (wrote) StartWrite(conn_);
}

void Session::Impl::ResendAfterReconnect(bool session_present) {
  // Unacked QoS 1 messages go out again before newer ones, in their original order. On a
  // resumed session they keep their packet ids and carry DUP; on a new session the broker
  // knows nothing of them, so they are sent as new messages.
  for (auto it = inflight_.rbegin(); it != inflight_.rend(); ++it) {
    if (!session_present) {
      it->sent = false;
      it->packet_id = 0;
    }
    queued_.push_front(std::move(*it));
  }
  inflight_.clear();
  PumpPublishes();
}

void Session::Impl::CancelPublishes(const Status& why) {
  std::deque<OutboundPublish> all;
  all.swap(inflight_);
  for (auto& m : queued_) all.push_back(std::move(m));
  queued_.clear();
  for (auto& m : all) {
    if (m.done) m.done(why);
  }
}

uint16_t Session::Impl::NextPacketId() {
  // Our packet ids (PUBLISH QoS 1, SUBSCRIBE) must not collide with ones still in use.
  for (int tries = 0; tries < 65536; ++tries) {
    last_packet_id_ = static_cast<uint16_t>(last_packet_id_ == 65535 ? 1 : last_packet_id_ + 1);
    const uint16_t id = last_packet_id_;
    const bool used =
        std::any_of(inflight_.begin(), inflight_.end(),
                    [id](const OutboundPublish& m) { return m.packet_id == id; }) ||
        std::any_of(queued_.begin(), queued_.end(),
                    [id](const OutboundPublish& m) { return m.packet_id == id; }) ||
        std::any_of(pending_subscribes_.begin(), pending_subscribes_.end(),
                    [id](const PendingSubscribe& p) { return p.packet_id == id; });
    if (!used) return id;
  }
  return last_packet_id_;  // unreachable: the publish window is far below 65535
}

}  // namespace mqtt2s3::mqtt
