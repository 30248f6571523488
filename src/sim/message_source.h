// MessageSource: where the simulator's messages come from (the welding generator, a replayed
// JSON Lines file, or a fake in tests). The publisher pulls one message at a time.
//
//   SimMessage m;
//   while (source->Next(&m)) session.Publish(m.topic, m.payload, ...);
//   if (!source->status().ok()) ...  // the source stopped on an error, not at its end
//
// Thread-safety: a source is used by one thread at a time.
#pragma once

#include <string>

#include "common/status.h"

namespace mqtt2s3::sim {

// One message to publish. Next() overwrites the fields, reusing their capacity.
struct SimMessage {
  std::string topic;
  std::string payload;
  // The last message this source produces for the message's device (the Python publisher's
  // --flush-last user property goes on it).
  bool last_of_device = false;
};

class MessageSource {
 public:
  virtual ~MessageSource() = default;
  // Fills *out and returns true, or returns false at the end (or on an error: see status()).
  virtual bool Next(SimMessage* out) = 0;
  // OK unless Next() stopped on an error (a bad replay line names its file and line).
  virtual Status status() const { return Status::Ok(); }
};

}  // namespace mqtt2s3::sim
