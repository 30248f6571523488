// RedeliveryTable: which redelivered PUBLISHes are the copy the WAL holds (acked, not stored)
// and which must be stored (docs/WAL.md "Redeliveries"). A wrong "same" loses a message, so
// every case where the id may have been reused answers "store".
#include "converter/redelivery.h"

#include <gtest/gtest.h>

namespace mqtt2s3::converter {
namespace {

TEST(RedeliveryTableTest, AQos1MessageWhoseAckNeverWentOutIsRecognisedOnce) {
  RedeliveryTable t;
  const uint64_t h = ContentHash("plant/1/d", "{\"v\":1}");
  t.OnLogged(7, 1, h, 100);
  t.SetAckedThrough(99);
  EXPECT_EQ(t.Match(7, 1, h), 100u);
  EXPECT_FALSE(t.Match(7, 1, h).has_value()) << "used up: a second one is a new message";
}

TEST(RedeliveryTableTest, Qos1AfterItsAckMayHaveGoneOutIsStoredAgain) {
  RedeliveryTable t;
  const uint64_t h = ContentHash("t", "p");
  t.OnLogged(7, 1, h, 100);
  t.SetAckedThrough(100);  // the broker may have reused id 7 for a new, identical message
  EXPECT_FALSE(t.Match(7, 1, h).has_value());
  t.SetAckedThrough(50);  // marks never go back
  EXPECT_EQ(t.acked_through(), 100u);
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

TEST(RedeliveryTableTest, Qos1InTheBrokersWindowIsRecognisedAfterItsAckMayHaveGoneOut) {
  RedeliveryTable t;
  t.SetWindow(10);
  const uint64_t h = ContentHash("t", "p");
  t.OnLogged(7, 1, h, 100);
  t.OnLogged(8, 1, ContentHash("t", "q"), 109);
  t.SetAckedThrough(200);
  EXPECT_EQ(t.Match(7, 1, h), 100u) << "9 messages later: still in a window of 10";
  t.OnLogged(7, 1, h, 100);
  t.OnLogged(9, 1, ContentHash("t", "r"), 110);
  EXPECT_FALSE(t.Match(7, 1, h).has_value()) << "10 later: outside the window";
}

TEST(RedeliveryTableTest, Qos2IsTheSameMessageUntilPubRelEvenAfterPubRec) {
  RedeliveryTable t;
  const uint64_t h = ContentHash("t", "p");
  t.OnLogged(9, 2, h, 200);
  t.SetAckedThrough(300);  // PUBREC may have gone out: the id stays taken until PUBREL
  EXPECT_EQ(t.Match(9, 2, h), 200u);
  EXPECT_EQ(t.Match(9, 2, h), 200u) << "every redelivery before PUBREL";
  t.OnPubRel(9);
  EXPECT_FALSE(t.Match(9, 2, h).has_value());
}

TEST(RedeliveryTableTest, AnUploadedQos2MessageIsKnownByItsIdAlone) {
  RedeliveryTable t;
  t.OnLoggedWithoutContent(9, 2, 200);
  t.OnLoggedWithoutContent(10, 1, 201);
  t.SetAckedThrough(300);
  EXPECT_EQ(t.Match(9, 2, 12345), 200u);
  EXPECT_FALSE(t.Match(10, 1, 12345).has_value()) << "QoS 1 needs the content";
  t.OnPubRel(10);  // PUBREL names QoS 2 exchanges only
  t.SetAckedThrough(0);
}

}  // namespace
}  // namespace mqtt2s3::converter
