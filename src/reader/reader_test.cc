// Reader request-count logic against an in-memory S3 behind the HttpTransport seam.
#include "mqtt2s3/reader.h"

#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <mutex>

#include "format/format_options.h"
#include "format/object_writer.h"

namespace mqtt2s3 {
namespace {

// Serves HEAD and (ranged) GET of objects stored under "http://fake/bucket/<key>"; counts
// requests. Thread-safe (one mutex), as HttpTransport requires.
class FakeObjects : public s3::HttpTransport {
 public:
  struct Object {
    std::string body;
    format::Metadata metadata;
  };
  std::map<std::string, Object> objects;  // by URL path after "/bucket/"
  int heads = 0, gets = 0;
  size_t short_ranges_by = 0;  // answer ranged GETs with this many bytes too few

  s3::HttpResult Send(const s3::HttpRequest& req) override {
    std::lock_guard lock(mu_);
    const std::string prefix = "http://fake/bucket/";
    std::string path = req.url.substr(prefix.size());
    path = path.substr(0, path.find('?'));
    auto it = objects.find(path);
    if (it == objects.end()) return s3::HttpResponse{404, {}, "<Error><Code>NoSuchKey</Code></Error>"};
    const Object& o = it->second;
    s3::HttpResponse res;
    res.status = 200;
    res.headers.emplace_back("etag", "\"e\"");
    for (const auto& [n, v] : o.metadata) res.headers.emplace_back("x-amz-meta-" + n, v);
    if (req.method == "HEAD") {
      ++heads;
      res.headers.emplace_back("content-length", std::to_string(o.body.size()));
      return res;
    }
    ++gets;
    for (const auto& [n, v] : req.headers) {
      if (n == "Range" || n == "range") {  // "bytes=a-b"
        uint64_t a = std::stoull(v.substr(6));
        uint64_t b = std::stoull(v.substr(v.find('-') + 1));
        res.status = 206;
        res.body = o.body.substr(a, b - a + 1 - short_ranges_by);
        res.headers.emplace_back("content-range", "bytes " + std::to_string(a) + "-" +
                                                      std::to_string(b) + "/" +
                                                      std::to_string(o.body.size()));
        res.headers.emplace_back("content-length", std::to_string(res.body.size()));
        return res;
      }
    }
    res.body = o.body;
    res.headers.emplace_back("content-length", std::to_string(res.body.size()));
    return res;
  }

