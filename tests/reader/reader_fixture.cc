#include "reader_fixture.h"

#include <gtest/gtest.h>

#include <cstdio>

#include "format/object_writer.h"
#include "route/object_name.h"
#include "stack_env.h"

namespace mqtt2s3::testing {
namespace {

UploadedObject Upload(const s3::Client& client, const std::string& bucket,
                      const std::string& dir, size_t count, size_t devices, int64_t t0,
                      int64_t step_ms, uint64_t seq, bool flip_index_byte) {
  UploadedObject obj;
  char buf[256];
  for (size_t i = 0; i < count; ++i) {
    const size_t device = i % devices;
    const int64_t t = t0 + static_cast<int64_t>(i) * step_ms;
    std::snprintf(buf, sizeof(buf), "robot-%02zu/WELD/1/Timestamp", device);
    obj.index_keys.emplace_back(buf);
    std::snprintf(buf, sizeof(buf),
                  "{\"Timestamp\":%lld,\"device\":\"robot-%02zu\",\"seq\":%zu,"
                  "\"current_a\":%.1f,\"voltage_v\":%.2f,\"wire_mm_s\":%.1f}",
                  static_cast<long long>(t), device, i, 150.0 + (i * 7 % 600) / 10.0,
                  21.0 + (i * 13 % 400) / 100.0, 80.0 + (i % 40) / 10.0);
    obj.payloads.emplace_back(buf);
    obj.times.push_back(t);
  }
  std::vector<std::string> dedupe_ids;  // MessageRecord only views them
  for (size_t i = 0; i < count; ++i) dedupe_ids.push_back("gw-1:" + std::to_string(seq) + ":" +
                                                          std::to_string(i));
  std::vector<format::MessageRecord> records;
  for (size_t i = 0; i < count; ++i) {
    records.push_back({obj.payloads[i], "factory/weld/telemetry", obj.index_keys[i],
                       dedupe_ids[i], obj.times[i]});
  }
  format::FormatOptions options;
  options.cluster_key_components = 1;  // the device
  auto writer = format::ObjectWriter::Create(options);
  EXPECT_TRUE(writer.ok()) << writer.status().ToString();
  auto enc = writer->Encode(records);
  EXPECT_TRUE(enc.ok()) << enc.status().ToString();
  if (!enc.ok()) return obj;

  route::ObjectNameParts name{.first_ms = obj.times.front(), .last_ms = obj.times.back(),
                              .instance = "gw-1", .partition_seq = seq, .extension = "jsonl"};
  obj.key = dir + route::FormatObjectName(name);
  obj.body_bytes = enc->body.size();
  if (enc->index_object) {
    obj.index_key = options.IndexObjectKey(obj.key);
    std::string index = *enc->index_object;
    if (flip_index_byte) index[index.size() / 2] ^= 0x20;
    auto put = client.PutObject(bucket, obj.index_key, index);
    EXPECT_TRUE(put.ok()) << put.status().ToString();
  }
  s3::PutOptions put_options;
  put_options.metadata = enc->metadata;
  auto put = client.PutObject(bucket, obj.key, enc->body, put_options);
  EXPECT_TRUE(put.ok()) << put.status().ToString();
  return obj;
}

ReaderFixture Build() {
  const StackEnv& env = StackEnv::Get();
  ReaderFixture f;
  s3::ClientOptions o;
  o.endpoint = env.s3_endpoint;
  o.region = env.s3_region;
  o.access_key = env.s3_access_key;
  o.secret_key = env.s3_secret_key;
  auto client = s3::Client::Create(o);
  EXPECT_TRUE(client.ok()) << client.status().ToString();
  if (!client.ok()) return f;
  f.client = std::move(*client);
  f.bucket = UniqueName("reader");
  auto created = f.client->CreateBucket(f.bucket);
  EXPECT_TRUE(created.ok()) << created.status().ToString();

  f.small = Upload(*f.client, f.bucket, "plant-1/2018/10/01/17/", 5, 1, kT1700, 1000, 1, false);
  f.welding = Upload(*f.client, f.bucket, "plant-1/2018/10/01/18/", 10000, 10,
                     kT1700 + 3600000, 100, 2, false);
  f.corrupt = Upload(*f.client, f.bucket, "plant-1/2018/10/03/00/", 2000, 10,
                     kT1700 + 2 * 86400000 - 17 * 3600000, 100, 3, true);
  f.stray_key = "plant-1/README.txt";
  auto put = f.client->PutObject(f.bucket, f.stray_key, "not a batch");
  EXPECT_TRUE(put.ok()) << put.status().ToString();
  return f;
}

}  // namespace

const ReaderFixture& ReaderFixture::Get() {
  static const ReaderFixture fixture = Build();
  return fixture;
}

}  // namespace mqtt2s3::testing
