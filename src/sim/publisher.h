// Publisher: publishes every message of a MessageSource through the project's own MQTT
// Session, at a chosen rate or as fast as the broker takes them, and reports what it did.
//
//   PublisherOptions o;
//   o.session.host = "127.0.0.1"; o.session.port = 1883; o.session.client_id = "sim-1";
//   o.qos = mqtt::QoS::kAtLeastOnce;
//   WeldGenerator gen(weld_options);
//   StatusOr<PublishReport> r = RunPublisher(o, &gen);   // blocks until done or timeout
//
// Flow control. QoS 1: at most `window` messages wait for their PUBACK. QoS 0 has no ack, and
// the session queues whatever it is given, so a fast generator would only fill memory: every
// `window / 4` messages the publisher sends one QoS 1 "sync" message to `sync_topic`, and
// keeps at most `window` QoS 0 messages ahead of the last sync the broker acknowledged. A
// broker handles one connection's packets in order, so that PUBACK proves it took every
// earlier message; the run ends with one, so the reported elapsed time and rate are what the
// broker accepted, not what was buffered. Nobody needs to subscribe to sync_topic.
//
// Rate. With rate > 0 messages are spaced evenly from the first one (a late start catches up
// in a burst of at most `window`); 0 = as fast as possible.
//
// Disconnects. QoS 1 messages are re-sent by the session after a reconnect; QoS 0 messages
// published while disconnected are counted as failed. A first connection that fails ends the
// run (wrong host or port); `timeout` bounds the whole run.
//
// Thread-safety: RunPublisher runs its own io_context on the calling thread; the source is
// used on that thread only.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "common/status.h"
#include "mqtt/session_options.h"
#include "sim/message_source.h"

namespace mqtt2s3::sim {

struct PublisherOptions {
  // Broker, client id and protocol. Subscriptions must be empty.
  mqtt::SessionOptions session;
  // QoS of the messages: 0 or 1.
  mqtt::QoS qos = mqtt::QoS::kAtMostOnce;
  // Messages per second over the whole run; 0 = as fast as possible.
  double rate = 0;
  // Most messages published and not yet confirmed (PUBACK, or a later sync for QoS 0).
  uint32_t window = 2000;
  // QoS 0 flow control: topic of the QoS 1 sync messages (payload: messages sent so far).
  std::string sync_topic = "mqtt2s3/sim/sync";
  // MQTT 5: put this user property (value "1") on the last message of each device, which asks
  // the converter to flush that message's partition (flush.user_property). Empty = off.
  std::string flush_property;
  // After the last message is confirmed, publish "{}" here at QoS 1 (the converter's
  // flush.control_topic: flush every partition). Empty = off.
  std::string flush_topic;
  // The whole run, connect included, ends with DeadlineExceeded after this long.
  std::chrono::milliseconds timeout{std::chrono::minutes(10)};

  Status Validate() const;
};

struct PublishReport {
  uint64_t messages = 0;       // published: QoS 0 written, QoS 1 acknowledged
  uint64_t failed = 0;         // QoS 0 dropped while disconnected, QoS 1 refused
  uint64_t payload_bytes = 0;  // of the published messages, as sent
  uint64_t topic_bytes = 0;
  uint64_t acked = 0;          // QoS 1 PUBACKs of messages (syncs not counted)
  uint64_t syncs = 0;          // QoS 0 sync messages acknowledged
  uint64_t reconnects = 0;     // connections after the first
  bool flush_sent = false;     // flush_topic message acknowledged
  // From the first publish to the last confirmation (PUBACK of the last message or sync).
  std::chrono::nanoseconds elapsed{0};

  double messages_per_second() const;
  // QoS 1: every message acknowledged; QoS 0: every message written and the final sync acked.
  bool all_confirmed = false;
};

// Publishes everything `source` yields. Errors: bad options, the first connection failing,
// the source failing (its status), or the timeout; a run that ended early still reports its
// counts in the status message.
StatusOr<PublishReport> RunPublisher(const PublisherOptions& options, MessageSource* source);

}  // namespace mqtt2s3::sim