 private:
  std::mutex mu_;
};

struct Fixture {
  FakeObjects* fake = nullptr;
  std::shared_ptr<const s3::Client> client;
};

Fixture MakeClient() {
  auto transport = std::make_unique<FakeObjects>();
  Fixture f;
  f.fake = transport.get();
  s3::ClientOptions o;
  o.endpoint = "http://fake";
  o.access_key = "AK";
  o.secret_key = "SK";
  auto c = s3::Client::CreateWithTransport(o, std::move(transport));
  EXPECT_TRUE(c.ok()) << c.status().ToString();
  f.client = std::move(*c);
  return f;
}

// Stores `n` messages of `devices` devices under "obj" as the converter would.
void Store(FakeObjects* fake, size_t n, size_t devices, bool force_companion,
           const std::string& key = "obj", size_t first = 0) {
  std::vector<std::string> payloads, keys;
  for (size_t i = 0; i < n; ++i) {
    payloads.push_back("{\"i\":" + std::to_string(first + i) + "}");
    keys.push_back("robot-" + std::to_string(i % devices) + "/WELD/1/Timestamp");
  }
  std::vector<format::MessageRecord> records;
  for (size_t i = 0; i < n; ++i) {
    records.push_back({payloads[i], "t", keys[i], "", static_cast<int64_t>(1000 + first + i)});
  }
  format::FormatOptions options;
  options.cluster_key_components = 1;
  auto writer = format::ObjectWriter::Create(options);
  ASSERT_TRUE(writer.ok());
  auto enc = writer->Encode(records);
  ASSERT_TRUE(enc.ok()) << enc.status().ToString();
  ASSERT_EQ(enc->index_object.has_value(), force_companion);
  if (enc->index_object) fake->objects[options.IndexObjectKey(key)] = {*enc->index_object, {}};
  fake->objects[key] = {enc->body, enc->metadata};
}

TEST(Reader, InlineIndexCostsOneHeadAndOneRangedGet) {
  Fixture f = MakeClient();
  Store(f.fake, 5, 1, /*force_companion=*/false);
  Reader reader(f.client);
  auto obj = reader.Open("bucket", "obj");
  ASSERT_TRUE(obj.ok()) << obj.status().ToString();
  EXPECT_TRUE(obj->index_inline);
  Selector selector;
  selector.exact_key = "robot-0/WELD/1/Timestamp";
  selector.time = {.from_ms = 1002, .to_ms = 1003};
  auto entries = Reader::Select(*obj, selector);
  ASSERT_EQ(entries.size(), 1u);
  auto fetched = reader.Fetch(*obj, entries);
  ASSERT_TRUE(fetched.ok()) << fetched.status().ToString();
  ASSERT_EQ(fetched->messages.size(), 1u);
  EXPECT_EQ(fetched->messages[0].payload, "{\"i\":2}");
  EXPECT_EQ(reader.stats().heads, 1u);
  EXPECT_EQ(reader.stats().gets, 1u);
  EXPECT_EQ(f.fake->heads + f.fake->gets, 2);
}

TEST(Reader, CompanionIndexCostsOneMoreGetAndOneDeviceIsOneRange) {
  Fixture f = MakeClient();
  Store(f.fake, 2000, 10, /*force_companion=*/true);
  ReaderOptions options;
  options.max_gap_bytes = 0;
  Reader reader(f.client, options);
  auto obj = reader.Open("bucket", "obj");
  ASSERT_TRUE(obj.ok()) << obj.status().ToString();
  EXPECT_FALSE(obj->index_inline);
  EXPECT_EQ(obj->index_key, "obj.idx");
  Selector selector;
  selector.component = "robot-7";
  auto entries = Reader::Select(*obj, selector);
  ASSERT_EQ(entries.size(), 200u);
  auto fetched = reader.Fetch(*obj, entries);
  ASSERT_TRUE(fetched.ok()) << fetched.status().ToString();
  EXPECT_EQ(fetched->requests, 1u);
  EXPECT_LT(fetched->bytes * 5, obj->object_size);
  EXPECT_EQ(fetched->messages.front().payload, "{\"i\":7}");
  EXPECT_EQ(reader.stats().heads, 1u);
  EXPECT_EQ(reader.stats().gets, 2u);
}

TEST(Reader, CorruptCompanionIndexIsACorruptionNamingBucketAndKey) {
  Fixture f = MakeClient();
  Store(f.fake, 2000, 10, /*force_companion=*/true);
  f.fake->objects["obj.idx"].body[10] ^= 0x01;
  Reader reader(f.client);
  auto obj = reader.Open("bucket", "obj");
  ASSERT_FALSE(obj.ok());
  EXPECT_EQ(obj.status().code(), StatusCode::kCorruption) << obj.status().ToString();
  EXPECT_NE(obj.status().message().find("bucket 'bucket' key 'obj'"), std::string::npos)
      << obj.status().message();
}

TEST(Reader, ShortRangedAnswerIsCorruptionNotAWrongPayload) {
  Fixture f = MakeClient();
  Store(f.fake, 5, 1, /*force_companion=*/false);
  f.fake->short_ranges_by = 1;
  Reader reader(f.client);
  auto obj = reader.Open("bucket", "obj");
  ASSERT_TRUE(obj.ok()) << obj.status().ToString();
  auto fetched = reader.Fetch(*obj, Reader::Select(*obj, {}));
  ASSERT_FALSE(fetched.ok());
  EXPECT_EQ(fetched.status().code(), StatusCode::kCorruption) << fetched.status().ToString();
  EXPECT_NE(fetched.status().message().find("key 'obj'"), std::string::npos);
}

TEST(Reader, SelectCombinesComponentPrefixAndTimeFilters) {
  Fixture f = MakeClient();
  Store(f.fake, 100, 4, /*force_companion=*/false);
  Reader reader(f.client);
  auto obj = reader.Open("bucket", "obj");
  ASSERT_TRUE(obj.ok()) << obj.status().ToString();
  Selector s;
  s.component = "robot-1";
  EXPECT_EQ(Reader::Select(*obj, s).size(), 25u);
  s.time = {.from_ms = 1000, .to_ms = 1040};  // i < 40
  EXPECT_EQ(Reader::Select(*obj, s).size(), 10u);
  s.key_prefix = "robot-2";
  EXPECT_TRUE(Reader::Select(*obj, s).empty());
  Selector third;
  third.component = "WELD";
  third.component_index = 1;
  EXPECT_EQ(Reader::Select(*obj, third).size(), 100u);
  third.component_index = 9;  // keys have fewer components
  EXPECT_TRUE(Reader::Select(*obj, third).empty());
  EXPECT_EQ(reader.stats().gets, 0u);  // selection is index-only
}

TEST(Reader, DedupeDropsIdsAlreadyReturnedAcrossFetches) {
  Fixture f = MakeClient();
  std::vector<format::MessageRecord> records = {{"a", "t", "k", "id-1", 1},
                                                {"b", "t", "k", "id-2", 2},
                                                {"c", "t", "k", "", 3}};
  auto writer = format::ObjectWriter::Create({});
  ASSERT_TRUE(writer.ok());
  auto enc = writer->Encode(records);
  ASSERT_TRUE(enc.ok());
  f.fake->objects["obj"] = {enc->body, enc->metadata};
  ReaderOptions options;
  options.dedupe = true;
  Reader reader(f.client, options);
  auto obj = reader.Open("bucket", "obj");
  ASSERT_TRUE(obj.ok()) << obj.status().ToString();
  auto all = Reader::Select(*obj, {});
  auto first = reader.Fetch(*obj, all);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->messages.size(), 3u);
  auto second = reader.Fetch(*obj, all);
  ASSERT_TRUE(second.ok());
  ASSERT_EQ(second->messages.size(), 1u);  // only the message without an id
  EXPECT_EQ(second->messages[0].payload, "c");
  EXPECT_EQ(second->duplicates_dropped, 2u);
}

std::vector<std::string> Payloads(const QueryResult& r) {
  std::vector<std::string> out;
  for (const Message& m : r.messages) out.push_back(m.payload);
  return out;
}

// Issue 16: a device of an object with a group directory costs HEAD + one ranged GET, objects
// are read in parallel, and the result is the index path's, in key order.
TEST(ReaderQuery, ADeviceIsOneHeadAndOneRangedGetPerObjectThroughTheDirectory) {
  Fixture f = MakeClient();
  std::vector<std::string> keys;
  for (size_t k = 0; k < 6; ++k) {
    keys.push_back("obj-" + std::to_string(k));
    Store(f.fake, 2000, 10, /*force_companion=*/true, keys.back(), k * 2000);
  }
  Reader reader(f.client);
  QueryOptions q;
  q.bucket = "bucket";
  q.keys = keys;
  q.selector.component = "robot-7";
  q.concurrency = 4;
  auto by_dir = reader.Query(q);
  ASSERT_TRUE(by_dir.ok()) << by_dir.status().ToString();
  EXPECT_EQ(by_dir->objects, 6u);
  EXPECT_EQ(by_dir->objects_by_directory, 6u);
  EXPECT_EQ(f.fake->heads, 6);
  EXPECT_EQ(f.fake->gets, 6);
  EXPECT_EQ(by_dir->requests.heads, 6u);
  EXPECT_EQ(by_dir->requests.gets, 6u);
  ASSERT_EQ(by_dir->messages.size(), 1200u);
  EXPECT_EQ(by_dir->messages.front().index_key, "robot-7");
  EXPECT_EQ(by_dir->messages.front().event_time_ms, kUnknownEventTime);

  q.use_directory = false;
  q.concurrency = 1;
  auto by_index = reader.Query(q);
  ASSERT_TRUE(by_index.ok()) << by_index.status().ToString();
  EXPECT_EQ(by_index->objects_by_directory, 0u);
  EXPECT_EQ(by_index->requests.gets, 12u);  // index + range per object
  EXPECT_EQ(Payloads(*by_dir), Payloads(*by_index));
  EXPECT_EQ(by_index->messages.front().payload, "{\"i\":7}");
  EXPECT_EQ(by_index->messages.back().payload, "{\"i\":11997}");
  EXPECT_EQ(reader.stats().heads, 12u);
}

// The payload names its own time (here {"i":N} was stamped 1000 + N): the directory path
// gives each message the index's time; a payload whose time is missing or is not the index's
// (outside its group's range) sends that object to the index.
TEST(ReaderQuery, PayloadEventTimesOnTheDirectoryPathOrTheIndexWhenTheyDisagree) {
  Fixture f = MakeClient();
  std::vector<std::string> keys = {"obj-0", "obj-1", "obj-2"};
  for (size_t k = 0; k < keys.size(); ++k) {
    Store(f.fake, 2000, 10, /*force_companion=*/true, keys[k], k * 2000);
  }
  Reader reader(f.client);
  QueryOptions q;
  q.bucket = "bucket";
  q.keys = keys;
  q.selector.component = "robot-7";
  q.use_directory = false;
  auto by_index = reader.Query(q);
  ASSERT_TRUE(by_index.ok()) << by_index.status().ToString();

  std::atomic<int> factories{0};
  int64_t skew = 0;     // added to every time read
  int64_t missing = -1;  // the payload {"i":missing} has no time
  q.use_directory = true;
  q.payload_event_time = [&]() -> QueryOptions::PayloadEventTime {
    ++factories;
    return [&](std::string_view payload) -> std::optional<int64_t> {
      const int64_t i = std::stoll(std::string(payload.substr(5)));
      if (i == missing) return std::nullopt;
      return 1000 + i + skew;
    };
  };
  auto by_dir = reader.Query(q);
  ASSERT_TRUE(by_dir.ok()) << by_dir.status().ToString();
  EXPECT_EQ(by_dir->objects_by_directory, 3u);
  EXPECT_EQ(factories.load(), 3);
  ASSERT_EQ(by_dir->messages.size(), by_index->messages.size());
  for (size_t i = 0; i < by_dir->messages.size(); ++i) {
    EXPECT_EQ(by_dir->messages[i].payload, by_index->messages[i].payload);
    EXPECT_EQ(by_dir->messages[i].event_time_ms, by_index->messages[i].event_time_ms) << i;
  }

  missing = 2007;  // robot-7 of obj-1: that object alone is read through its index
  auto one_missing = reader.Query(q);
  ASSERT_TRUE(one_missing.ok());
  EXPECT_EQ(one_missing->objects_by_directory, 2u);
  EXPECT_EQ(Payloads(*one_missing), Payloads(*by_index));
  EXPECT_EQ(one_missing->messages[200].event_time_ms, by_index->messages[200].event_time_ms);

  missing = -1;
  skew = 1;  // the last message of each group lands past its group's range
  auto skewed = reader.Query(q);
  ASSERT_TRUE(skewed.ok());
  EXPECT_EQ(skewed->objects_by_directory, 0u);
  for (size_t i = 0; i < skewed->messages.size(); ++i) {
    EXPECT_EQ(skewed->messages[i].event_time_ms, by_index->messages[i].event_time_ms) << i;
  }
}

// 300 devices do not fit the metadata: the device's group comes from one bucket of the
// companion index (FORMAT.md 3.4), so an object costs HEAD + a <= 4 KiB index GET + one range.
TEST(ReaderQuery, ManyDevicesCostThreeRequestsPerObjectThroughTheIndexBuckets) {
  Fixture f = MakeClient();
  std::vector<std::string> keys;
  for (size_t k = 0; k < 4; ++k) {
    keys.push_back("obj-" + std::to_string(k));
    Store(f.fake, 3000, 300, /*force_companion=*/true, keys.back(), k * 3000);
    ASSERT_FALSE(f.fake->objects[keys.back()].metadata.contains("mqtt2s3-groups-parts"));
    ASSERT_TRUE(f.fake->objects[keys.back()].metadata.contains("mqtt2s3-group-buckets"));
  }
  Reader reader(f.client);
  QueryOptions q;
  q.bucket = "bucket";
  q.keys = keys;
  q.selector.component = "robot-7";
  auto by_buckets = reader.Query(q);
  ASSERT_TRUE(by_buckets.ok()) << by_buckets.status().ToString();
  EXPECT_EQ(by_buckets->objects_by_directory, 4u);
  EXPECT_EQ(f.fake->heads, 4);
  EXPECT_EQ(f.fake->gets, 8);
  ASSERT_EQ(by_buckets->messages.size(), 40u);
  size_t device_bytes = 0;
  for (const Message& m : by_buckets->messages) device_bytes += m.payload.size() + 1;
  EXPECT_LE(by_buckets->requests.bytes, device_bytes + 4 * 4096);

  // The same through the whole index: the same payloads, each index several times larger.
  q.use_directory = false;
  auto by_index = reader.Query(q);
  ASSERT_TRUE(by_index.ok()) << by_index.status().ToString();
  EXPECT_EQ(by_index->objects_by_directory, 0u);
  EXPECT_EQ(Payloads(*by_buckets), Payloads(*by_index));
  EXPECT_GT(by_index->requests.bytes, by_buckets->requests.bytes * 3);

  // A device the objects do not hold: HEAD + the bucket GET, nothing else.
  q.use_directory = true;
  q.selector.component = "robot-9999";
  const int gets_before = f.fake->gets;
  auto none = reader.Query(q);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->messages.empty());
  EXPECT_EQ(f.fake->gets - gets_before, 4);
  // An exact index key is not its own cluster key here (the cluster key is one component):
  // the index answers.
  q.selector.component.clear();
  q.selector.exact_key = "robot-7/WELD/1/Timestamp";
  auto exact = reader.Query(q);
  ASSERT_TRUE(exact.ok());
  EXPECT_EQ(exact->objects_by_directory, 0u);
  EXPECT_EQ(exact->messages.size(), 40u);
}

