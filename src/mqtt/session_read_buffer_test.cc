#include "mqtt/session_read_buffer.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

namespace mqtt2s3::mqtt {
namespace {

std::vector<uint8_t> EncodeQos1(uint16_t id, const std::string& payload) {
  std::vector<uint8_t> out;
  mqtt::Publish p;
  p.topic = "t/x";
  p.payload = payload;
  p.qos = QoS::kAtLeastOnce;
  p.packet_id = id;
  EXPECT_TRUE(EncodePublish(p, ProtocolVersion::kV5, out).ok());
  return out;
}

// Feeds `wire` into the buffer in chunks of at most `chunk` bytes, decoding as it goes.
std::vector<std::string> FeedInChunks(SessionReadBuffer& rb, const std::vector<uint8_t>& wire,
                                      size_t chunk, const DecodeLimits& limits = {}) {
  std::vector<std::string> payloads;
  size_t off = 0;
  while (off < wire.size()) {
    auto space = rb.WritableSpan();
    EXPECT_FALSE(space.empty());
    const size_t n = std::min({chunk, space.size(), wire.size() - off});
    std::copy_n(wire.data() + off, n, space.data());
    rb.Commit(n);
    off += n;
    Status s = rb.Consume(limits, [&](const Frame& f) -> Status {
      auto p = DecodePublish(f, ProtocolVersion::kV5, limits);
      if (!p.ok()) return p.status();
      payloads.emplace_back(p->payload);
      return Status::Ok();
    });
    EXPECT_TRUE(s.ok()) << s.ToString();
  }
  return payloads;
}

TEST(SessionReadBufferTest, ManyPacketsInOneReadAreAllDecoded) {
  std::vector<uint8_t> wire;
  for (int i = 0; i < 100; ++i) {
    auto pkt = EncodeQos1(static_cast<uint16_t>(i + 1), "m" + std::to_string(i));
    wire.insert(wire.end(), pkt.begin(), pkt.end());
  }
  SessionReadBuffer rb(64 * 1024);
  auto got = FeedInChunks(rb, wire, wire.size());
  ASSERT_EQ(got.size(), 100u);
  EXPECT_EQ(got[0], "m0");
  EXPECT_EQ(got[99], "m99");
  EXPECT_EQ(rb.buffered(), 0u);
}

TEST(SessionReadBufferTest, PacketsSplitAcrossEveryPossibleBoundaryAreReassembled) {
  std::vector<uint8_t> wire;
  for (int i = 0; i < 5; ++i) {
    auto pkt = EncodeQos1(static_cast<uint16_t>(i + 1), std::string(200 + i, 'a' + i));
    wire.insert(wire.end(), pkt.begin(), pkt.end());
  }
  for (size_t chunk : {1u, 2u, 3u, 7u, 64u, 211u}) {
    SessionReadBuffer rb(1024);
    auto got = FeedInChunks(rb, wire, chunk);
    ASSERT_EQ(got.size(), 5u) << "chunk " << chunk;
    EXPECT_EQ(got[4], std::string(204, 'e'));
  }
}

TEST(SessionReadBufferTest, PacketLargerThanTheBufferGrowsItThenItShrinksBack) {
  const std::string big(1'500'000, 'z');
  std::vector<uint8_t> wire = EncodeQos1(1, big);
  auto tail = EncodeQos1(2, "after");
  wire.insert(wire.end(), tail.begin(), tail.end());
  SessionReadBuffer rb(64 * 1024);
  std::vector<std::string> got;
  size_t off = 0;
  size_t max_capacity = 0;
  while (off < wire.size()) {
    auto space = rb.WritableSpan();
    const size_t n = std::min(space.size(), wire.size() - off);
    std::copy_n(wire.data() + off, n, space.data());
    rb.Commit(n);
    off += n;
    ASSERT_TRUE(rb.Consume({}, [&](const Frame& f) -> Status {
                    auto p = DecodePublish(f, ProtocolVersion::kV5, {});
                    got.emplace_back(p->payload);
                    return Status::Ok();
                  }).ok());
    max_capacity = std::max(max_capacity, rb.capacity());
  }
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0], big);
  EXPECT_EQ(got[1], "after");
  EXPECT_GE(max_capacity, big.size());
  EXPECT_LE(max_capacity, big.size() + 64 * 1024);
  EXPECT_EQ(rb.capacity(), 64u * 1024u);
}

TEST(SessionReadBufferTest, PacketAboveMaxPacketSizeFailsBeforeTheBufferGrows) {
  std::vector<uint8_t> wire = EncodeQos1(1, std::string(10'000, 'q'));
  DecodeLimits limits;
  limits.max_packet_size = 4096;
  SessionReadBuffer rb(2048);
  auto space = rb.WritableSpan();
  std::copy_n(wire.data(), space.size(), space.data());
  rb.Commit(space.size());
  Status s = rb.Consume(limits, [](const Frame&) { return Status::Ok(); });
  EXPECT_EQ(s.code(), StatusCode::kResourceExhausted) << s.ToString();
  EXPECT_EQ(rb.capacity(), 2048u);
}

TEST(SessionReadBufferTest, CallbackErrorStopsConsumption) {
  std::vector<uint8_t> wire = EncodeQos1(1, "a");
  auto second = EncodeQos1(2, "b");
  wire.insert(wire.end(), second.begin(), second.end());
  SessionReadBuffer rb(1024);
  auto space = rb.WritableSpan();
  std::copy(wire.begin(), wire.end(), space.data());
  rb.Commit(wire.size());
  int calls = 0;
  Status s = rb.Consume({}, [&](const Frame&) {
    ++calls;
    return Status::InvalidArgument("nope");
  });
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(calls, 1);
}

}  // namespace
}  // namespace mqtt2s3::mqtt
