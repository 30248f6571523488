// Session: an MQTT 3.1.1 / 5.0 subscriber over Boost.Asio whose acknowledgements are released
// by the application (DESIGN.md decision 1), in receive order whatever order they are released.
//
//   asio::io_context io;
//   Session session(io, options);                       // options.Validate() must be OK
//   session.SetMessageHandler([&](const InboundMessage& m) {
//     wal.Append(m.topic, m.payload, [&, t = m.token] { session.Release(t); });
//   });
//   session.SetStateHandler([](const SessionEvent& e) { ... });
//   session.Start();
//   io.run();                                           // until Stop() completes
//
// Acknowledgement. Every QoS 1/2 message carries an AckToken. Release(token) may be called from
// any thread; the session sends PUBACK (QoS 1) or PUBREC (QoS 2, then PUBCOMP on PUBREL) only
// when this and every earlier message of the connection are released (MQTT-4.6.0-2), batching
// the acks that become sendable together into one write. A QoS 2 message redelivered after its
// PUBREC went out is not handed to the application again.
//
// Reconnects. When a connection drops, the tokens it issued become stale: releasing one is a
// counted no-op (Stats::stale_releases). The broker keeps those messages in the session and
// redelivers them (DUP set) after the reconnect, with new tokens; so whatever the application
// did with the first copy must tolerate the second (the WAL dedups or the object holds both).
// With session present = 0 (new or expired session) the subscriptions are sent again.
//
// Hot path. Reads are coalesced into one buffer; each PUBLISH in it is decoded in place and the
// InboundMessage passed to the handler is a view into that buffer, valid only during the call:
// copy what you keep. No heap allocation happens per message.
//
// Threads. The session runs on a strand of the io_context; the message and state handlers run
// there, one at a time. Release(), Publish(), Stop() and stats() are safe from any thread,
// including from inside a handler. Set handlers before Start(). Destroy the Session only when
// its handlers are not running (after io.run() returned, or after the kStopped event); the
// destructor stops the session if needed.
//
// Failover. With options.failover set, a failed attempt or a dropped connection moves to the
// next broker at once, and the reconnect backoff applies only after every broker failed in a
// round (broker_rotation.h). Events name the broker (SessionEvent::broker). A broker switch is
// a reconnect to a different session: that broker has its own session state, so
// session_present is false on the first visit and the subscriptions are sent again.
//
// TLS. With options.tls.enabled the connection is MQTT over TLS (tls_options.h, docs/TLS.md):
// the certificate files are read on every attempt, and a TLS failure is a kDisconnected event
// naming the broker and OpenSSL's reason, retried with backoff like any connect failure.
//
// The password is never logged or included in any status message.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "common/status.h"
#include "mqtt/ack_tracker.h"
#include "mqtt/packet.h"
#include "mqtt/properties.h"
#include "mqtt/session_options.h"

namespace mqtt2s3::mqtt {

// One received application message. Every view points into the session's receive buffer and
// is valid only during the message handler call.
struct InboundMessage {
  std::string_view topic;
  std::string_view payload;
  QoS qos = QoS::kAtMostOnce;
  bool dup = false;     // the broker says this may be a redelivery
  bool retain = false;
  uint16_t packet_id = 0;
  // MQTT 5 properties: iterate for User Property (p.data = key, p.value = value) or use
  // properties.FindUserProperty("k"). Empty for 3.1.1.
  PropertiesView properties;
  // Pass to Session::Release once the message is safe; invalid (and not needed) for QoS 0.
  AckToken token;
};

struct SessionEvent {
  enum class Kind : uint8_t {
    kConnected,           // CONNACK accepted; session_present says whether the broker resumed
    kDisconnected,        // connection lost or refused; reconnect in retry_in
    kSubscribed,          // every SUBACK of this connection arrived (failures reported first)
    kSubscriptionFailed,  // SUBACK refused a filter: status names the filter and reason
    kStopped,             // after Stop(): DISCONNECT sent (if connected), socket closed
  };
  Kind kind = Kind::kDisconnected;
  bool session_present = false;
  Status status;  // why (disconnected / subscription failure); OK otherwise
  std::chrono::milliseconds retry_in{0};
  // The broker this event concerns, "host:port", and its index in options.Brokers(): the one
  // connected to, or the one lost or refused.
  std::string broker = {};
  size_t broker_index = 0;
  // kDisconnected: the broker the next attempt goes to, after retry_in (failover, see
  // SessionOptions::failover); the same as `broker` without failover.
  std::string next_broker = {};
};

std::string_view SessionEventKindName(SessionEvent::Kind kind);

// User Properties attached to an outgoing PUBLISH (MQTT 5 only; ignored at 3.1.1).
using UserProperties = std::vector<std::pair<std::string, std::string>>;

class Session {
 public:
  struct Stats {
    uint64_t connects = 0;           // CONNACKs accepted
    uint64_t connect_failures = 0;   // attempts that did not reach an accepted CONNACK
    uint64_t disconnects = 0;        // established connections lost
    uint64_t broker_switches = 0;    // moves to another broker of the failover list
    size_t broker_index = 0;         // index in options.Brokers() of the current/next broker
    uint64_t messages_received = 0;  // handed to the message handler
    uint64_t bytes_received = 0;     // socket bytes
    uint64_t acks_sent = 0;          // PUBACK + PUBREC written
    uint64_t ack_writes = 0;         // socket writes that carried acks (batching)
    uint64_t pubcomps_sent = 0;
    uint64_t stale_releases = 0;     // tokens from an earlier connection
    uint64_t duplicate_releases = 0;
    uint64_t unknown_releases = 0;
    uint64_t duplicates_suppressed = 0;  // redelivered QoS 2 not handed over again
    uint64_t receive_maximum_exceeded = 0;  // broker sent more unacked messages than allowed
    uint64_t subscriptions_failed = 0;
    uint64_t published = 0;          // Publish() completions with OK
    uint64_t publish_resends = 0;    // QoS 1 re-sent (DUP) after a reconnect
    size_t outstanding_acks = 0;     // received QoS 1/2 whose ack is not sent yet
    size_t read_buffer_bytes = 0;    // current receive buffer capacity
  };

  Session(boost::asio::io_context& io, SessionOptions options);
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  void SetMessageHandler(std::function<void(const InboundMessage&)> handler);
  void SetStateHandler(std::function<void(const SessionEvent&)> handler);
  // Called on the io thread when a PUBREL arrives, before its PUBCOMP is queued: the QoS 2
  // exchange of that packet id is over (the broker may reuse the id after PUBCOMP).
  void SetPubRelHandler(std::function<void(uint16_t packet_id)> handler);

  // Connects (and keeps reconnecting) until Stop(). Call once.
  void Start();
  // Sends DISCONNECT (normal) when connected, closes, cancels pending publishes and stops
  // reconnecting; reports kStopped. Unreleased messages are redelivered to the next session.
  void Stop();

  // Releases the acknowledgement of a received message. Any thread; never blocks on I/O.
  void Release(AckToken token);

  // Publishes a control/status message (QoS 0 or 1; QoS 2 is refused). `done` runs on the io
  // strand: QoS 0 once written to the socket buffer (Unavailable if not connected), QoS 1 on
  // PUBACK (error status when the reason code is a failure, Cancelled on Stop()). Unacked QoS 1
  // messages are re-sent after a reconnect, with DUP set when the session was resumed.
  void Publish(std::string topic, std::string payload, QoS qos, UserProperties user_properties,
               std::function<void(Status)> done);

  Stats stats() const;
  const SessionOptions& options() const;

 private:
  class Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace mqtt2s3::mqtt