TEST(ReaderQuery, AWindowCuttingThroughAGroupUsesTheIndex) {
  Fixture f = MakeClient();
  Store(f.fake, 2000, 10, /*force_companion=*/true, "obj");
  Reader reader(f.client);
  QueryOptions q;
  q.bucket = "bucket";
  q.keys = {"obj"};
  q.selector.component = "robot-3";
  q.selector.time = {.from_ms = 1500, .to_ms = 2000};
  auto r = reader.Query(q);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->objects_by_directory, 0u);
  ASSERT_EQ(r->messages.size(), 50u);
  EXPECT_EQ(r->messages.front().event_time_ms, 1503);
  // A window holding the whole object: the directory answers.
  q.selector.time = {.from_ms = 0, .to_ms = 100000};
  r = reader.Query(q);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->objects_by_directory, 1u);
  EXPECT_EQ(r->messages.size(), 200u);
}

TEST(ReaderQuery, DedupeDropsRepeatsAcrossObjectsInKeyOrder) {
  Fixture f = MakeClient();
  Store(f.fake, 2000, 10, /*force_companion=*/true, "a");
  Store(f.fake, 2000, 10, /*force_companion=*/true, "b");  // the same messages again
  ReaderOptions options;
  options.dedupe = true;
  Reader reader(f.client, options);
  QueryOptions q;
  q.bucket = "bucket";
  q.keys = {"a", "b"};
  q.selector.component = "robot-1";
  auto r = reader.Query(q);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->messages.size(), 200u);
  EXPECT_EQ(r->duplicates_dropped, 200u);
}

TEST(ReaderQuery, AMissingObjectFailsTheQueryNamingIt) {
  Fixture f = MakeClient();
  Store(f.fake, 2000, 10, /*force_companion=*/true, "a");
  Reader reader(f.client);
  QueryOptions q;
  q.bucket = "bucket";
  q.keys = {"a", "gone"};
  auto r = reader.Query(q);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("gone"), std::string::npos) << r.status().ToString();
}

}  // namespace
}  // namespace mqtt2s3
