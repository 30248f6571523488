// The streaming frame splitter: partial headers and bodies, coalesced reads, size limits that
// trip on the header alone, and the remaining-length varint at every boundary.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "mqtt/codec.h"
#include "mqtt/codec_test_util.h"
#include "mqtt/codec_wire.h"

namespace mqtt2s3::mqtt {
namespace {

using testing::Bytes;

std::vector<uint8_t> EncodeVarInt(uint32_t v) {
  std::vector<uint8_t> out(4);
  wire::Sink sink(out.data());
  sink.VarInt(v);
  out.resize(sink.size());
  return out;
}

struct VarIntCase {
  uint32_t value;
  std::vector<uint8_t> bytes;
};

TEST(VarIntTest, BoundaryValuesEncodeAndSplitAsTheSpecSays) {
  const std::vector<VarIntCase> cases = {
      {0, Bytes({0x00})},
      {127, Bytes({0x7F})},
      {128, Bytes({0x80, 0x01})},
      {16383, Bytes({0xFF, 0x7F})},
      {16384, Bytes({0x80, 0x80, 0x01})},
      {2097151, Bytes({0xFF, 0xFF, 0x7F})},
      {2097152, Bytes({0x80, 0x80, 0x80, 0x01})},
      {268435455, Bytes({0xFF, 0xFF, 0xFF, 0x7F})},
  };
  for (const VarIntCase& c : cases) {
    SCOPED_TRACE(c.value);
    EXPECT_EQ(EncodeVarInt(c.value), c.bytes);
    EXPECT_EQ(VarIntSize(c.value), c.bytes.size());
    // A PUBLISH header declaring that many bytes: the splitter reports the exact shortfall.
    std::vector<uint8_t> header = Bytes({0x30});
    header.insert(header.end(), c.bytes.begin(), c.bytes.end());
    StatusOr<SplitResult> r = SplitFrame(header, DecodeLimits());
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    if (c.value == 0) {
      ASSERT_TRUE(r->frame.has_value());
      EXPECT_EQ(r->frame->header.remaining_length, 0u);
      EXPECT_EQ(r->frame->header.header_length, 2);
    } else {
      EXPECT_FALSE(r->frame.has_value());
      EXPECT_EQ(r->need_bytes, c.value);
    }
  }
  EXPECT_EQ(VarIntSize(268435456), 0u);
}

TEST(VarIntTest, FiveByteRemainingLengthIsRejected) {
  StatusOr<SplitResult> r = SplitFrame(Bytes({0x30, 0xFF, 0xFF, 0xFF, 0xFF, 0x01}), {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "PUBLISH: remaining length: longer than 4 bytes at offset 1");
}

TEST(VarIntTest, NonMinimalRemainingLengthIsRejected) {
  StatusOr<SplitResult> r = SplitFrame(Bytes({0xC0, 0x80, 0x00}), {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "PINGREQ: remaining length: not minimally encoded at offset 1");
}

TEST(SplitFrameTest, EmptyBufferNeedsOneByte) {
  StatusOr<SplitResult> r = SplitFrame({}, {});
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->frame);
  EXPECT_EQ(r->need_bytes, 1u);
}

TEST(SplitFrameTest, PartialHeaderNeedsMore) {
  // 0x30 then a continuation byte: the length is not known yet.
  StatusOr<SplitResult> r = SplitFrame(Bytes({0x30, 0x80}), {});
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->frame);
  EXPECT_EQ(r->need_bytes, 1u);
}

TEST(SplitFrameTest, PartialBodyNeedsExactlyTheRest) {
  std::vector<uint8_t> packet = Bytes({0x30, 7, 0, 3, 'a', '/', 'b', 'h', 'i'});
  for (size_t have = 2; have < packet.size(); ++have) {
    StatusOr<SplitResult> r = SplitFrame(std::span(packet).first(have), {});
    ASSERT_TRUE(r.ok());
    EXPECT_FALSE(r->frame);
    EXPECT_EQ(r->need_bytes, packet.size() - have);
  }
  StatusOr<SplitResult> r = SplitFrame(packet, {});
  ASSERT_TRUE(r.ok() && r->frame);
  EXPECT_EQ(r->frame->bytes.size(), packet.size());
  EXPECT_EQ(r->frame->body().size(), 7u);
}

TEST(SplitFrameTest, ManyPacketsInOneBufferComeOutInOrder) {
  std::vector<uint8_t> buf;
  for (uint16_t id = 1; id <= 50; ++id) {
    Publish p;
    p.topic = "t/x";
    p.payload = "payload";
    p.qos = QoS::kAtLeastOnce;
    p.packet_id = id;
    ASSERT_TRUE(EncodePublish(p, ProtocolVersion::kV311, buf).ok());
    ASSERT_TRUE(EncodePingResp(buf).ok());
  }
  std::span<const uint8_t> rest(buf);
  uint16_t expected_id = 1;
  int pings = 0;
  while (!rest.empty()) {
    StatusOr<SplitResult> r = SplitFrame(rest, {});
    ASSERT_TRUE(r.ok() && r->frame);
    if (r->frame->header.type == PacketType::kPublish) {
      StatusOr<Publish> p = DecodePublish(*r->frame, ProtocolVersion::kV311, {});
      ASSERT_TRUE(p.ok());
      EXPECT_EQ(p->packet_id, expected_id++);
      EXPECT_EQ(p->payload, "payload");
    } else {
      EXPECT_EQ(r->frame->header.type, PacketType::kPingResp);
      ++pings;
    }
    rest = rest.subspan(r->frame->bytes.size());
  }
  EXPECT_EQ(expected_id, 51);
  EXPECT_EQ(pings, 50);
}

TEST(SplitFrameTest, ByteByByteArrivalYieldsTheSamePackets) {
  // A slow socket: bytes arrive one at a time; the caller keeps the unconsumed tail and only
  // retries once need_bytes more have arrived.
  std::vector<uint8_t> stream;
  std::vector<std::string> payloads;
  for (int i = 0; i < 20; ++i) {
    payloads.push_back(std::string(static_cast<size_t>(i * 13), static_cast<char>('a' + i)));
  }
  for (size_t i = 0; i < payloads.size(); ++i) {
    Publish p;
    p.topic = "slow/stream";
    p.payload = payloads[i];
    p.qos = QoS::kAtLeastOnce;
    p.packet_id = static_cast<uint16_t>(i + 1);
    ASSERT_TRUE(EncodePublish(p, ProtocolVersion::kV5, stream).ok());
  }
  std::vector<uint8_t> pending;
  size_t wanted = 1;
  size_t decoded = 0;
  for (uint8_t byte : stream) {
    pending.push_back(byte);
    if (pending.size() < wanted) continue;
    while (true) {
      StatusOr<SplitResult> r = SplitFrame(pending, {});
      ASSERT_TRUE(r.ok()) << r.status().ToString();
      if (!r->frame) {
        wanted = pending.size() + r->need_bytes;
        break;
      }
      StatusOr<Publish> p = DecodePublish(*r->frame, ProtocolVersion::kV5, {});
      ASSERT_TRUE(p.ok()) << p.status().ToString();
      EXPECT_EQ(p->payload, payloads[decoded]);
      ++decoded;
      pending.erase(pending.begin(), pending.begin() + static_cast<long>(r->frame->bytes.size()));
      wanted = 1;
    }
  }
  EXPECT_EQ(decoded, payloads.size());
  EXPECT_TRUE(pending.empty());
}

TEST(SplitFrameTest, OversizedPacketFailsOnTheHeaderAlone) {
  DecodeLimits limits;
  limits.max_packet_size = 1 << 20;
  ASSERT_TRUE(limits.Validate().ok());
  // 200 MB declared; only the 5 header bytes exist, so nothing could have been buffered.
  std::vector<uint8_t> header = Bytes({0x30});
  std::vector<uint8_t> len = EncodeVarInt(200u << 20);
  header.insert(header.end(), len.begin(), len.end());
  StatusOr<SplitResult> r = SplitFrame(header, limits);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(r.status().message(),
            "PUBLISH: remaining length: packet of 209715205 bytes exceeds the maximum packet "
            "size 1048576 at offset 1");
}

TEST(SplitFrameTest, PacketExactlyAtTheLimitIsAccepted) {
  DecodeLimits limits;
  limits.max_packet_size = 9;
  std::vector<uint8_t> packet = Bytes({0x30, 7, 0, 3, 'a', '/', 'b', 'h', 'i'});
  StatusOr<SplitResult> r = SplitFrame(packet, limits);
  ASSERT_TRUE(r.ok() && r->frame);
  limits.max_packet_size = 8;
  EXPECT_FALSE(SplitFrame(packet, limits).ok());
}

TEST(SplitFrameTest, ReservedTypeAndFlagsAreRejectedBeforeTheBody) {
  EXPECT_EQ(SplitFrame(Bytes({0x00, 0x00}), {}).status().message(),
            "RESERVED: fixed header: packet type 0 is reserved at offset 0");
  EXPECT_EQ(SplitFrame(Bytes({0x60}), {}).status().message(),
            "PUBREL: fixed header: reserved flags 0x0 are invalid at offset 0");
  EXPECT_EQ(SplitFrame(Bytes({0x80}), {}).status().message(),
            "SUBSCRIBE: fixed header: reserved flags 0x0 are invalid at offset 0");
  EXPECT_EQ(SplitFrame(Bytes({0xA3}), {}).status().message(),
            "UNSUBSCRIBE: fixed header: reserved flags 0x3 are invalid at offset 0");
  EXPECT_EQ(SplitFrame(Bytes({0x41}), {}).status().message(),
            "PUBACK: fixed header: reserved flags 0x1 are invalid at offset 0");
  EXPECT_EQ(SplitFrame(Bytes({0x36}), {}).status().message(),
            "PUBLISH: fixed header: QoS 3 is invalid at offset 0");
  EXPECT_EQ(SplitFrame(Bytes({0x38}), {}).status().message(),
            "PUBLISH: fixed header: DUP set on QoS 0 at offset 0");
  EXPECT_TRUE(SplitFrame(Bytes({0x62}), {}).ok());
}

TEST(DecodeLimitsTest, ValidateRejectsImpossibleLimits) {
  DecodeLimits limits;
  EXPECT_TRUE(limits.Validate().ok());
  limits.max_packet_size = kMaxPacketSize + 1;
  EXPECT_FALSE(limits.Validate().ok());
  limits = DecodeLimits();
  limits.max_topic_length = 0;
  EXPECT_FALSE(limits.Validate().ok());
}

}  // namespace
}  // namespace mqtt2s3::mqtt
