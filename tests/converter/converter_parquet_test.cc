// A Parquet route end to end on the dev stack (mosquitto + Ceph RGW): the converter uploads a
// Parquet object with the mqtt2s3 index, one message comes back with HEAD + at most one index
// GET + one ranged GET as its exact original bytes, typed columns with missing or wrong-typed
// fields are counted nulls (the messages are stored), and a payload that is not JSON on a
// JSON-typed Parquet route is dead-lettered instead of breaking readers.
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "converter_test_util.h"
#include "format/body_format.h"
#include "mqtt2s3/reader.h"
#include "route/dead_letter.h"
#include "stack_env.h"

namespace mqtt2s3::converter {
namespace {

using namespace testutil;
using testing::UniqueName;

TEST(ConverterParquetTest, ParquetObjectServesOneMessageInThreeRequestsWithExactBytes) {
  const std::string name = UniqueName("pq");
  ConverterOptions o = BaseOptions(name);
  o.session.subscriptions = {{name + "/#", mqtt::QoS::kAtLeastOnce}};
  route::RouteOptions r = MakeRoute(name + "/+/+", "{root}/{plant}/{device}", "{root}-{plant}",
                                    "{object_name}");
  r.index_key = "{device}";
  r.format = format::BodyFormat::kParquet;
  r.columns = {{"seq", "/seq", format::ColumnType::kInt64, "rfc3339"},
               {"voltage", "/weldspot/Voltage", format::ColumnType::kDouble, "rfc3339"},
               {"at", "/at", format::ColumnType::kTimestamp, "%Y%m%d %H%M%S"}};
  o.router.routes.push_back(r);
  o.batcher.default_policy.max_messages = 120;  // one object of 120 messages

  std::vector<PubMessage> msgs;
  std::map<std::string, std::string> by_seq;  // seq -> payload
  for (int i = 0; i < 120; ++i) {
    // Fields come and go: voltage on even messages only, sometimes as a string.
    std::string p = "{\"seq\":" + std::to_string(i);
    if (i % 2 == 0) p += ",\"weldspot\":{\"Voltage\":" + std::to_string(200 + i) + ".5}";
    if (i % 10 == 5) p += ",\"weldspot\":{\"Voltage\":\"n/a\"}";
    p += ",\"at\":\"20240102 0304" + std::to_string(10 + i % 50) + "\",\"pad\":\"\\u00e9\"}";
    msgs.push_back({name + "/p1/dev" + std::to_string(i % 4), p, ""});
    by_seq[std::to_string(i)] = p;
  }
  msgs.push_back({name + "/p1/dev9", "not json {", ""});

  std::shared_ptr<const s3::Client> client = MakeClient(o.s3);
  {
    RunningConverter rc(o);
    PahoPublish(msgs);
    ASSERT_TRUE(WaitFor([&] { return rc.conv().stats().messages_uploaded == 120; }, 30s))
        << "uploaded " << rc.conv().stats().messages_uploaded;
    ASSERT_TRUE(WaitFor([&] { return rc.conv().stats().dead_lettered == 1; }, 30s));
    ASSERT_TRUE(rc.Stop().ok());
    const ConverterStats s = rc.conv().stats();
    EXPECT_EQ(s.batches_uploaded, 1u);
    EXPECT_EQ(s.dead_letter_reasons[static_cast<size_t>(route::DeadLetterReason::kInvalidJson)],
              1u);
    ASSERT_EQ(s.parquet_nulls.size(), 3u);
    EXPECT_EQ(s.parquet_nulls[1].column, "voltage");
    EXPECT_EQ(s.parquet_nulls[1].nulls[0], 48u);  // odd messages but those with i % 10 == 5
    EXPECT_EQ(s.parquet_nulls[1].nulls[1], 12u);  // "n/a" (i % 10 == 5)
    EXPECT_EQ(s.parquet_nulls[0].nulls[0] + s.parquet_nulls[0].nulls[1], 0u);
    EXPECT_EQ(s.parquet_nulls[2].nulls[1], 0u);
  }

  Reader reader(client);
  auto listed = reader.ListObjects(name + "-p1", "");
  ASSERT_TRUE(listed.ok()) << listed.status().ToString();
  ASSERT_EQ(listed->objects.size(), 1u);
  const std::string key = listed->objects[0].key;
  EXPECT_TRUE(key.ends_with(".parquet")) << key;

  reader.ResetStats();
  auto obj = reader.Open(name + "-p1", key);
  ASSERT_TRUE(obj.ok()) << obj.status().ToString();
  EXPECT_EQ(obj->info().body_format, format::BodyFormat::kParquet);
  EXPECT_EQ(obj->info().message_count, 120u);
  Selector dev2;
  dev2.exact_key = "dev2";
  const std::vector<uint32_t> entries = Reader::Select(*obj, dev2);
  ASSERT_EQ(entries.size(), 30u);
  const uint32_t one[] = {entries[7]};
  auto fetched = reader.Fetch(*obj, one);
  ASSERT_TRUE(fetched.ok()) << fetched.status().ToString();
  ASSERT_EQ(fetched->messages.size(), 1u);
  const std::string& payload = fetched->messages[0].payload;
  const std::string seq = payload.substr(7, payload.find_first_of(",}") - 7);
  EXPECT_EQ(payload, by_seq.at(seq)) << "exact original bytes";
  EXPECT_EQ(std::stoi(seq) % 4, 2);
  const RequestStats st = reader.stats();
  EXPECT_LE(st.heads + st.gets, 3u) << "HEAD + index GET + one ranged GET at most";
  EXPECT_EQ(fetched->requests, 1u);

  // The whole device, too, in one ranged GET, and the body checks against its sha256.
  auto all = reader.Fetch(*obj, entries);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->requests, 1u);
  for (const Message& m : all->messages) {
    const std::string s = m.payload.substr(7, m.payload.find_first_of(",}") - 7);
    EXPECT_EQ(m.payload, by_seq.at(s));
  }
  EXPECT_TRUE(reader.VerifyBody(*obj).ok());
  auto bodies = ReadBucket(*client, name + "-p1");
  ASSERT_EQ(bodies.count(key), 1u);
  EXPECT_EQ(bodies[key].substr(0, 4), "PAR1");
  EXPECT_EQ(bodies[key].substr(bodies[key].size() - 4), "PAR1");
}

}  // namespace
}  // namespace mqtt2s3::converter
