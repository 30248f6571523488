#include <gtest/gtest.h>

#include "sim/publisher.h"

namespace mqtt2s3::sim {
namespace {

PublisherOptions Valid() {
  PublisherOptions o;
  o.session.client_id = "sim-test";
  return o;
}

TEST(PublisherOptions, DefaultsWithAClientIdAreValid) { EXPECT_TRUE(Valid().Validate().ok()); }

TEST(PublisherOptions, RefusesQos2NegativeRateAndWindowsOutside16Bits) {
  PublisherOptions o = Valid();
  o.qos = mqtt::QoS::kExactlyOnce;
  EXPECT_FALSE(o.Validate().ok());
  o = Valid();
  o.rate = -1;
  EXPECT_FALSE(o.Validate().ok());
  o = Valid();
  o.window = 0;
  EXPECT_FALSE(o.Validate().ok());
  o.window = 65536;
  EXPECT_FALSE(o.Validate().ok());
}

TEST(PublisherOptions, QosZeroNeedsASyncTopic) {
  PublisherOptions o = Valid();
  o.sync_topic.clear();
  EXPECT_FALSE(o.Validate().ok());
  o.qos = mqtt::QoS::kAtLeastOnce;
  EXPECT_TRUE(o.Validate().ok());
}

TEST(PublisherOptions, FlushPropertyNeedsMqtt5) {
  PublisherOptions o = Valid();
  o.flush_property = "mqtt2s3-flush";
  EXPECT_TRUE(o.Validate().ok());
  o.session.version = mqtt::ProtocolVersion::kV311;
  EXPECT_FALSE(o.Validate().ok());
}

TEST(PublisherOptions, SubscriptionsAreRefused) {
  PublisherOptions o = Valid();
  o.session.subscriptions.push_back({"a/#", mqtt::QoS::kAtLeastOnce});
  EXPECT_FALSE(o.Validate().ok());
}

}  // namespace
}  // namespace mqtt2s3::sim
