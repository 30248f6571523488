#include "sim/weld_generator.h"

#include <charconv>
#include <cmath>
#include <numbers>

#include "route/event_time.h"
#include "route/utc_time.h"

namespace mqtt2s3::sim {
namespace {

// SplitMix64's finalizer: a cheap, well-mixed hash, so a value depends only on its inputs
// and message n can be recomputed without replaying n random draws.
uint64_t Mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

uint64_t Hash(uint64_t a, uint64_t b, uint64_t c) { return Mix(Mix(Mix(a) ^ b) ^ c); }

// Uniform in [0, 1).
double Unit(uint64_t h) { return static_cast<double>(h >> 11) * 0x1.0p-53; }

constexpr int64_t kMinuteMs = 60'000;

void AppendDecimal1(double v, std::string* out) {
  char buf[32];
  // Round first so "-0.0" and "229.95 -> 230.0" never depend on the formatter.
  const double r = std::round(v * 10.0) / 10.0;
  auto res = std::to_chars(buf, buf + sizeof(buf), r == 0 ? 0.0 : r, std::chars_format::fixed, 1);
  out->append(buf, res.ptr);
}

void AppendTwo(uint32_t v, std::string* out) {
  out->push_back(static_cast<char>('0' + v / 10 % 10));
  out->push_back(static_cast<char>('0' + v % 10));
}

}  // namespace

Status WeldOptions::Validate() const {
  if (root.empty() || root.find_first_of("/+#") != std::string::npos) {
    return Status::InvalidArgument("root '" + root +
                                   "' must be one non-empty topic level without / + #");
  }
  if (plants == 0 || devices == 0) {
    return Status::InvalidArgument("plants and devices must be at least 1");
  }
  if (step.count() <= 0) return Status::InvalidArgument("step must be positive");
  if (start_ms < 0) return Status::InvalidArgument("start must not be before 1970");
  // Timestamps are printed with a 4-digit year.
  constexpr int64_t kYear10000Ms = 253402300800000;
  if (count > 0 && (static_cast<double>(count - 1) * static_cast<double>(step.count()) +
                        static_cast<double>(start_ms) >=
                    static_cast<double>(kYear10000Ms))) {
    return Status::InvalidArgument("start + count x step passes the year 9999");
  }
  if (static_cast<double>(plants) * devices * static_cast<double>(count) > 1e15) {
    return Status::InvalidArgument("plants x devices x count is too large");
  }
  return Status::Ok();
}

uint64_t WeldOptions::total_messages() const {
  return static_cast<uint64_t>(plants) * devices * count;
}

WeldGenerator::WeldGenerator(WeldOptions options) : options_(std::move(options)) {}

WeldReading WeldGenerator::Reading(uint32_t plant, uint32_t device, uint64_t step) const {
  const uint64_t dev = Hash(options_.seed, plant, device);
  WeldReading r;
  r.time_ms = options_.start_ms + static_cast<int64_t>(step) * options_.step.count();
  const int64_t t = r.time_ms - options_.start_ms;
  // The switch state is a property of a ten-minute period, so it toggles rarely, as a
  // station's main switch does, and every step of a period agrees.
  const uint64_t period = static_cast<uint64_t>(r.time_ms / (10 * kMinuteMs));
  r.power_on = Unit(Hash(dev, period, 4)) >= 1.0 / 12.0;
  if (!r.power_on) return r;
  const double drift_period_ms = (10 + 20 * Unit(Hash(dev, 0, 1))) * kMinuteMs;
  const double phase = 2 * std::numbers::pi * Unit(Hash(dev, 0, 2));
  const double drift =
      2.0 * std::sin(2 * std::numbers::pi * static_cast<double>(t) / drift_period_ms + phase);
  const double offset = (Unit(Hash(dev, 0, 3)) - 0.5) * 8.0;
  const double noise = (Unit(Hash(dev, step, 5)) - 0.5) * 2.0;
  r.voltage_v = std::round((230.0 + offset + drift + noise) * 10.0) / 10.0;
  const double current_offset = (Unit(Hash(dev, 0, 6)) - 0.5) * 10.0;
  const double current_noise = (Unit(Hash(dev, step, 7)) - 0.5) * 10.0;
  r.current_a = std::round((110.0 + current_offset + current_noise) * 10.0) / 10.0;
  return r;
}

std::string WeldGenerator::Topic(uint32_t plant, uint32_t device) const {
  return options_.root + (options_.compressed ? "/JSON/1/" : "/JSON/0/") + std::to_string(plant) +
         "/WELDING-STATION-" + std::to_string(device) + "/WELD/1";
}

void WeldGenerator::AppendPayloadJson(const WeldReading& r, uint64_t seq, std::string* out) {
  const route::CivilTimeUtc c = route::CivilFromEpochMs(r.time_ms);
  out->append(R"({"weldspot":{"Timestamp":")");
  out->append(std::to_string(c.year));
  AppendTwo(c.month, out);
  AppendTwo(c.day, out);
  out->push_back(' ');
  AppendTwo(c.hour, out);
  AppendTwo(c.minute, out);
  AppendTwo(c.second, out);
  out->append(R"(","Current":")");
  if (r.power_on) AppendDecimal1(r.current_a, out); else out->push_back('0');
  out->append(R"(","Voltage":")");
  if (r.power_on) AppendDecimal1(r.voltage_v, out); else out->push_back('0');
  out->append(r.power_on ? R"(","MainPowerSwitch":"1","MainPowerSwitch_str":"ON"},"seq":)"
                         : R"(","MainPowerSwitch":"0","MainPowerSwitch_str":"OFF"},"seq":)");
  out->append(std::to_string(seq));
  out->push_back('}');
}

