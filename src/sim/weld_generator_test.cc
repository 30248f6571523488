#include "sim/weld_generator.h"

#include <zlib.h>

#include <set>

#include <gtest/gtest.h>

#pragma GCC diagnostic ignored "-Wnull-dereference"
#include <simdjson.h>

namespace mqtt2s3::sim {
namespace {

std::string Inflate(const std::string& z) {
  std::string out(64 * 1024, '\0');
  uLongf size = out.size();
  EXPECT_EQ(uncompress(reinterpret_cast<Bytef*>(out.data()), &size,
                       reinterpret_cast<const Bytef*>(z.data()), z.size()),
            Z_OK);
  out.resize(size);
  return out;
}

struct Parsed {
  std::string timestamp, current, voltage, power, power_str;
  int64_t seq = -1;
};

Parsed Parse(const std::string& payload) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc = parser.parse(payload);
  Parsed p;
  simdjson::dom::element w = doc["weldspot"];
  p.timestamp = std::string(std::string_view(w["Timestamp"]));
  p.current = std::string(std::string_view(w["Current"]));
  p.voltage = std::string(std::string_view(w["Voltage"]));
  p.power = std::string(std::string_view(w["MainPowerSwitch"]));
  p.power_str = std::string(std::string_view(w["MainPowerSwitch_str"]));
  p.seq = int64_t(doc["seq"]);
  return p;
}

std::vector<SimMessage> All(const WeldOptions& o) {
  WeldGenerator gen(o);
  std::vector<SimMessage> out;
  SimMessage m;
  while (gen.Next(&m)) out.push_back(m);
  return out;
}

TEST(WeldGenerator, TopicsFollowTheUseCaseLevelsPlantByPlantDeviceByDevice) {
  WeldOptions o;
  o.plants = 2;
  o.devices = 2;
  o.count = 2;
  auto all = All(o);
  ASSERT_EQ(all.size(), 8u);
  EXPECT_EQ(all[0].topic, "COMPANY-X/JSON/0/1/WELDING-STATION-1/WELD/1");
  EXPECT_EQ(all[1].topic, "COMPANY-X/JSON/0/1/WELDING-STATION-2/WELD/1");
  EXPECT_EQ(all[2].topic, "COMPANY-X/JSON/0/2/WELDING-STATION-1/WELD/1");
  EXPECT_EQ(all[4].topic, "COMPANY-X/JSON/0/1/WELDING-STATION-1/WELD/1");
  o.compressed = true;
  o.root = "ACME";
  EXPECT_EQ(All(o)[3].topic, "ACME/JSON/1/2/WELDING-STATION-2/WELD/1");
}

TEST(WeldGenerator, PayloadsAreJsonWithSequenceNumbersInPublishOrder) {
  WeldOptions o;
  o.plants = 3;
  o.devices = 4;
  o.count = 50;
  auto all = All(o);
  ASSERT_EQ(all.size(), o.total_messages());
  for (size_t i = 0; i < all.size(); ++i) {
    Parsed p = Parse(all[i].payload);
    EXPECT_EQ(p.seq, static_cast<int64_t>(i));
    EXPECT_TRUE((p.power == "1" && p.power_str == "ON") || (p.power == "0" && p.power_str == "OFF"))
        << all[i].payload;
    EXPECT_EQ(all[i].payload.find('\n'), std::string::npos);
  }
  EXPECT_EQ(all[0].payload.rfind(R"({"weldspot":{"Timestamp":"20181001 170000","Current":")", 0),
            0u)
      << all[0].payload;
}

TEST(WeldGenerator, TimestampsAdvanceOneStepPerDeviceMessage) {
  WeldOptions o;
  o.devices = 2;
  o.count = 3;
  o.step = std::chrono::seconds(35);
  auto all = All(o);
  EXPECT_EQ(Parse(all[0].payload).timestamp, "20181001 170000");
  EXPECT_EQ(Parse(all[1].payload).timestamp, "20181001 170000");
  EXPECT_EQ(Parse(all[2].payload).timestamp, "20181001 170035");
  EXPECT_EQ(Parse(all[5].payload).timestamp, "20181001 170110");
  EXPECT_FALSE(all[3].last_of_device);
  EXPECT_TRUE(all[4].last_of_device);
  EXPECT_TRUE(all[5].last_of_device);
}

TEST(WeldGenerator, SameSeedSameMessagesOtherSeedOtherValues) {
  WeldOptions o;
  o.devices = 5;
  o.count = 20;
  auto a = All(o);
  auto b = All(o);
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) EXPECT_EQ(a[i].payload, b[i].payload);
  o.seed = 7;
  auto c = All(o);
  size_t differ = 0;
  for (size_t i = 0; i < a.size(); ++i) differ += a[i].payload != c[i].payload;
  EXPECT_GT(differ, a.size() / 2);
}

