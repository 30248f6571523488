// RedeliveryTable: which redelivered PUBLISHes are the copy the WAL holds (acked, not stored)
// and which must be stored (docs/WAL.md "Redeliveries"). A wrong "same" loses a message, so
// anything that is not one of the last messages logged with the id, byte for byte, answers
// "store".
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
  t.OnLogged(7, 1, ContentHash("t", "q"), 101);
  EXPECT_EQ(t.Match(7, 1, ContentHash("t", "q")), 101u);
}

TEST(RedeliveryTableTest, Qos1OlderMessagesUnderAReusedIdAreStillRecognised) {
  // mosquitto 2.0.11 after repeated kill -9 (fault test, seed 101, large scale): message A
  // logged under id 28231 in run 4 stayed unacknowledged at the broker, which gave id 28231 to
  // message B 65,535 messages later; run 8 then received A (DUP, id 28231) and B again. Only
  // the latest per id (B) was remembered, so A was stored a second time.
  RedeliveryTable t;
  const uint64_t a = ContentHash("t", "{\"seq\":28230}");
  const uint64_t b = ContentHash("t", "{\"seq\":93765}");
  t.OnLogged(28231, 1, a, 28231);
  t.OnLogged(28231, 1, b, 93766);
  EXPECT_EQ(t.Match(28231, 1, a), 28231u);
  EXPECT_EQ(t.Match(28231, 1, b), 93766u);
  EXPECT_FALSE(t.Match(28231, 1, a).has_value()) << "used up";
}

TEST(RedeliveryTableTest, Qos1RemembersTheLastDepthMessagesPerId) {
  RedeliveryTable t;
  const size_t n = RedeliveryTable::kDepth + 1;
  for (size_t i = 0; i < n; ++i) {
    t.OnLogged(7, 1, ContentHash("t", std::to_string(i)), 100 + i);
  }
  EXPECT_FALSE(t.Match(7, 1, ContentHash("t", "0")).has_value()) << "the oldest is forgotten";
  for (size_t i = 1; i < n; ++i) {
    EXPECT_EQ(t.Match(7, 1, ContentHash("t", std::to_string(i))), 100 + i) << i;
  }
}

TEST(RedeliveryTableTest, RestoringTheSameSequenceTwiceKeepsOneEntry) {
  RedeliveryTable t;
  for (size_t i = 0; i < RedeliveryTable::kDepth; ++i) {
    t.OnLogged(7, 1, ContentHash("t", std::to_string(i)), 100 + i);
  }
  // The restart feeds the log's history, then its latest message per id again.
  t.OnLogged(7, 1, ContentHash("t", "3"), 103);
  EXPECT_EQ(t.Match(7, 1, ContentHash("t", "0")), 100u) << "not pushed out by the repeat";
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

TEST(RedeliveryTableTest, Qos2MatchesTheLatestExchangeOfTheIdOnly) {
  RedeliveryTable t;
  const uint64_t old = ContentHash("t", "old"), cur = ContentHash("t", "new");
  t.OnLogged(9, 2, old, 200);
  t.OnLogged(9, 2, cur, 300);  // a later exchange under the same id (its PUBREL record lost)
  EXPECT_FALSE(t.Match(9, 2, old).has_value()) << "only the exchange holding the id";
  EXPECT_EQ(t.Match(9, 2, cur), 300u);
  t.OnLogged(9, 1, ContentHash("t", "q1"), 400);
  EXPECT_FALSE(t.Match(9, 2, cur).has_value()) << "the id now belongs to a QoS 1 message";
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
