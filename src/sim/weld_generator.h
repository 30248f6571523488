// WeldGenerator: the welding use case's messages, deterministic for a seed.
//
//   WeldOptions o;                     // 1 plant x 3 devices x 5 steps from 2018-10-01 17:00
//   o.plants = 3; o.devices = 10; o.count = 3600;
//   WeldGenerator gen(o);              // o.Validate() must be OK
//   SimMessage m;
//   while (gen.Next(&m)) Publish(m.topic, m.payload);
//
// Topic:   {root}/JSON/{0|1}/{plant}/WELDING-STATION-{device}/WELD/1 (levels ROOT, FORMAT,
//          COMPRESSED, PLANT-ID, DEVICE-ID, MSG-TYPE, MSG-VERSION; plants and devices count
//          from 1; COMPRESSED is 1 when the payload is zlib-compressed).
// Payload: {"weldspot":{"Timestamp":"20181001 171035","Current":"112.4","Voltage":"229.7",
//          "MainPowerSwitch":"1","MainPowerSwitch_str":"ON"},"seq":N}
//          single-line JSON, zlib-compressed (RFC 1950) when `compressed`.
//
// Order: like scripts/demo/publish_welding.py, step by step, and in each step plant by plant,
// device by device; seq counts every message from 0 in that order. Message n is a pure
// function of (options, n): values come from a hash of (seed, plant, device, step), not from
// a running random state, so any message can be recomputed (Make) to check what was stored.
//
// Values: each device has its own voltage offset (within +-4 V of 230 V), a slow drift (a
// sine of +-2 V over 10-30 simulated minutes) and noise (+-1 V); current is about 110 A with
// a per-device offset and noise. The main power switch is off in about 1 of 12 ten-minute
// periods of a device; while off, current and voltage read "0".
//
// Thread-safety: Next() mutates the position; Make() is const and thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "common/status.h"
#include "sim/message_source.h"
#include "sim/zlib_deflater.h"

namespace mqtt2s3::sim {

struct WeldOptions {
  // First topic level.
  std::string root = "COMPANY-X";
  // Plants 1..plants, devices 1..devices per plant.
  uint32_t plants = 1;
  uint32_t devices = 3;
  // Messages per device (steps). 0 = none.
  uint64_t count = 5;
  // Simulated time of step 0, ms since the epoch (default 2018-10-01 17:00:00 UTC).
  int64_t start_ms = 1538413200000;
  // Simulated time between two messages of one device.
  std::chrono::milliseconds step{1000};
  // Seeds every value; the same seed gives the same messages.
  uint64_t seed = 42;
  // zlib-compress payloads and set the COMPRESSED level to 1.
  bool compressed = false;

  Status Validate() const;
  // plants * devices * count.
  uint64_t total_messages() const;
};

// The values of one weld reading (as they appear in the JSON, uncompressed).
struct WeldReading {
  int64_t time_ms = 0;
  bool power_on = true;
  double current_a = 0;  // 0 when off; one decimal in the JSON
  double voltage_v = 0;  // 0 when off; one decimal in the JSON
};

class WeldGenerator final : public MessageSource {
 public:
  explicit WeldGenerator(WeldOptions options);

  bool Next(SimMessage* out) override;

  // Message number `n` (0 <= n < total_messages()), as Next() produces it.
  void Make(uint64_t n, SimMessage* out) const;
  // The reading of (plant, device, step); plant and device count from 1.
  WeldReading Reading(uint32_t plant, uint32_t device, uint64_t step) const;
  // The topic of (plant, device) for this generator's root and compression.
  std::string Topic(uint32_t plant, uint32_t device) const;
  // The uncompressed JSON payload of a reading with sequence number seq.
  static void AppendPayloadJson(const WeldReading& r, uint64_t seq, std::string* out);

  const WeldOptions& options() const { return options_; }
  uint64_t position() const { return next_; }

 private:
  void MakeInto(uint64_t n, SimMessage* out, std::string* scratch, ZlibDeflater* z) const;

  WeldOptions options_;
  uint64_t next_ = 0;
  std::string scratch_;  // uncompressed payload before deflating (Next only)
  ZlibDeflater deflater_;  // Next only
};

// Parses a simulated start time: "2018-10-01 17:00:00", "2018-10-01 17:00",
// "2018-10-01T17:00:00Z", "20181001 170000" (UTC), or Unix milliseconds.
StatusOr<int64_t> ParseStartTime(std::string_view text);

}  // namespace mqtt2s3::sim