TEST(WeldGenerator, MakeRecomputesAnyMessageAsNextProducedIt) {
  WeldOptions o;
  o.plants = 2;
  o.devices = 3;
  o.count = 10;
  o.compressed = true;
  WeldGenerator gen(o);
  auto all = All(o);
  SimMessage m;
  for (uint64_t n : {0ull, 7ull, 59ull}) {
    gen.Make(n, &m);
    EXPECT_EQ(m.topic, all[n].topic);
    EXPECT_EQ(m.payload, all[n].payload);
  }
}

TEST(WeldGenerator, VoltageVariesAroundMainsWithPerDeviceOffsetAndSwitchesOffSometimes) {
  WeldOptions o;
  o.devices = 10;
  o.count = 3 * 3600;  // three simulated hours per device
  WeldGenerator gen(o);
  size_t off = 0, on = 0;
  std::set<std::string> distinct;
  std::vector<double> device_mean(o.devices + 1, 0);
  for (uint32_t d = 1; d <= o.devices; ++d) {
    size_t n_on = 0;
    for (uint64_t s = 0; s < o.count; ++s) {
      WeldReading r = gen.Reading(1, d, s);
      if (!r.power_on) {
        ++off;
        EXPECT_EQ(r.voltage_v, 0);
        EXPECT_EQ(r.current_a, 0);
        continue;
      }
      ++on;
      ++n_on;
      EXPECT_GE(r.voltage_v, 223.0);
      EXPECT_LE(r.voltage_v, 237.0);
      EXPECT_GE(r.current_a, 95.0);
      EXPECT_LE(r.current_a, 125.0);
      device_mean[d] += r.voltage_v;
      if (d == 1) distinct.insert(std::to_string(r.voltage_v));
    }
    if (n_on > 0) device_mean[d] /= static_cast<double>(n_on);
  }
  EXPECT_GT(off, 0u);
  EXPECT_GT(on, 5 * off);  // mostly on (about 1 period in 12 is off)
  EXPECT_GT(distinct.size(), 50u);
  // Devices drift apart: their mean voltages are not all the same.
  const auto [lo, hi] = std::minmax_element(device_mean.begin() + 1, device_mean.end());
  EXPECT_GT(*hi - *lo, 1.0);
}

TEST(WeldGenerator, CompressedPayloadsInflateToTheUncompressedJson) {
  WeldOptions o;
  o.devices = 2;
  o.count = 3;
  auto plain = All(o);
  o.compressed = true;
  auto packed = All(o);
  ASSERT_EQ(plain.size(), packed.size());
  for (size_t i = 0; i < plain.size(); ++i) {
    EXPECT_NE(packed[i].payload, plain[i].payload);
    EXPECT_EQ(Inflate(packed[i].payload), plain[i].payload);
  }
}

TEST(WeldOptions, RefusesEmptyShapesAndBadRoots) {
  WeldOptions o;
  EXPECT_TRUE(o.Validate().ok());
  o.plants = 0;
  EXPECT_FALSE(o.Validate().ok());
  o = WeldOptions{};
  o.root = "A/B";
  EXPECT_FALSE(o.Validate().ok());
  o = WeldOptions{};
  o.step = std::chrono::milliseconds(0);
  EXPECT_FALSE(o.Validate().ok());
}

TEST(ParseStartTime, AcceptsTheCommonSpellingsOfOneInstant) {
  const int64_t k = 1538413200000;  // 2018-10-01 17:00:00 UTC
  for (const char* s : {"2018-10-01 17:00:00", "2018-10-01 17:00", "20181001 170000",
                        "2018-10-01T17:00:00Z", "1538413200000"}) {
    auto t = ParseStartTime(s);
    ASSERT_TRUE(t.ok()) << s << ": " << t.status().ToString();
    EXPECT_EQ(*t, k) << s;
  }
  EXPECT_FALSE(ParseStartTime("yesterday").ok());
}

}  // namespace
}  // namespace mqtt2s3::sim
