// mqtt2s3::Reader against the dev stack's Ceph RGW: the request-count promise of the format
// (docs/FORMAT.md) measured with RequestStats on real objects.
#include <gtest/gtest.h>

#include <cstdio>

#include "mqtt2s3/reader.h"
#include "reader_fixture.h"

namespace mqtt2s3 {
namespace {

using testing::kT1700;
using testing::ReaderFixture;

TEST(ReaderIntegration, InlineIndexObjectCostsOneHeadAndOneRangedGet) {
  const ReaderFixture& f = ReaderFixture::Get();
  Reader reader(f.client);
  auto obj = reader.Open(f.bucket, f.small.key);
  ASSERT_TRUE(obj.ok()) << obj.status().ToString();
  EXPECT_TRUE(obj->index_inline);
  EXPECT_EQ(reader.stats().heads, 1u);
  EXPECT_EQ(reader.stats().gets, 0u);  // no index GET

  Selector one;
  one.time = {.from_ms = f.small.times[3], .to_ms = f.small.times[3] + 1};
  auto fetched = reader.Fetch(*obj, Reader::Select(*obj, one));
  ASSERT_TRUE(fetched.ok()) << fetched.status().ToString();
  ASSERT_EQ(fetched->messages.size(), 1u);
  EXPECT_EQ(fetched->messages[0].payload, f.small.payloads[3]);
  EXPECT_EQ(fetched->messages[0].event_time_ms, f.small.times[3]);
  EXPECT_EQ(reader.stats().heads, 1u);
  EXPECT_EQ(reader.stats().gets, 1u);
  EXPECT_EQ(fetched->bytes, f.small.payloads[3].size());
}

TEST(ReaderIntegration, OneMessageOfTenThousandCostsHeadIndexGetAndOneRangedGet) {
  const ReaderFixture& f = ReaderFixture::Get();
  Reader reader(f.client);
  auto obj = reader.Open(f.bucket, f.welding.key);
  ASSERT_TRUE(obj.ok()) << obj.status().ToString();
  ASSERT_FALSE(obj->index_inline);
  EXPECT_EQ(obj->index_key, f.welding.index_key);
  EXPECT_EQ(obj->info().message_count, 10000u);

  const size_t want = 7353;
  Selector one;
  one.exact_key = f.welding.index_keys[want];
  one.time = {.from_ms = f.welding.times[want], .to_ms = f.welding.times[want] + 1};
  auto entries = Reader::Select(*obj, one);
  ASSERT_EQ(entries.size(), 1u);
  auto fetched = reader.Fetch(*obj, entries);
  ASSERT_TRUE(fetched.ok()) << fetched.status().ToString();
  ASSERT_EQ(fetched->messages.size(), 1u);
  EXPECT_EQ(fetched->messages[0].payload, f.welding.payloads[want]);
  EXPECT_EQ(fetched->messages[0].index_key, f.welding.index_keys[want]);

  const RequestStats& s = reader.stats();
  std::printf("one message of 10000: %llu HEAD, %llu GET (index %llu bytes + range %llu bytes), "
              "body %llu bytes\n",
              static_cast<unsigned long long>(s.heads), static_cast<unsigned long long>(s.gets),
              static_cast<unsigned long long>(s.bytes - fetched->bytes),
              static_cast<unsigned long long>(fetched->bytes),
              static_cast<unsigned long long>(f.welding.body_bytes));
  EXPECT_EQ(s.heads, 1u);
  EXPECT_EQ(s.gets, 2u);  // companion index + one ranged GET
  EXPECT_EQ(fetched->requests, 1u);
  EXPECT_EQ(fetched->bytes, f.welding.payloads[want].size());
}

TEST(ReaderIntegration, OneDeviceOfTenReadsUnderAFifthOfTheBodyInFewRequests) {
  const ReaderFixture& f = ReaderFixture::Get();
  Reader reader(f.client);
  auto obj = reader.Open(f.bucket, f.welding.key);
  ASSERT_TRUE(obj.ok()) << obj.status().ToString();
  Selector device;
  device.component = "robot-04";
  auto fetched = reader.Fetch(*obj, Reader::Select(*obj, device));
  ASSERT_TRUE(fetched.ok()) << fetched.status().ToString();

  std::vector<std::string> expected;
  for (size_t i = 4; i < f.welding.payloads.size(); i += 10) expected.push_back(f.welding.payloads[i]);
  ASSERT_EQ(fetched->messages.size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i) {
    ASSERT_EQ(fetched->messages[i].payload, expected[i]) << i;
  }
  const RequestStats& s = reader.stats();
  const uint64_t after_head = s.gets;
  std::printf("one device of 10: %llu HEAD + %llu GET after it (%llu ranged), %llu data bytes "
              "of a %llu-byte body (%.1f%%), %llu bytes in all\n",
              static_cast<unsigned long long>(s.heads),
              static_cast<unsigned long long>(after_head),
              static_cast<unsigned long long>(fetched->requests),
              static_cast<unsigned long long>(fetched->bytes),
              static_cast<unsigned long long>(f.welding.body_bytes),
              100.0 * static_cast<double>(fetched->bytes) /
                  static_cast<double>(f.welding.body_bytes),
              static_cast<unsigned long long>(s.bytes));
  EXPECT_EQ(s.heads, 1u);
  EXPECT_LE(after_head, 3u);
  EXPECT_LT(fetched->bytes * 5, f.welding.body_bytes);
  EXPECT_LT(s.bytes * 5, f.welding.body_bytes);  // index included
}

TEST(ReaderIntegration, ListObjectsPicksOnlyObjectsOverlappingTheRange) {
  const ReaderFixture& f = ReaderFixture::Get();
  Reader reader(f.client);
  auto early = reader.ListObjects(f.bucket, "plant-1/",
                                  {.from_ms = kT1700, .to_ms = kT1700 + 30 * 60000});
  ASSERT_TRUE(early.ok()) << early.status().ToString();
  ASSERT_EQ(early->objects.size(), 1u);
  EXPECT_EQ(early->objects[0].key, f.small.key);
  EXPECT_EQ(early->objects[0].first_ms, f.small.times.front());
  EXPECT_EQ(early->objects[0].last_ms, f.small.times.back());
  EXPECT_EQ(early->objects[0].instance, "gw-1");
  EXPECT_EQ(early->objects[0].size, f.small.body_bytes);
  EXPECT_EQ(early->outside_range, 2u);
  EXPECT_EQ(early->index_objects, 2u);  // welding and corrupt companions, not batches
  ASSERT_EQ(early->unparsed.size(), 1u);
  EXPECT_EQ(early->unparsed[0].first, f.stray_key);

  // A range that starts inside the welding object's span still finds it.
  auto day = reader.ListObjects(f.bucket, "plant-1/2018/10/01/",
                                {.from_ms = f.welding.times[5000], .to_ms = kT1700 + 86400000});
  ASSERT_TRUE(day.ok()) << day.status().ToString();
  ASSERT_EQ(day->objects.size(), 1u);
  EXPECT_EQ(day->objects[0].key, f.welding.key);
  EXPECT_EQ(reader.stats().heads, 0u);
  EXPECT_EQ(reader.stats().gets, 0u);
}

TEST(ReaderIntegration, CorruptCompanionIndexIsAChecksumErrorNamingTheObject) {
  const ReaderFixture& f = ReaderFixture::Get();
  Reader reader(f.client);
  auto obj = reader.Open(f.bucket, f.corrupt.key);
  ASSERT_FALSE(obj.ok());
  EXPECT_EQ(obj.status().code(), StatusCode::kCorruption) << obj.status().ToString();
  const std::string m = obj.status().message();
  EXPECT_NE(m.find("checksum"), std::string::npos) << m;
  EXPECT_NE(m.find(f.bucket), std::string::npos) << m;
  EXPECT_NE(m.find(f.corrupt.key), std::string::npos) << m;
  EXPECT_NE(m.find(f.corrupt.index_key), std::string::npos) << m;
}

TEST(ReaderIntegration, MissingObjectIsNotFoundNamingBucketAndKey) {
  const ReaderFixture& f = ReaderFixture::Get();
  Reader reader(f.client);
  auto obj = reader.Open(f.bucket, "plant-1/nope.jsonl");
  ASSERT_FALSE(obj.ok());
  EXPECT_EQ(obj.status().code(), StatusCode::kNotFound) << obj.status().ToString();
  EXPECT_NE(obj.status().message().find("plant-1/nope.jsonl"), std::string::npos);
}

TEST(ReaderIntegration, VerifyBodyAcceptsAnIntactObject) {
  const ReaderFixture& f = ReaderFixture::Get();
  Reader reader(f.client);
  auto obj = reader.Open(f.bucket, f.welding.key);
  ASSERT_TRUE(obj.ok()) << obj.status().ToString();
  Status st = reader.VerifyBody(*obj);
  EXPECT_TRUE(st.ok()) << st.ToString();
}

}  // namespace
}  // namespace mqtt2s3
