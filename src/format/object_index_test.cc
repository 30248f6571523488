#include "format/object_index.h"

#include <gtest/gtest.h>

#include <cstring>
#include <optional>
#include <random>

#include "format/encoding.h"
#include "format/index_format.h"
#include "format/test_messages.h"

namespace mqtt2s3::format {
namespace {

using testing::WeldingMessages;

EncodedObject Encode(size_t count, size_t devices, FormatOptions options = {}) {
  const auto set = WeldingMessages(count, devices);
  auto obj = ObjectWriter::Create(options)->Encode(set.records());
  EXPECT_TRUE(obj.ok()) << obj.status().ToString();
  return std::move(*obj);
}

// Forces the companion-index layout so tests can edit the index bytes directly.
EncodedObject EncodeWithIndexObject(size_t count, size_t devices) {
  FormatOptions options;
  options.metadata_budget_bytes = 1024;
  EncodedObject obj = Encode(count, devices, options);
  EXPECT_TRUE(obj.index_object.has_value());
  return obj;
}

// Rewrites the companion index as `raw` (uncompressed) and fixes the metadata checksum, the way
// LevelDB's log_test fixes CRCs to reach the structural checks behind them.
void ReplaceIndex(EncodedObject& obj, const std::string& raw) {
  obj.index_object = *ZlibCompress(raw, 6);
  obj.metadata[std::string(kMetaIndexSha256)] = Sha256Hex(*obj.index_object);
  obj.metadata[std::string(kMetaIndexSize)] = std::to_string(obj.index_object->size());
}

std::string RawIndex(const EncodedObject& obj) {
  return *ZlibDecompress(*obj.index_object, kMaxRawIndexBytes);
}

// The payload of section `tag` in a raw index, and the raw index with that payload replaced
// (or the section removed when `payload` is nullopt).
std::string_view SectionOf(std::string_view raw, std::string_view tag) {
  for (size_t pos = kIndexHeaderBytes; pos + kSectionHeaderBytes <= raw.size();) {
    uint32_t len;
    std::memcpy(&len, raw.data() + pos + 4, 4);
    if (raw.substr(pos, 4) == tag) return raw.substr(pos + kSectionHeaderBytes, len);
    pos += kSectionHeaderBytes + len;
  }
  ADD_FAILURE() << "no section " << tag;
  return {};
}
std::string WithSection(const std::string& raw, std::string_view tag,
                        std::optional<std::string> payload) {
  const std::string_view old = SectionOf(raw, tag);
  const size_t at = static_cast<size_t>(old.data() - raw.data()) - kSectionHeaderBytes;
  std::string out = raw.substr(0, at);
  if (payload) {
    const auto len = static_cast<uint32_t>(payload->size());
    out.append(tag).append(reinterpret_cast<const char*>(&len), 4).append(*payload);
  }
  out.append(raw.substr(at + kSectionHeaderBytes + old.size()));
  return out;
}
template <typename T>
void Poke(std::string& bytes, size_t at, T value) {
  std::memcpy(bytes.data() + at, &value, sizeof(T));
}
template <typename T>
T Peek(std::string_view bytes, size_t at) {
  T value;
  std::memcpy(&value, bytes.data() + at, sizeof(T));
  return value;
}

TEST(ObjectIndexTest, MetadataPointsToTheCompanionObjectWithSizeAndChecksum) {
  const EncodedObject obj = EncodeWithIndexObject(100, 5);
  auto located = ObjectIndex::FromMetadata(obj.metadata, "bucket-key/2025/obj-1.jsonl");
  ASSERT_TRUE(located.ok()) << located.status().ToString();
  const auto* need = std::get_if<NeedIndexObject>(&*located);
  ASSERT_NE(need, nullptr);
  EXPECT_EQ(need->key, "bucket-key/2025/obj-1.jsonl.idx");
  EXPECT_EQ(need->size, obj.index_object->size());
  EXPECT_EQ(need->sha256, Sha256Hex(*obj.index_object));
}

TEST(ObjectIndexTest, IndexPrefixAndSuffixComposeTheCompanionKey) {
  FormatOptions options;
  options.metadata_budget_bytes = 1024;
  options.index_object_prefix = "_index/ä ";
  options.index_object_suffix = "";
  const EncodedObject obj = Encode(100, 5, options);
  auto located = ObjectIndex::FromMetadata(obj.metadata, "a/b");
  ASSERT_TRUE(located.ok());
  EXPECT_EQ(std::get<NeedIndexObject>(*located).key, "_index/ä a/b");
}

TEST(ObjectIndexTest, AFlippedIndexByteIsAChecksumMismatch) {
  const EncodedObject obj = EncodeWithIndexObject(100, 5);
  std::string bytes = *obj.index_object;
  bytes[bytes.size() / 2] ^= 0x01;
  auto index = ObjectIndex::FromIndexObject(obj.metadata, bytes);
  ASSERT_EQ(index.status().code(), StatusCode::kCorruption);
  EXPECT_NE(index.status().message().find("index checksum mismatch: metadata says " +
                                          Sha256Hex(*obj.index_object) + ", index object has " +
                                          Sha256Hex(bytes)),
            std::string::npos)
      << index.status().ToString();
}

TEST(ObjectIndexTest, AFlippedInlineIndexByteIsAChecksumMismatch) {
  EncodedObject obj = Encode(5, 2);
  std::string& part = obj.metadata.at("mqtt2s3-index-0");
  part[10] = part[10] == 'A' ? 'B' : 'A';
  auto located = ObjectIndex::FromMetadata(obj.metadata, "k");
  ASSERT_EQ(located.status().code(), StatusCode::kCorruption);
  EXPECT_NE(located.status().message().find("index checksum mismatch"), std::string::npos);
}

TEST(ObjectIndexTest, ATruncatedIndexObjectIsASizeMismatch) {
  const EncodedObject obj = EncodeWithIndexObject(100, 5);
  auto index = ObjectIndex::FromIndexObject(obj.metadata, obj.index_object->substr(1));
  ASSERT_EQ(index.status().code(), StatusCode::kCorruption);
  EXPECT_NE(index.status().message().find("index size mismatch"), std::string::npos);
}

TEST(ObjectIndexTest, StructuralDamageBehindAValidChecksumIsReported) {
  const EncodedObject base = EncodeWithIndexObject(50, 5);
  const std::string raw = RawIndex(base);
  struct Case {
    std::string name;
    std::string raw;
    std::string expect;
  } cases[] = {
      {"magic", "X" + raw.substr(1), "magic"},
      {"count",
       [&] {
         std::string r = raw;
         r[8] = 49;
         return r;
       }(),
       "49 entries, metadata says 50"},
      {"truncated", raw.substr(0, raw.size() - 3), "GRPS"},
      {"header only", raw.substr(0, kIndexHeaderBytes), "lacks the STRS section"},
      {"short", raw.substr(0, 7), "shorter than its header"},
  };
  for (const Case& c : cases) {
    EncodedObject obj = base;
    ReplaceIndex(obj, c.raw);
    auto index = ObjectIndex::FromIndexObject(obj.metadata, *obj.index_object);
    EXPECT_EQ(index.status().code(), StatusCode::kCorruption) << c.name;
    EXPECT_NE(index.status().message().find(c.expect), std::string::npos)
        << c.name << ": " << index.status().ToString();
  }
}

TEST(ObjectIndexTest, ValidityRulesOfTheSpecAreEnforced) {
  // docs/FORMAT.md 2.1 "Validity": each edit breaks exactly one rule.
  const EncodedObject base = EncodeWithIndexObject(50, 5);  // 5 groups of 10 entries
  const std::string raw = RawIndex(base);
  const std::string seqn(SectionOf(raw, kTagArrival));
  const std::string offs(SectionOf(raw, kTagOffsets));
  const std::string grps(SectionOf(raw, kTagGroups));
  auto group_record = [&](size_t g) { return grps.substr(4 + g * kGroupRecordBytes, 28); };
  struct Case {
    std::string name;
    std::string raw;
    std::string expect;
  } cases[] = {
      {"duplicate arrival position",
       [&] {
         std::string s = seqn;
         Poke<uint32_t>(s, 4, Peek<uint32_t>(s, 0));
         return WithSection(raw, kTagArrival, s);
       }(),
       "repeats arrival position"},
      {"entries out of body order",
       [&] {
         std::string s = offs;  // swap the offsets of entries 0 and 1
         const auto a = Peek<uint64_t>(s, 0), b = Peek<uint64_t>(s, 8);
         Poke<uint64_t>(s, 0, b);
         Poke<uint64_t>(s, 8, a);
         return WithSection(raw, kTagOffsets, s);
       }(),
       "starts before the end of entry 0"},
      {"overlapping entries",
       [&] {
         std::string s = offs;
         Poke<uint64_t>(s, 8, Peek<uint64_t>(s, 8) - 2);
         return WithSection(raw, kTagOffsets, s);
       }(),
       "starts before the end of entry 0"},
      {"groups out of key order",
       [&] {
         std::string g = grps;  // swap the key ids of groups 0 and 1
         const auto k0 = Peek<uint32_t>(g, 4), k1 = Peek<uint32_t>(g, 4 + kGroupRecordBytes);
         Poke<uint32_t>(g, 4, k1);
         Poke<uint32_t>(g, 4 + kGroupRecordBytes, k0);
         return WithSection(raw, kTagGroups, g);
       }(),
       "ascending key order"},
      {"groups out of body order",
       [&] {
         std::string g = grps.substr(0, 4) + group_record(1) + group_record(0) +
                         grps.substr(4 + 2 * kGroupRecordBytes);
         return WithSection(raw, kTagGroups, g);
       }(),
       "group 0 is inconsistent"},
      {"empty DDUP section", WithSection(raw, kTagDedupe, std::string()), "DDUP is truncated"},
      {"empty GRPS section", WithSection(raw, kTagGroups, std::string()), "GRPS is truncated"},
      {"groups leave entries uncovered",
       [&] {
         std::string g = grps.substr(0, 4 + 4 * kGroupRecordBytes);
         Poke<uint32_t>(g, 0, 4);
         return WithSection(raw, kTagGroups, g);
       }(),
       "cover 40 of 50 entries"},
  };
  for (const Case& c : cases) {
    EncodedObject obj = base;
    ReplaceIndex(obj, c.raw);
    auto index = ObjectIndex::FromIndexObject(obj.metadata, *obj.index_object);
    EXPECT_EQ(index.status().code(), StatusCode::kCorruption) << c.name;
    EXPECT_NE(index.status().message().find(c.expect), std::string::npos)
        << c.name << ": " << index.status().ToString();
  }
}

TEST(ObjectIndexTest, ArrivalPositionsAndGroupsAreOptionalEachOnItsOwn) {
  // SEQN without GRPS and GRPS without SEQN are both valid: neither is inferred from the other.
  const EncodedObject base = EncodeWithIndexObject(30, 3);
  const std::string raw = RawIndex(base);
  {
    EncodedObject obj = base;
    ReplaceIndex(obj, WithSection(raw, kTagGroups, std::nullopt));
    auto index = ObjectIndex::FromIndexObject(obj.metadata, *obj.index_object);
    ASSERT_TRUE(index.ok()) << index.status().ToString();
    EXPECT_TRUE(index->Groups().empty());
    EXPECT_EQ(index->entry(1).arrival, 3u);  // 3 devices interleaved: device 0 got 0, 3, 6...
  }
  {
    EncodedObject obj = base;
    ReplaceIndex(obj, WithSection(raw, kTagArrival, std::nullopt));
    auto index = ObjectIndex::FromIndexObject(obj.metadata, *obj.index_object);
    ASSERT_TRUE(index.ok()) << index.status().ToString();
    EXPECT_EQ(index->Groups().size(), 3u);
    EXPECT_EQ(index->entry(1).arrival, 1u);  // absent = body order
  }
}

TEST(ObjectIndexTest, CompanionKeyFieldsMustBeCanonicallyPercentEncoded) {
  EncodedObject obj = EncodeWithIndexObject(100, 5);
  // Lowercase hex, an escape of a byte written as is, a raw space: never written, refused.
  for (const char* prefix : {"a%2f", "a%41", "_index%2F", "a b"}) {
    obj.metadata[std::string(kMetaIndexPrefix)] = prefix;
    auto located = ObjectIndex::FromMetadata(obj.metadata, "k");
    EXPECT_EQ(located.status().code(), StatusCode::kInvalidArgument) << prefix;
    EXPECT_NE(located.status().message().find("not in canonical percent-encoding"),
              std::string::npos)
        << prefix << ": " << located.status().ToString();
  }
  obj.metadata[std::string(kMetaIndexPrefix)] = "_index/a%20%C3%A4";
  auto located = ObjectIndex::FromMetadata(obj.metadata, "k");
  ASSERT_TRUE(located.ok()) << located.status().ToString();
  EXPECT_EQ(std::get<NeedIndexObject>(*located).key, "_index/a \xC3\xA4k.idx");
}

TEST(ObjectIndexTest, RandomDamageBehindAValidChecksumIsRejectedOrDecodedSafely) {
  // The decoder reads untrusted bytes: every mutation must give an error or an index whose
  // entries all lie inside the body (ASan/UBSan builds check the memory side).
  const EncodedObject base = EncodeWithIndexObject(64, 5);
  const std::string raw = RawIndex(base);
  std::mt19937 rng(20251122);
  size_t rejected = 0;
  for (int round = 0; round < 1500; ++round) {
    std::string damaged = raw;
    const int edits = 1 + static_cast<int>(rng() % 4);
    for (int e = 0; e < edits; ++e) {
      const size_t at = rng() % damaged.size();
      switch (rng() % 3) {
        case 0:
          damaged[at] = static_cast<char>(rng());
          break;
        case 1:
          damaged.resize(at);
          break;
        default:
          damaged.insert(at, 1 + rng() % 8, static_cast<char>(rng()));
          break;
      }
      if (damaged.empty()) damaged = "M";
    }
    EncodedObject obj = base;
    ReplaceIndex(obj, damaged);
    auto index = ObjectIndex::FromIndexObject(obj.metadata, *obj.index_object);
    if (!index.ok()) {
      // Corruption, or FailedPrecondition when the version byte was hit.
      EXPECT_TRUE(index.status().code() == StatusCode::kCorruption ||
                  index.status().code() == StatusCode::kFailedPrecondition)
          << index.status().ToString();
      ++rejected;
      continue;
    }
    for (size_t i = 0; i < index->size(); ++i) {
      const IndexEntry entry = index->entry(i);
      EXPECT_LE(entry.offset + entry.length, obj.body.size());
    }
  }
  EXPECT_GT(rejected, 1000u);
}

TEST(ObjectIndexTest, AnEntryOutsideTheBodyIsCorruption) {
  EncodedObject obj = EncodeWithIndexObject(50, 5);
  obj.metadata[std::string(kMetaBodyLength)] = "100";
  auto index = ObjectIndex::FromIndexObject(obj.metadata, *obj.index_object);
  ASSERT_EQ(index.status().code(), StatusCode::kCorruption);
  EXPECT_NE(index.status().message().find("outside the 100-byte body"), std::string::npos);
}

TEST(ObjectIndexTest, AnUnknownFormatVersionIsRefusedClearly) {
  EncodedObject obj = Encode(5, 2);
  obj.metadata[std::string(kMetaFormat)] = "2";
  auto located = ObjectIndex::FromMetadata(obj.metadata, "k");
  ASSERT_EQ(located.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(located.status().message().find("unsupported object format version '2'"),
            std::string::npos);

  EncodedObject other = EncodeWithIndexObject(60, 2);
  std::string raw = RawIndex(other);
  raw[4] = 2;  // index header version
  ReplaceIndex(other, raw);
  auto index = ObjectIndex::FromIndexObject(other.metadata, *other.index_object);
  ASSERT_EQ(index.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(index.status().message().find("unsupported index version 2"), std::string::npos);
}

TEST(ObjectIndexTest, AMissingMandatoryFieldIsNamed) {
  EncodedObject obj = Encode(5, 2);
  obj.metadata.erase(std::string(kMetaBodySha256));
  auto located = ObjectIndex::FromMetadata(obj.metadata, "k");
  EXPECT_NE(located.status().message().find("lacks mqtt2s3-body-sha256"), std::string::npos);
}

TEST(ObjectIndexTest, UnknownMetadataFieldsSectionsAndHeaderBytesAreIgnored) {
  EncodedObject obj = EncodeWithIndexObject(40, 4);
  const auto reference = ObjectIndex::FromIndexObject(obj.metadata, *obj.index_object);
  ASSERT_TRUE(reference.ok());
  obj.metadata["mqtt2s3-future-field"] = "whatever";
  obj.metadata["X-Amz-Meta-Other-Tool"] = "1";
  std::string raw = RawIndex(obj);
  // Grow the header by 8 unknown bytes and append an unknown section.
  const uint16_t header_len = kIndexHeaderBytes + 8;
  std::memcpy(raw.data() + 6, &header_len, 2);
  Poke<uint32_t>(raw, 12, 0xffffffffu);  // flags: reserved, ignored by version-1 readers
  raw.insert(kIndexHeaderBytes, "FUTURE!!");
  const uint32_t len = 5;
  raw.append("ZZZZ").append(reinterpret_cast<const char*>(&len), 4).append("hello");
  ReplaceIndex(obj, raw);
  auto index = ObjectIndex::FromIndexObject(obj.metadata, *obj.index_object);
  ASSERT_TRUE(index.ok()) << index.status().ToString();
  ASSERT_EQ(index->size(), reference->size());
  for (size_t i = 0; i < index->size(); ++i) {
    EXPECT_EQ(index->entry(i).offset, reference->entry(i).offset);
    EXPECT_EQ(index->entry(i).index_key, reference->entry(i).index_key);
  }
}

TEST(ObjectIndexTest, MetadataNamesAreMatchedWithPrefixAndAnyCase) {
  const EncodedObject obj = Encode(5, 2);
  Metadata headers;
  for (const auto& [name, value] : obj.metadata) headers["X-Amz-Meta-" + name] = value;
  headers["X-AMZ-META-MQTT2S3-COUNT"] = "5";
  auto located = ObjectIndex::FromMetadata(headers, "k");
  ASSERT_TRUE(located.ok()) << located.status().ToString();
  EXPECT_EQ(std::get<ObjectIndex>(*located).size(), 5u);
}

TEST(ObjectIndexTest, FilterSelectsAHalfOpenTimeRange) {
  const EncodedObject obj = Encode(5, 1);
  const ObjectIndex index = std::get<ObjectIndex>(*ObjectIndex::FromMetadata(obj.metadata, "k"));
  EXPECT_EQ(index.info().first_event_ms, index.entry(0).event_time_ms);
  EXPECT_EQ(index.info().last_event_ms, index.entry(4).event_time_ms);
  const int64_t t1 = index.entry(1).event_time_ms, t3 = index.entry(3).event_time_ms;
  EXPECT_EQ(index.Filter(t1, t3), (std::vector<uint32_t>{1, 2}));
  EXPECT_TRUE(index.Filter(t3, t3).empty());
}

TEST(ObjectIndexTest, CoalescingMergesRangesWithinTheGapAndSortsThem) {
  FormatOptions options;
  options.clustering = false;
  const EncodedObject obj = Encode(10, 1, options);  // every payload is 122 bytes + "\n"
  const ObjectIndex index = std::get<ObjectIndex>(*ObjectIndex::FromMetadata(obj.metadata, "k"));
  const IndexEntry e0 = index.entry(0), e1 = index.entry(1), e3 = index.entry(3);
  ASSERT_EQ(e1.offset, e0.offset + e0.length + 1);
  const std::vector<uint32_t> picks = {3, 1, 0};
  EXPECT_EQ(index.CoalesceRanges(picks, 0),
            (std::vector<ByteRange>{
                {e0.offset, e0.length}, {e1.offset, e1.length}, {e3.offset, e3.length}}));
  EXPECT_EQ(index.CoalesceRanges(picks, 1),
            (std::vector<ByteRange>{{e0.offset, e1.offset + e1.length - e0.offset},
                                    {e3.offset, e3.length}}));
  const auto one = index.CoalesceRanges(picks, 1000);
  ASSERT_EQ(one.size(), 1u);
  EXPECT_EQ(one[0], (ByteRange{0, e3.offset + e3.length}));
  EXPECT_EQ(one[0].HttpRange(), "bytes=0-" + std::to_string(e3.offset + e3.length - 1));
  const std::string fetched = obj.body.substr(one[0].offset, one[0].length);
  for (uint32_t i : picks) {
    EXPECT_EQ(*ObjectIndex::Slice(one[0], fetched, index.entry(i)),
              obj.body.substr(index.entry(i).offset, index.entry(i).length));
  }
  EXPECT_FALSE(
      ObjectIndex::Slice({e1.offset, e1.length}, obj.body.substr(e1.offset, e1.length), e3).ok());
  EXPECT_TRUE(index.CoalesceRanges({}, 10).empty());
}

TEST(ObjectIndexTest, FindMatchesKeyPrefixes) {
  FormatOptions options;
  options.cluster_key_components = 0;
  const EncodedObject obj = Encode(60, 6, options);
  const ObjectIndex index = std::get<ObjectIndex>(*ObjectIndex::FromMetadata(obj.metadata, "k"));
  EXPECT_EQ(index.Find("line-1/robot-03").size(), 10u);
  EXPECT_EQ(index.Find("line-1/").size(), 20u);
  EXPECT_EQ(index.Find("").size(), 60u);
  EXPECT_TRUE(index.Find("line-9").empty());
}

}  // namespace
}  // namespace mqtt2s3::format
