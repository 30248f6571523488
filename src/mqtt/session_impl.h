// Session::Impl: the session's private state machine. Not a public header.
//
// States: kIdle -> kConnecting -> kConnected -> (connection lost) kWaitingToReconnect ->
// kConnecting ... ; Stop() from any state -> kStopping -> kStopped. Each TCP connection is a
// SessionConnection held by shared_ptr; completion handlers capture it and ignore themselves
// when it is no longer the current one, so late handlers of a dropped connection are harmless.
//
// Thread-safety: everything below runs on strand_, except the members marked "any thread".
// Impl lives in a shared_ptr that pending handlers keep alive.
#pragma once

#include <atomic>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include "mqtt/ack_tracker.h"
#include "mqtt/backoff.h"
#include "mqtt/broker_rotation.h"
#include "mqtt/codec.h"
#include "mqtt/session.h"
#include "mqtt/session_handler_memory.h"
#include "mqtt/session_read_buffer.h"
#include "mqtt/session_stream.h"

namespace mqtt2s3::mqtt {

// One TCP connection and its buffers.
struct SessionConnection {
  SessionConnection(const Strand& strand, size_t read_buffer_bytes)
      : stream(strand), rbuf(read_buffer_bytes) {}

  SessionStream stream;
  SessionReadBuffer rbuf;
  SessionHandlerMemory read_memory;   // storage for the outstanding read operation
  SessionHandlerMemory write_memory;  // storage for the outstanding write operation
  std::vector<uint8_t> pending;  // encoded packets waiting for the next write
  std::vector<uint8_t> writing;  // bytes of the write in progress
  bool write_in_progress = false;
  bool connack_received = false;
  bool disconnect_queued = false;
  bool ping_outstanding = false;
  uint64_t bytes_read = 0;
  uint64_t bytes_read_at_ping = 0;
  size_t acks_in_pending = 0;  // acks queued since the last write started (stats)
  uint16_t server_receive_maximum = 65535;  // MQTT 5 CONNACK: our QoS 1 publish window
};

// A Publish() call not yet completed.
struct OutboundPublish {
  std::string topic;
  std::string payload;
  QoS qos = QoS::kAtMostOnce;
  UserProperties user_properties;
  std::function<void(Status)> done;
  uint16_t packet_id = 0;  // set once sent (QoS 1)
  bool sent = false;       // written on some connection: re-sent with DUP on a resumed session
};

class Session::Impl : public std::enable_shared_from_this<Session::Impl> {
 public:
  Impl(boost::asio::io_context& io, SessionOptions options);

  // Any thread.
  void Start();
  void Stop();
  void Release(AckToken token);
  void Publish(OutboundPublish message);
  Stats stats() const;
  void Detach();  // the Session is gone: no more handler calls

  const SessionOptions& options() const { return options_; }
  std::function<void(const InboundMessage&)> message_handler_;
  std::function<void(uint16_t)> pubrel_handler_;
  std::function<void(const SessionEvent&)> state_handler_;

 private:
  enum class State : uint8_t { kIdle, kConnecting, kConnected, kWaitingToReconnect, kStopping,
                               kStopped };
  using ConnPtr = std::shared_ptr<SessionConnection>;

  // session.cc: connection lifecycle.
  void Connect();
  void OnTcpConnected(const ConnPtr& conn);
  Status HandleConnAck(const ConnPtr& conn, const Frame& frame);
  void Fail(const ConnPtr& conn, Status reason);
  void FinishStop();
  void ArmKeepAlive(const ConnPtr& conn);
  void Emit(SessionEvent event);
  ProtocolVersion version() const { return options_.version; }
  const BrokerEndpoint& broker() const { return brokers_[rotation_.current()]; }

  // session_inbound.cc: reading and dispatch.
  void StartRead(const ConnPtr& conn);
  Status HandleFrame(const ConnPtr& conn, const Frame& frame);
  Status HandlePublish(const ConnPtr& conn, const Frame& frame);
  Status HandlePubRel(const ConnPtr& conn, const Ack& ack);
  Status HandlePubAck(const ConnPtr& conn, const Ack& ack);
  Status HandleSubAck(const ConnPtr& conn, const Frame& frame);
  void SendSubscriptions(const ConnPtr& conn);

  // session_outbound.cc: writing, acks, publishing.
  void StartWrite(const ConnPtr& conn);
  void DrainReleases();
  void FlushAcks();
  void PumpPublishes();
  void ResendAfterReconnect(bool session_present);
  void CancelPublishes(const Status& why);
  uint16_t NextPacketId();

  Strand strand_;
  const SessionOptions options_;
  const std::vector<BrokerEndpoint> brokers_;  // options_.Brokers(); never empty
  DecodeLimits limits_;
  boost::asio::ip::tcp::resolver resolver_;
  boost::asio::steady_timer reconnect_timer_;
  boost::asio::steady_timer connect_timer_;  // also the DISCONNECT deadline on Stop()
  boost::asio::steady_timer keepalive_timer_;

  State state_ = State::kIdle;
  ConnPtr conn_;
  bool ever_connected_ = false;
  std::chrono::seconds keepalive_;
  AckTracker tracker_;
  Backoff backoff_;
  BrokerRotation rotation_;
  bool in_read_dispatch_ = false;  // acks released meanwhile are flushed after the read
  bool flush_posted_ = false;

  std::deque<OutboundPublish> queued_;    // QoS 0/1 waiting for a connection or window
  std::deque<OutboundPublish> inflight_;  // QoS 1 sent, waiting for PUBACK (send order)
  uint16_t last_packet_id_ = 0;
  struct PendingSubscribe {
    uint16_t packet_id;
    size_t first;  // index into options_.subscriptions
    size_t count;
  };
  std::vector<PendingSubscribe> pending_subscribes_;

  // Any thread: releases from outside the strand are queued here and drained in one post.
  std::mutex release_mu_;
  std::vector<AckToken> released_;       // guarded by release_mu_
  bool release_drain_posted_ = false;    // guarded by release_mu_
  std::vector<AckToken> releasing_;      // strand only: the batch being applied

  std::atomic<bool> detached_{false};
  // Any thread reads (stats()); written on the strand. Relaxed: counters, not synchronisation.
  struct Counters {
    std::atomic<uint64_t> connects{0}, connect_failures{0}, disconnects{0}, broker_switches{0},
        messages_received{0}, bytes_received{0}, acks_sent{0}, ack_writes{0}, pubcomps_sent{0},
        receive_maximum_exceeded{0}, subscriptions_failed{0}, published{0}, publish_resends{0};
    std::atomic<size_t> outstanding_acks{0}, read_buffer_bytes{0}, broker_index{0};
    std::atomic<uint64_t> stale_releases{0}, duplicate_releases{0}, unknown_releases{0},
        duplicates_suppressed{0};
  };
  Counters counters_;
  void SyncTrackerCounters();
};

}  // namespace mqtt2s3::mqtt
