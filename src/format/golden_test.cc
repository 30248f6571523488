// Golden objects under src/format/testdata/: the C++ writer must reproduce them byte for byte
// (a format change shows up here first), and python/tests/test_format.py decodes them with the
// standard library only, which proves docs/FORMAT.md is implementable outside C++.
// Regenerate after an intended change: M2S_UPDATE_GOLDEN=1 format_golden_test.
// The bytes depend on zlib's deflate output, stable for one zlib version (Debian 12: 1.2.13).
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "format/encoding.h"
#include "format/object_index.h"
#include "format/object_writer.h"
#include "format/test_messages.h"

namespace mqtt2s3::format {
namespace {

std::string JsonString(std::string_view s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(static_cast<char>(c));
    } else if (c < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof(buf), "\\u%04x", c);
      out += buf;
    } else {
      out.push_back(static_cast<char>(c));
    }
  }
  return out + "\"";
}

std::string MetadataJson(const Metadata& m) {
  std::string out = "{\n";
  size_t i = 0;
  for (const auto& [name, value] : m) {
    out += "  " + JsonString(name) + ": " + JsonString(value) + (++i < m.size() ? ",\n" : "\n");
  }
  return out + "}\n";
}

// What a correct decoder must find: every entry in body order, and the groups.
std::string ExpectedJson(const ObjectIndex& index, std::string_view body,
                         std::string_view data_key) {
  std::ostringstream out;
  out << "{\n  \"data_key\": " << JsonString(data_key) << ",\n  \"index_object_key\": "
      << (index.info().index_inline ? "null" : JsonString(index.info().IndexObjectKey(data_key)))
      << ",\n  \"entries\": [\n";
  for (size_t i = 0; i < index.size(); ++i) {
    const IndexEntry e = index.entry(i);
    out << "    {\"offset\": " << e.offset << ", \"length\": " << e.length
        << ", \"event_time_ms\": " << e.event_time_ms << ", \"arrival\": " << e.arrival
        << ", \"topic\": " << JsonString(e.topic) << ", \"index_key\": " << JsonString(e.index_key)
        << ", \"dedupe_id\": " << JsonString(e.dedupe_id)
        << ", \"payload\": " << JsonString(body.substr(e.offset, e.length)) << "}"
        << (i + 1 < index.size() ? ",\n" : "\n");
  }
  out << "  ],\n  \"groups\": [\n";
  const auto& groups = index.Groups();
  for (size_t g = 0; g < groups.size(); ++g) {
    out << "    {\"key\": " << JsonString(groups[g].key)
        << ", \"first_entry\": " << groups[g].first_entry
        << ", \"entry_count\": " << groups[g].entry_count
        << ", \"offset\": " << groups[g].range.offset << ", \"length\": " << groups[g].range.length
        << "}" << (g + 1 < groups.size() ? ",\n" : "\n");
  }
  out << "  ]\n}\n";
  return out.str();
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

void CheckGolden(const std::string& name, const std::string& bytes) {
  const std::string path = std::string(M2S_FORMAT_TESTDATA) + "/" + name;
  const char* update = std::getenv("M2S_UPDATE_GOLDEN");
  if (update != nullptr && std::string(update) == "1") {
    std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
    return;
  }
  const std::string golden = ReadFile(path);
  EXPECT_EQ(golden.size(), bytes.size()) << path;
  EXPECT_TRUE(golden == bytes) << path << " differs; if the change is intended, rerun with "
                               << "M2S_UPDATE_GOLDEN=1 and update docs/FORMAT.md";
}

struct GoldenCase {
  std::string name;
  FormatOptions options;
  testing::MessageSet messages;
};

testing::MessageSet Example3() {
  testing::MessageSet s;
  auto add = [&](std::string topic, std::string key, std::string id, int64_t t, std::string p) {
    s.topics.push_back(std::move(topic));
    s.keys.push_back(std::move(key));
    s.dedupe_ids.push_back(std::move(id));
    s.times.push_back(t);
    s.payloads.push_back(std::move(p));
  };
  add("plant/line-1/robot-02/telemetry", "line-1/robot-02", "r02-1", 1763776800000,
      R"({"ts":1763776800000,"current_a":182.5})");
  add("plant/line-1/robot-01/telemetry", "line-1/robot-01", "r01-1", 1763776800004,
      R"({"ts":1763776800004,"current_a":176.0})");
  add("plant/line-1/robot-02/telemetry", "line-1/robot-02", "r02-2", 1763776800010,
      R"({"ts":1763776800010,"current_a":183.1})");
  return s;
}

std::vector<GoldenCase> Cases() {
  std::vector<GoldenCase> cases;
  GoldenCase example{"example3", {}, Example3()};
  cases.push_back(example);

  GoldenCase companion{"companion", {}, testing::WeldingMessages(120, 4)};
  companion.options.metadata_budget_bytes = 1024;
  companion.options.cluster_key_components = 1;  // one group per production line
  companion.messages.payloads[7] = "{\"note\":\"Schwei\xc3\x9fnaht \\\"A\\\"\"}";
  cases.push_back(companion);

  // 60 devices: the directory does not fit the metadata, so it is in index buckets (3.4).
  GoldenCase buckets{"buckets", {}, testing::WeldingMessages(120, 60)};
  cases.push_back(buckets);

  GoldenCase plain{"plain", {}, testing::WeldingMessages(4, 2)};
  plain.options.clustering = false;
  plain.options.separator = "";
  for (auto& id : plain.messages.dedupe_ids) id.clear();
  cases.push_back(plain);
  return cases;
}

TEST(GoldenTest, WriterReproducesTheGoldenObjectsAndTheirIndexesDecode) {
  for (const GoldenCase& c : Cases()) {
    SCOPED_TRACE(c.name);
    auto obj = ObjectWriter::Create(c.options)->Encode(c.messages.records());
    ASSERT_TRUE(obj.ok()) << obj.status().ToString();
    const std::string data_key = "plant/2025/11/22/" + c.name + ".jsonl";
    ObjectIndex index = [&] {
      auto located = ObjectIndex::FromMetadata(obj->metadata, data_key);
      EXPECT_TRUE(located.ok());
      if (auto* inline_index = std::get_if<ObjectIndex>(&*located)) return *inline_index;
      return *ObjectIndex::FromIndexObject(obj->metadata, *obj->index_object);
    }();
    CheckGolden(c.name + ".body", obj->body);
    CheckGolden(c.name + ".meta.json", MetadataJson(obj->metadata));
    CheckGolden(c.name + ".expected.json", ExpectedJson(index, obj->body, data_key));
    if (obj->index_object) CheckGolden(c.name + ".idx", *obj->index_object);
    std::string index_bytes = obj->index_object ? *obj->index_object : [&] {
      std::string b64;
      for (size_t p = 0; obj->metadata.count("mqtt2s3-index-" + std::to_string(p)); ++p) {
        b64 += obj->metadata.at("mqtt2s3-index-" + std::to_string(p));
      }
      return *Base64Decode(b64);
    }();
    CheckGolden(c.name + ".rawindex", *ZlibDecompress(index_bytes, 1 << 20));
  }
}

}  // namespace
}  // namespace mqtt2s3::format
