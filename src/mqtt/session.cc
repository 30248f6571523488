// Session facade and connection lifecycle: resolve, connect, CONNECT/CONNACK, keepalive,
// reconnect with backoff and broker failover, Stop(). Reading lives in session_inbound.cc,
// writing and acks in session_outbound.cc.
#include "mqtt/session.h"

#include <boost/asio/post.hpp>

#include "mqtt/session_errors.h"
#include "mqtt/session_impl.h"

namespace mqtt2s3::mqtt {

namespace asio = boost::asio;
using boost::system::error_code;

std::string_view SessionEventKindName(SessionEvent::Kind kind) {
  switch (kind) {
    case SessionEvent::Kind::kConnected: return "connected";
    case SessionEvent::Kind::kDisconnected: return "disconnected";
    case SessionEvent::Kind::kSubscribed: return "subscribed";
    case SessionEvent::Kind::kSubscriptionFailed: return "subscription failed";
    case SessionEvent::Kind::kStopped: return "stopped";
  }
  return "unknown";
}

// ---- Facade ----

Session::Session(asio::io_context& io, SessionOptions options)
    : impl_(std::make_shared<Impl>(io, std::move(options))) {}

Session::~Session() {
  impl_->Detach();
  impl_->Stop();
}

void Session::SetMessageHandler(std::function<void(const InboundMessage&)> handler) {
  impl_->message_handler_ = std::move(handler);
}
void Session::SetStateHandler(std::function<void(const SessionEvent&)> handler) {
  impl_->state_handler_ = std::move(handler);
}
void Session::SetPubRelHandler(std::function<void(uint16_t)> handler) {
  impl_->pubrel_handler_ = std::move(handler);
}
void Session::Start() { impl_->Start(); }
void Session::Stop() { impl_->Stop(); }
void Session::Release(AckToken token) { impl_->Release(token); }
void Session::Publish(std::string topic, std::string payload, QoS qos,
                      UserProperties user_properties, std::function<void(Status)> done) {
  OutboundPublish m;
  m.topic = std::move(topic);
  m.payload = std::move(payload);
  m.qos = qos;
  m.user_properties = std::move(user_properties);
  m.done = std::move(done);
  impl_->Publish(std::move(m));
}
Session::Stats Session::stats() const { return impl_->stats(); }
const SessionOptions& Session::options() const { return impl_->options(); }

// ---- Impl: lifecycle ----

Session::Impl::Impl(asio::io_context& io, SessionOptions options)
    : strand_(asio::make_strand(io)),
      options_(std::move(options)),
      brokers_(options_.Brokers()),
      resolver_(strand_),
      reconnect_timer_(strand_),
      connect_timer_(strand_),
      keepalive_timer_(strand_),
      keepalive_(options_.keepalive),
      backoff_(options_.backoff),
      rotation_(brokers_.size()) {
  limits_.max_packet_size = options_.max_packet_size;
}

void Session::Impl::Detach() { detached_.store(true); }

void Session::Impl::Start() {
  asio::post(strand_, [self = shared_from_this()] {
    if (self->state_ == State::kIdle) self->Connect();
  });
}

void Session::Impl::Stop() {
  asio::post(strand_, [self = shared_from_this()] {
    if (self->state_ == State::kStopping || self->state_ == State::kStopped) return;
    const bool connected = self->state_ == State::kConnected && self->conn_;
    self->state_ = State::kStopping;
    self->reconnect_timer_.cancel();
    self->keepalive_timer_.cancel();
    self->resolver_.cancel();
    if (!connected) {
      if (self->conn_) self->conn_->stream.Close();
      self->FinishStop();
      return;
    }
    // Normal disconnection: the broker keeps the session (and our unacked messages) and does
    // not publish a Will. The socket closes when the write completes or the deadline passes.
    ConnPtr conn = self->conn_;
    self->FlushAcks();  // releases that reached the strand before Stop() still go out
    (void)EncodeDisconnect(Disconnect{}, self->version(), conn->pending);
    conn->disconnect_queued = true;
    self->StartWrite(conn);
    self->connect_timer_.expires_after(self->options_.disconnect_timeout);
    self->connect_timer_.async_wait([self, conn](const error_code& ec) {
      if (ec || self->conn_ != conn) return;
      conn->stream.Close();
      self->FinishStop();
    });
  });
}

void Session::Impl::FinishStop() {
  if (state_ == State::kStopped) return;
  state_ = State::kStopped;
  connect_timer_.cancel();
  keepalive_timer_.cancel();
  reconnect_timer_.cancel();
  if (conn_) conn_->stream.Close();
  conn_.reset();
  tracker_.NewConnection();
  SyncTrackerCounters();
  CancelPublishes(Status::Cancelled("mqtt session stopped"));
  Emit(SessionEvent{.kind = SessionEvent::Kind::kStopped, .status = Status::Ok()});
}

void Session::Impl::Emit(SessionEvent event) {
  if (state_handler_ && !detached_.load(std::memory_order_relaxed)) state_handler_(event);
}

void Session::Impl::Connect() {
  state_ = State::kConnecting;
  auto conn = std::make_shared<SessionConnection>(strand_, options_.read_buffer_bytes);
  conn_ = conn;
  const BrokerEndpoint& b = broker();
  if (options_.tls.enabled) {
    // Unreadable or mismatched files fail this attempt like a refused connection: reported,
    // then retried with backoff (a certificate being rotated may appear meanwhile).
    TlsOptions tls = options_.tls;
    tls.server_name = b.tls_server_name;
    if (Status s = conn->stream.EnableTls(tls, b.host); !s.ok()) {
      Fail(conn, s.WithContext("mqtt: TLS setup for " + b.ToString()));
      return;
    }
  }
  auto self = shared_from_this();
  connect_timer_.expires_after(options_.connect_timeout);
  connect_timer_.async_wait([self, conn](const error_code& ec) {
    if (ec || self->conn_ != conn || conn->connack_received) return;
    self->Fail(conn, Status::DeadlineExceeded(
                         "mqtt: no CONNACK from " + self->broker().ToString() + " within " +
                         std::to_string(self->options_.connect_timeout.count()) + " ms"));
  });
  resolver_.async_resolve(
      b.host, std::to_string(b.port),
      [self, conn](const error_code& ec, const asio::ip::tcp::resolver::results_type& results) {
        if (self->conn_ != conn) return;
        if (ec) {
          self->Fail(conn, Status::Unavailable("mqtt: resolve " + self->broker().host + ": " +
                                               ec.message()));
          return;
        }
        conn->stream.AsyncConnect(results, [self, conn](const error_code& cec) {
          if (self->conn_ != conn) return;
          if (cec) {
            self->Fail(conn, conn->stream.ConnectError(cec, self->broker().host,
                                                       self->broker().port));
            return;
          }
          self->OnTcpConnected(conn);
        });
      });
}

void Session::Impl::OnTcpConnected(const ConnPtr& conn) {
  // MQTT 5: Clean Start only on this Session's first connection; later connections resume the
  // session it created, or messages queued while we were away would be discarded.
  const bool v5 = version() == ProtocolVersion::kV5;
  mqtt::Connect c;
  c.version = version();
  c.client_id = options_.client_id;
  c.clean_start = v5 ? (options_.clean_start && !ever_connected_) : options_.clean_start;
  c.keep_alive_s = static_cast<uint16_t>(options_.keepalive.count());
  if (options_.username) c.username = *options_.username;
  if (options_.password) c.password = *options_.password;
  PropertiesBuilder props;
  if (v5) {
    if (options_.session_expiry_s != 0) {
      props.Add(PropertyId::kSessionExpiryInterval, options_.session_expiry_s);
    }
    if (options_.receive_maximum != 65535) {
      props.Add(PropertyId::kReceiveMaximum, options_.receive_maximum);
    }
    props.Add(PropertyId::kMaximumPacketSize, options_.max_packet_size);
    if (!props.status().ok()) {
      Fail(conn, props.status().WithContext("mqtt: CONNECT properties"));
      return;
    }
    c.properties = props.view();
  }
  if (Status s = EncodeConnect(c, conn->pending); !s.ok()) {
    // Never echo the packet: it holds the password.
    Fail(conn, s.WithContext("mqtt: encoding CONNECT for client_id '" + options_.client_id + "'"));
    return;
  }
  StartWrite(conn);
  StartRead(conn);
}

Status Session::Impl::HandleConnAck(const ConnPtr& conn, const Frame& frame) {
  auto ack = DecodeConnAck(frame, version(), limits_);
  if (!ack.ok()) return ack.status();
  const bool v5 = version() == ProtocolVersion::kV5;
  if (ack->reason_code != 0) {
    return ConnectRefused(version(), ack->reason_code, options_.client_id,
                          v5 ? ack->properties.ReasonString() : std::nullopt);
  }
  conn->connack_received = true;
  connect_timer_.cancel();
  state_ = State::kConnected;
  const bool first = !ever_connected_;
  ever_connected_ = true;
  backoff_.Reset();
  rotation_.Connected();
  counters_.connects.fetch_add(1, std::memory_order_relaxed);
  keepalive_ = options_.keepalive;
  if (v5) {
    if (auto ka = ack->properties.GetNumber(PropertyId::kServerKeepAlive)) {
      keepalive_ = std::chrono::seconds(*ka);
    }
    if (auto rm = ack->properties.GetNumber(PropertyId::kReceiveMaximum)) {
      conn->server_receive_maximum = static_cast<uint16_t>(*rm);
    }
  }
  if (!ack->session_present) tracker_.ClearSession();
  // Subscriptions live in the broker's session: send them when it has none, and on our first
  // connection in case the configured set changed since the session was created.
  if (first || !ack->session_present) SendSubscriptions(conn);
  ResendAfterReconnect(ack->session_present);
  ArmKeepAlive(conn);
  Emit(SessionEvent{.kind = SessionEvent::Kind::kConnected,
                    .session_present = ack->session_present,
                    .status = Status::Ok(),
                    .broker = broker().ToString(),
                    .broker_index = rotation_.current()});
  return Status::Ok();
}

void Session::Impl::ArmKeepAlive(const ConnPtr& conn) {
  if (keepalive_.count() == 0) return;
  keepalive_timer_.expires_after(keepalive_);
  keepalive_timer_.async_wait([self = shared_from_this(), conn](const error_code& ec) {
    if (ec || self->conn_ != conn || self->state_ != State::kConnected) return;
    // Anything received since the last PINGREQ proves the broker alive (a long PUBLISH may
    // delay the PINGRESP); a full silent interval does not.
    if (conn->ping_outstanding && conn->bytes_read == conn->bytes_read_at_ping) {
      self->Fail(conn, Status::DeadlineExceeded(
                           "mqtt: nothing received from the broker for a keepalive interval (" +
                           std::to_string(self->keepalive_.count()) + " s) after PINGREQ"));
      return;
    }
    conn->ping_outstanding = true;
    conn->bytes_read_at_ping = conn->bytes_read;
    (void)EncodePingReq(conn->pending);
    self->StartWrite(conn);
    self->ArmKeepAlive(conn);
  });
}

void Session::Impl::Fail(const ConnPtr& conn, Status reason) {
  if (conn != conn_) return;  // a late handler of a connection already dropped
  conn->stream.Close();
  conn_.reset();
  connect_timer_.cancel();
  keepalive_timer_.cancel();
  pending_subscribes_.clear();
  // The broker redelivers every unacknowledged message on the resumed session, so tokens of
  // this connection must not ack anything on the next one.
  tracker_.NewConnection();
  SyncTrackerCounters();
  if (state_ == State::kStopping || state_ == State::kStopped) {
    FinishStop();
    return;
  }
  if (conn->connack_received) {
    counters_.disconnects.fetch_add(1, std::memory_order_relaxed);
  } else {
    counters_.connect_failures.fetch_add(1, std::memory_order_relaxed);
  }
  // A QoS 0 message not yet written has nowhere to go; QoS 1 ones wait for the next connection.
  for (auto it = queued_.begin(); it != queued_.end();) {
    if (it->qos == QoS::kAtMostOnce) {
      if (it->done) it->done(Status::Unavailable("mqtt: not connected"));
      it = queued_.erase(it);
    } else {
      ++it;
    }
  }
  // Failover: the next broker is tried at once; the backoff only separates full rounds in
  // which every broker failed (broker_rotation.h).
  const std::string failed = broker().ToString();
  const size_t failed_index = rotation_.current();
  const bool wait = rotation_.Advance();
  if (rotation_.current() != failed_index) {
    counters_.broker_switches.fetch_add(1, std::memory_order_relaxed);
  }
  counters_.broker_index.store(rotation_.current(), std::memory_order_relaxed);
  const auto delay = wait ? backoff_.Next() : std::chrono::milliseconds(0);
  state_ = State::kWaitingToReconnect;
  Emit(SessionEvent{.kind = SessionEvent::Kind::kDisconnected,
                    .status = reason,
                    .retry_in = delay,
                    .broker = failed,
                    .broker_index = failed_index,
                    .next_broker = broker().ToString()});
  reconnect_timer_.expires_after(delay);
  reconnect_timer_.async_wait([self = shared_from_this()](const error_code& ec) {
    if (ec || self->state_ != State::kWaitingToReconnect) return;
    self->Connect();
  });
}

void Session::Impl::SyncTrackerCounters() {
  const auto& c = tracker_.counters();
  counters_.stale_releases.store(c.stale_releases, std::memory_order_relaxed);
  counters_.duplicate_releases.store(c.duplicate_releases, std::memory_order_relaxed);
  counters_.unknown_releases.store(c.unknown_releases, std::memory_order_relaxed);
  counters_.duplicates_suppressed.store(c.duplicates_suppressed, std::memory_order_relaxed);
  counters_.outstanding_acks.store(tracker_.outstanding(), std::memory_order_relaxed);
}

Session::Stats Session::Impl::stats() const {
  const auto r = std::memory_order_relaxed;
  Stats s;
  s.connects = counters_.connects.load(r);
  s.connect_failures = counters_.connect_failures.load(r);
  s.disconnects = counters_.disconnects.load(r);
  s.broker_switches = counters_.broker_switches.load(r);
  s.broker_index = counters_.broker_index.load(r);
  s.messages_received = counters_.messages_received.load(r);
  s.bytes_received = counters_.bytes_received.load(r);
  s.acks_sent = counters_.acks_sent.load(r);
  s.ack_writes = counters_.ack_writes.load(r);
  s.pubcomps_sent = counters_.pubcomps_sent.load(r);
  s.stale_releases = counters_.stale_releases.load(r);
  s.duplicate_releases = counters_.duplicate_releases.load(r);
  s.unknown_releases = counters_.unknown_releases.load(r);
  s.duplicates_suppressed = counters_.duplicates_suppressed.load(r);
  s.receive_maximum_exceeded = counters_.receive_maximum_exceeded.load(r);
  s.subscriptions_failed = counters_.subscriptions_failed.load(r);
  s.published = counters_.published.load(r);
  s.publish_resends = counters_.publish_resends.load(r);
  s.outstanding_acks = counters_.outstanding_acks.load(r);
  s.read_buffer_bytes = counters_.read_buffer_bytes.load(r);
  return s;
}

}  // namespace mqtt2s3::mqtt
