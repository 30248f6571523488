// RedeliveryTable: which redelivered PUBLISHes are the copy the WAL holds (acked, not stored)
// and which must be stored (docs/WAL.md "Redeliveries"). A wrong "same" loses a message, so
// anything that is not the latest message logged with the id, byte for byte, answers "store".
#include "converter/redelivery.h"

#include <gtest/gtest.h>

namespace mqtt2s3::converter {
namespace {

TEST(RedeliveryTableTest, AQos1MessageIsRecognisedOnce) {
  RedeliveryTable t;
  const uint64_t h = ContentHash("plant/1/d", "{\"v\":1}");
  t.OnLogged(7, 1, h, 100);
  EXPECT_EQ(t.Match(7, 1, h), 100u);
  EXPECT_FALSE(t.Match(7, 1, h).has_value()) << "used up: a second one is a new message";
}

TEST(RedeliveryTableTest, OtherContentQosOrIdIsANewMessage) {
  RedeliveryTable t;
  t.OnLogged(7, 1, ContentHash("t", "p"), 100);
  EXPECT_FALSE(t.Match(7, 1, ContentHash("t", "q")).has_value());
  EXPECT_FALSE(t.Match(7, 1, ContentHash("u", "p")).has_value());
  EXPECT_FALSE(t.Match(7, 2, ContentHash("t", "p")).has_value());
  EXPECT_FALSE(t.Match(8, 1, ContentHash("t", "p")).has_value());
  // Topic and payload are hashed apart: moving bytes between them changes the hash.
  EXPECT_NE(ContentHash("ab", "c"), ContentHash("a", "bc"));
  // The latest message with an id replaces the earlier one.
  t.OnLogged(7, 1, ContentHash("t", "q"), 101);
  EXPECT_EQ(t.Match(7, 1, ContentHash("t", "q")), 101u);
}

TEST(RedeliveryTableTest, Qos1IsRecognisedHoweverManyMessagesCameAfterIt) {
  // mosquitto 2.0 redelivers far more than Receive Maximum after a kill -9 (the acks it had
  // not read are reset with the socket): tens of thousands of messages back in the fault test.
  RedeliveryTable t;
  const uint64_t h = ContentHash("t", "p");
  t.OnLogged(7, 1, h, 100);
  for (uint16_t id = 8; id < 60000; ++id) t.OnLogged(id, 1, ContentHash("t", "q"), 100 + id);
  EXPECT_EQ(t.Match(7, 1, h), 100u);
}

TEST(RedeliveryTableTest, Qos2IsTheSameMessageUntilPubRelEvenAfterPubRec) {
  RedeliveryTable t;
  const uint64_t h = ContentHash("t", "p");
  t.OnLogged(9, 2, h, 200);  // PUBREC may have gone out: the id stays taken until PUBREL
  EXPECT_EQ(t.Match(9, 2, h), 200u);
  EXPECT_EQ(t.Match(9, 2, h), 200u) << "every redelivery before PUBREL";
  t.OnPubRel(9);
  EXPECT_FALSE(t.Match(9, 2, h).has_value());
}

TEST(RedeliveryTableTest, AnUploadedQos2MessageIsKnownByItsIdAlone) {
  RedeliveryTable t;
  t.OnLoggedWithoutContent(9, 2, 200);
  t.OnLoggedWithoutContent(10, 1, 201);
  EXPECT_EQ(t.Match(9, 2, 12345), 200u);
  EXPECT_FALSE(t.Match(10, 1, 12345).has_value()) << "QoS 1 needs the content";
  t.OnPubRel(10);  // PUBREL names QoS 2 exchanges only
}

}  // namespace
}  // namespace mqtt2s3::converter
