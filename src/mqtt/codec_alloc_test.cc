// Proves the hot path allocates nothing: 1000 coalesced PUBLISH packets are split and decoded,
// their MQTT 5 properties read, and acks encoded into a buffer with capacity, while
// m2s_alloc_counter's replaced global operator new counts heap allocations. This binary owns
// operator new, so it holds only these tests.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "alloc_counter.h"
#include "mqtt/codec.h"

namespace mqtt2s3::mqtt {
namespace {

constexpr int kMessages = 1000;

std::vector<uint8_t> CoalescedPublishes(ProtocolVersion v, const PropertiesView& props) {
  std::vector<uint8_t> buf;
  for (int i = 0; i < kMessages; ++i) {
    const std::string payload = "{\"seq\":" + std::to_string(i) + "}";
    Publish p;
    p.topic = "site/7/sensor/temperature";
    p.payload = payload;
    p.qos = static_cast<QoS>(i % 3);
    p.packet_id = p.qos == QoS::kAtMostOnce ? 0 : static_cast<uint16_t>(i + 1);
    if (v == ProtocolVersion::kV5) p.properties = props;
    if (!EncodePublish(p, v, buf).ok()) return {};
  }
  return buf;
}

struct Totals {
  int messages = 0;
  size_t payload_bytes = 0;
  uint64_t expiry_sum = 0;
  size_t user_properties = 0;
  int errors = 0;
};

// Everything the session does per received PUBLISH, minus the I/O.
void DecodeAll(std::span<const uint8_t> buf, ProtocolVersion v, std::vector<uint8_t>& acks,
               Totals& t) {
  const DecodeLimits limits;
  while (!buf.empty()) {
    StatusOr<SplitResult> r = SplitFrame(buf, limits);
    if (!r.ok() || !r->frame) {
      ++t.errors;
      return;
    }
    StatusOr<Publish> p = DecodePublish(*r->frame, v, limits);
    if (!p.ok()) {
      ++t.errors;
      return;
    }
    ++t.messages;
    t.payload_bytes += p->payload.size();
    t.expiry_sum += p->properties.MessageExpiryInterval().value_or(0);
    if (p->properties.ContentType() != std::optional<std::string_view>("application/json") &&
        v == ProtocolVersion::kV5) {
      ++t.errors;
    }
    for (const Property& prop : p->properties) {
      if (prop.id == PropertyId::kUserProperty) ++t.user_properties;
    }
    if (p->qos == QoS::kAtLeastOnce) {
      Ack ack;
      ack.type = PacketType::kPubAck;
      ack.packet_id = p->packet_id;
      if (!EncodeAck(ack, v, acks).ok()) ++t.errors;
    }
    buf = buf.subspan(r->frame->bytes.size());
  }
}

class HotPathAllocationTest : public ::testing::TestWithParam<ProtocolVersion> {};

TEST_P(HotPathAllocationTest, DecodingCoalescedPublishesAllocatesNothing) {
  const ProtocolVersion v = GetParam();
  PropertiesBuilder props;
  props.Add(PropertyId::kMessageExpiryInterval, 30)
      .Add(PropertyId::kContentType, "application/json")
      .AddUserProperty("device", "d-17")
      .AddUserProperty("fw", "1.2.3");
  ASSERT_TRUE(props.status().ok());
  const std::vector<uint8_t> buf = CoalescedPublishes(v, props.view());
  ASSERT_FALSE(buf.empty());
  std::vector<uint8_t> acks;
  acks.reserve(kMessages * kMaxShortAckSize);
  Totals totals;

  const mqtt2s3::testing::AllocationScope scope;
  DecodeAll(buf, v, acks, totals);
  const long allocations = scope.count();

  EXPECT_EQ(allocations, 0);
  EXPECT_EQ(totals.errors, 0);
  EXPECT_EQ(totals.messages, kMessages);
  EXPECT_GT(totals.payload_bytes, size_t{kMessages} * 9);
  if (v == ProtocolVersion::kV5) {
    EXPECT_EQ(totals.expiry_sum, uint64_t{kMessages} * 30);
    EXPECT_EQ(totals.user_properties, size_t{kMessages} * 2);
  }
  EXPECT_EQ(acks.size(), size_t{kMessages / 3} * 4);  // i % 3 == 1 is QoS 1; 4-byte PUBACKs
}

INSTANTIATE_TEST_SUITE_P(BothVersions, HotPathAllocationTest,
                         ::testing::Values(ProtocolVersion::kV311, ProtocolVersion::kV5),
                         [](const ::testing::TestParamInfo<ProtocolVersion>& param) {
                           return param.param == ProtocolVersion::kV5 ? "V5" : "V311";
                         });

TEST(AllocationCounterTest, CounterSeesAllocations) {
  const mqtt2s3::testing::AllocationScope scope;
  // Operator new is defined in another file, so GCC may elide the allocations of a vector
  // nobody can see; publishing it through a volatile pointer keeps both of them real.
  std::vector<int>* volatile p = new std::vector<int>(100);
  const long allocations = scope.count();
  delete p;
  EXPECT_GE(allocations, 2);
}

}  // namespace
}  // namespace mqtt2s3::mqtt
