// Property table facts, the zero-copy view (iteration, lookups, user properties) and the
// builder's type checks.
#include "mqtt/properties.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace mqtt2s3::mqtt {
namespace {

TEST(PropertyTableTest, TypesAndPlacesFollowTheSpec) {
  struct Expect {
    PropertyId id;
    PropertyType type;
    PropertyContext allowed;
    PropertyContext not_allowed;
  };
  const std::vector<Expect> table = {
      {PropertyId::kPayloadFormatIndicator, PropertyType::kByte, PropertyContext::kWill,
       PropertyContext::kConnect},
      {PropertyId::kMessageExpiryInterval, PropertyType::kFourByteInt, PropertyContext::kPublish,
       PropertyContext::kConnAck},
      {PropertyId::kSubscriptionIdentifier, PropertyType::kVarInt, PropertyContext::kSubscribe,
       PropertyContext::kUnsubscribe},
      {PropertyId::kServerKeepAlive, PropertyType::kTwoByteInt, PropertyContext::kConnAck,
       PropertyContext::kConnect},
      {PropertyId::kAuthenticationData, PropertyType::kBinary, PropertyContext::kAuth,
       PropertyContext::kPublish},
      {PropertyId::kWillDelayInterval, PropertyType::kFourByteInt, PropertyContext::kWill,
       PropertyContext::kPublish},
      {PropertyId::kReasonString, PropertyType::kUtf8String, PropertyContext::kPubRel,
       PropertyContext::kPublish},
      {PropertyId::kUserProperty, PropertyType::kStringPair, PropertyContext::kAuth,
       PropertyContext::kAuth},
      {PropertyId::kSharedSubscriptionAvailable, PropertyType::kByte, PropertyContext::kConnAck,
       PropertyContext::kDisconnect},
      {PropertyId::kServerReference, PropertyType::kUtf8String, PropertyContext::kDisconnect,
       PropertyContext::kConnect},
  };
  for (const Expect& e : table) {
    const PropertyInfo* info = FindPropertyInfo(static_cast<uint8_t>(e.id));
    ASSERT_NE(info, nullptr);
    EXPECT_EQ(info->type, e.type) << info->name;
    EXPECT_TRUE(IsPropertyAllowed(e.id, e.allowed)) << info->name;
    if (e.id != PropertyId::kUserProperty) {
      EXPECT_FALSE(IsPropertyAllowed(e.id, e.not_allowed)) << info->name;
    }
  }
  int defined = 0;
  for (int id = 0; id < 256; ++id) defined += FindPropertyInfo(static_cast<uint8_t>(id)) ? 1 : 0;
  EXPECT_EQ(defined, 27);
  EXPECT_EQ(PropertyName(PropertyId::kTopicAliasMaximum), "Topic Alias Maximum");
}

TEST(PropertiesViewTest, IteratesEveryPropertyInWireOrder) {
  PropertiesBuilder b;
  b.Add(PropertyId::kPayloadFormatIndicator, 1)
      .Add(PropertyId::kMessageExpiryInterval, 0xDEADBEEF)
      .Add(PropertyId::kTopicAlias, 513)
      .Add(PropertyId::kSubscriptionIdentifier, 268435455)
      .Add(PropertyId::kContentType, "application/json")
      .Add(PropertyId::kCorrelationData, std::string_view("\0\1", 2))
      .AddUserProperty("a", "1")
      .AddUserProperty("a", "2");
  ASSERT_TRUE(b.status().ok());
  ASSERT_TRUE(ValidateProperties(b.view().raw(), PropertyContext::kPublish).ok());
  std::vector<Property> seen(b.view().begin(), b.view().end());
  ASSERT_EQ(seen.size(), 8u);
  EXPECT_EQ(seen[0].number, 1u);
  EXPECT_EQ(seen[1].number, 0xDEADBEEFu);
  EXPECT_EQ(seen[2].number, 513u);
  EXPECT_EQ(seen[3].number, 268435455u);
  EXPECT_EQ(seen[4].data, "application/json");
  EXPECT_EQ(seen[5].data, std::string_view("\0\1", 2));
  EXPECT_EQ(seen[6].data, "a");
  EXPECT_EQ(seen[7].value, "2");

  PropertiesView v = b.view();
  EXPECT_EQ(v.MessageExpiryInterval(), 0xDEADBEEFu);
  EXPECT_EQ(v.TopicAlias(), 513);
  EXPECT_EQ(v.ContentType(), "application/json");
  EXPECT_EQ(v.PayloadFormatIndicator(), 1);
  EXPECT_EQ(v.FindUserProperty("a"), "1");
  EXPECT_EQ(v.FindUserProperty("b"), std::nullopt);
  EXPECT_EQ(v.CountUserProperties(), 2u);
  EXPECT_EQ(v.ReasonString(), std::nullopt);
}

TEST(PropertiesViewTest, EmptyViewHasNothing) {
  PropertiesView v;
  EXPECT_TRUE(v.empty());
  EXPECT_EQ(v.begin(), v.end());
  EXPECT_FALSE(v.TopicAlias());
}

TEST(PropertiesViewTest, IterationStopsAtMalformedBytesWithoutReadingPastThem) {
  // Content Type claims 200 bytes but 1 follows; the iterator yields the first property only.
  const std::string raw("\x23\x00\x05\x03\x00\xC8x", 7);
  PropertiesView v(raw);
  std::vector<Property> seen(v.begin(), v.end());
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].id, PropertyId::kTopicAlias);
  EXPECT_FALSE(ValidateProperties(raw, PropertyContext::kPublish).ok());
}

TEST(PropertiesBuilderTest, WrongTypeOrOutOfRangeValueIsAStickyError) {
  PropertiesBuilder b;
  b.Add(PropertyId::kTopicAlias, 70000);
  EXPECT_EQ(b.status().message(), "properties: Topic Alias value 70000 out of range");
  b.Add(PropertyId::kReceiveMaximum, 10);
  EXPECT_TRUE(b.view().empty()) << "adds after an error are ignored";
  b.Clear();
  b.Add(PropertyId::kContentType, 5);
  EXPECT_EQ(b.status().message(), "properties: Content Type takes a string, not a number");
  b.Clear();
  b.Add(PropertyId::kReceiveMaximum, "ten");
  EXPECT_FALSE(b.status().ok());
  b.Clear();
  b.Add(PropertyId::kSubscriptionIdentifier, 268435456);
  EXPECT_FALSE(b.status().ok());
  b.Clear();
  b.Add(PropertyId::kReasonString, std::string(70000, 'x'));
  EXPECT_FALSE(b.status().ok());
}

TEST(PropertiesBuilderTest, BuiltBlockHasTheSpecEncoding) {
  PropertiesBuilder b;
  b.Add(PropertyId::kSessionExpiryInterval, 10).AddUserProperty("k", "v");
  EXPECT_EQ(b.view().raw(), std::string_view("\x11\0\0\0\x0A\x26\0\1k\0\1v", 12));
}

TEST(ValidatePropertiesTest, SubscriptionIdentifierRepeatsOnlyInPublish) {
  PropertiesBuilder b;
  b.Add(PropertyId::kSubscriptionIdentifier, 1).Add(PropertyId::kSubscriptionIdentifier, 2);
  EXPECT_TRUE(ValidateProperties(b.view().raw(), PropertyContext::kPublish).ok());
  EXPECT_EQ(ValidateProperties(b.view().raw(), PropertyContext::kSubscribe, 10).message(),
            "SUBSCRIBE: properties: duplicate Subscription Identifier at offset 12");
}

}  // namespace
}  // namespace mqtt2s3::mqtt