void WeldGenerator::MakeInto(uint64_t n, SimMessage* out, std::string* scratch,
                             ZlibDeflater* z) const {
  const uint64_t per_step = static_cast<uint64_t>(options_.plants) * options_.devices;
  const uint64_t step = n / per_step;
  const uint64_t in_step = n % per_step;
  const uint32_t plant = static_cast<uint32_t>(in_step / options_.devices) + 1;
  const uint32_t device = static_cast<uint32_t>(in_step % options_.devices) + 1;
  out->topic = Topic(plant, device);
  out->last_of_device = step + 1 == options_.count;
  const WeldReading r = Reading(plant, device, step);
  if (!options_.compressed) {
    out->payload.clear();
    AppendPayloadJson(r, n, &out->payload);
    return;
  }
  scratch->clear();
  AppendPayloadJson(r, n, scratch);
  // Cannot fail for a payload this small; an empty payload would show up in any check.
  if (!z->Compress(*scratch, &out->payload).ok()) out->payload.clear();
}

void WeldGenerator::Make(uint64_t n, SimMessage* out) const {
  std::string scratch;
  ZlibDeflater z;
  MakeInto(n, out, &scratch, &z);
}

bool WeldGenerator::Next(SimMessage* out) {
  if (next_ >= options_.total_messages()) return false;
  MakeInto(next_++, out, &scratch_, &deflater_);
  return true;
}

StatusOr<int64_t> ParseStartTime(std::string_view text) {
  if (!text.empty() && text.find_first_not_of("0123456789") == std::string_view::npos &&
      text.size() <= 15) {
    int64_t ms = 0;
    std::from_chars(text.data(), text.data() + text.size(), ms);
    return ms;
  }
  for (const char* format : {"%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y%m%d %H%M%S",
                             "rfc3339", "%Y-%m-%d"}) {
    auto parser = route::EventTimeParser::Create(format, "UTC");
    int64_t ms = 0;
    if (parser.ok() && parser->Parse(text, &ms)) return ms;
  }
  return Status::InvalidArgument("start time '" + std::string(text) +
                                 "': expected '2018-10-01 17:00:00', '20181001 170000', "
                                 "2018-10-01T17:00:00Z or Unix milliseconds");
}

}  // namespace mqtt2s3::sim
