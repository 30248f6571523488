// ReplaySource: messages recorded as JSON Lines, one message per line, published again.
//
//   ReplayOptions o;  o.default_topic = "COMPANY-X/JSON/0/1/WELDING-STATION-1/WELD/1";
//   auto src = ReplaySource::Open("events.jsonl", o);
//   SimMessage m;
//   while ((*src)->Next(&m)) Publish(m.topic, m.payload);
//   if (!(*src)->status().ok()) ...           // names the file and line
//
// A line is either
//   {"topic": "A/B", "payload": "text"}        payload published as the string's value
//   {"topic": "A/B", "payload": {...}}         payload published as that JSON, minified
//   {"weldspot": {...}, ...}                   any other object: the line itself (minified)
//                                              is the payload, on default_topic
// Empty lines are skipped. With `compress`, every payload is zlib-compressed (topics stay as
// written: a recorded topic should then carry COMPRESSED = 1 itself).
//
// Thread-safety: one thread at a time.
#pragma once

#include <fstream>
#include <memory>
#include <string>

#include "common/status.h"
#include "sim/message_source.h"
#include "sim/zlib_deflater.h"

namespace mqtt2s3::sim {

struct ReplayOptions {
  // Topic of lines that carry no "topic".
  std::string default_topic = "COMPANY-X/JSON/0/1/WELDING-STATION-1/WELD/1";
  // zlib-compress every payload.
  bool compress = false;
  // Lines longer than this are an error (a guard against a file that is not JSON Lines).
  size_t max_line_bytes = 16 << 20;
};

class ReplaySource final : public MessageSource {
 public:
  static StatusOr<std::unique_ptr<ReplaySource>> Open(const std::string& path,
                                                      ReplayOptions options);
  ~ReplaySource() override;

  bool Next(SimMessage* out) override;
  Status status() const override { return status_; }

  // Parses one line into *out (used by Next; exposed for tests). InvalidArgument says why.
  Status ParseLine(std::string_view line, SimMessage* out);

 private:
  struct Parser;
  ReplaySource(std::string path, ReplayOptions options);

  std::string path_;
  ReplayOptions options_;
  std::ifstream in_;
  std::string line_;
  uint64_t line_number_ = 0;
  Status status_;
  std::unique_ptr<Parser> parser_;
  ZlibDeflater deflater_;
};

}  // namespace mqtt2s3::sim
