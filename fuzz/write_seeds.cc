// Writes the seed corpora of fuzz_wal and fuzz_object_index from the real encoders:
//   build-fuzz/fuzz/write_seeds fuzz/corpus
// fuzz_wal: WAL directories written by wal::Log (several segments, a payload fragmented over
// blocks, seals, commits, a checkpoint), as raw segment bytes and as framed logical records
// (the targets' input formats are in their headers). fuzz_object_index: objects written by
// format::ObjectWriter (inline index, companion index, group directory in the metadata, GDIR
// buckets, Parquet body), as stored and with the raw index. Deterministic; the seeds are
// committed, rerun this when an encoder changes.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "format/encoding.h"
#include "format/index_format.h"
#include "format/object_writer.h"
#include "format/test_messages.h"
#include "wal/fake_file_system.h"
#include "wal/log.h"
#include "wal/record.h"

namespace {

namespace fs = std::filesystem;
namespace format = mqtt2s3::format;
namespace wal = mqtt2s3::wal;

void Write(const fs::path& dir, const std::string& name, const std::string& bytes) {
  fs::create_directories(dir);
  std::ofstream(dir / name, std::ios::binary) << bytes;
  std::printf("%s: %zu bytes\n", (dir / name).c_str(), bytes.size());
}

void Require(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "write_seeds: %s failed\n", what);
    std::exit(1);
  }
}

// A log written through wal::Log: `messages` appends over `partitions`, a seal and a commit
// every `batch` messages, segments of `segment_bytes`.
std::map<std::string, std::string> WriteLog(int messages, int partitions, int batch,
                                            uint64_t segment_bytes, size_t big_payload) {
  wal::testing::FakeFileSystem files;
  wal::LogOptions o;
  o.dir = "/w";
  o.segment_bytes = segment_bytes;
  o.disk_budget_bytes = 64 * segment_bytes;
  o.sync_policy = wal::SyncPolicy::kNever;
  auto log = wal::Log::Open(o, &files, nullptr);
  Require(log.ok(), "Log::Open");
  std::map<std::string, uint64_t> batches;
  for (int i = 0; i < messages; ++i) {
    const std::string p = "plant-" + std::to_string(i % partitions) + "/2018/10/01";
    const std::string topic = "COMPANY-X/json/0/" + std::to_string(i % partitions) + "/robot-" +
                              std::to_string(i % 7) + "/weldspot/1";
    std::string payload = "{\"weldspot\":{\"Timestamp\":\"20181001 17000" +
                          std::to_string(i % 10) + "\",\"Voltage\":" + std::to_string(20 + i) +
                          "}}";
    if (i == 3) payload.append(big_payload, 'v');  // fragmented over 32 KiB blocks
    std::string extra(10, '\0');
    extra += "robot-" + std::to_string(i % 7) + std::string(1, '\0') + "id-" + std::to_string(i);
    auto seq = (*log)->Append({p, topic, payload, extra, 1538413200000 + i, 1,
                               static_cast<uint8_t>(i % 5 == 4)});
    Require(seq.ok(), "Append");
    if ((i + 1) % batch == 0) {
      const wal::CommitMarker c{p, ++batches[p], *seq};
      Require((*log)->Seal(c).ok(), "Seal");
      if (i + 1 < messages) Require((*log)->Commit(c).ok(), "Commit");  // the last stays sealed
    }
  }
  Require((*log)->Close().ok(), "Close");
  return files.files;
}

std::string RawSeed(const std::map<std::string, std::string>& files) {
  std::string out = std::string(1, '\0') + std::string(1, '\0');
  bool first = true;
  for (const auto& [path, contents] : files) {
    if (!first) out += "M2SFZSEG";
    first = false;
    out += contents;
  }
  return out;
}

void AddFramed(std::string* out, const std::string& record) {
  out->push_back(static_cast<char>(record.size() & 0xff));
  out->push_back(static_cast<char>(record.size() >> 8));
  out->append(record);
}

void WalSeeds(const fs::path& dir) {
  Write(dir, "one_segment", RawSeed(WriteLog(12, 2, 4, 1 << 20, 0)));
  Write(dir, "three_segments", RawSeed(WriteLog(40, 3, 5, 4096, 0)));
  Write(dir, "fragmented", RawSeed(WriteLog(6, 1, 3, 1 << 20, 40000)));
  std::string torn = RawSeed(WriteLog(8, 2, 4, 1 << 20, 0));
  torn.resize(torn.size() - 9);
  Write(dir, "torn_tail", torn);

  // Framed logical records: a header, messages, a seal, a commit, a second segment.
  std::string framed = "\x01";
  framed.push_back('\0');
  std::string rec;
  wal::EncodeSegmentHeader({wal::kFormatVersion, 1}, &rec);
  AddFramed(&framed, rec);
  for (uint64_t s = 1; s <= 4; ++s) {
    rec.clear();
    Require(wal::EncodeMessage(s, {"b/p", "t/1", "{\"v\":" + std::to_string(s) + "}", "x", 7, 1,
                                   0},
                               &rec)
                .ok(),
            "EncodeMessage");
    AddFramed(&framed, rec);
  }
  rec.clear();
  Require(wal::EncodeSeal({"b/p", 1, 2}, &rec).ok(), "EncodeSeal");
  AddFramed(&framed, rec);
  rec.clear();
  Require(wal::EncodeCommit({"b/p", 1, 2}, &rec).ok(), "EncodeCommit");
  AddFramed(&framed, rec);
  framed += "M2SFZSEG";
  rec.clear();
  wal::EncodeSegmentHeader({wal::kFormatVersion, 5}, &rec);
  AddFramed(&framed, rec);
  rec.clear();
  Require(wal::EncodeCommit({"b/p", 1, 2}, &rec).ok(), "EncodeCommit");
  AddFramed(&framed, rec);
  rec.clear();
  Require(wal::EncodeMessage(5, {"b/q", "t/2", "{}", "", 8, 2, 1}, &rec).ok(), "EncodeMessage");
  AddFramed(&framed, rec);
  Write(dir, "framed_records", framed);
}

// flags bit 0: raw index; bit 1: fix size and checksum (fuzz_object_index.cc).
std::string IndexSeed(const format::EncodedObject& obj, bool raw) {
  std::string out(1, static_cast<char>(raw ? 3 : 2));
  std::string index;
  for (const auto& [name, value] : obj.metadata) out += name + "=" + value + "\n";
  out += "\n";
  if (obj.index_object) {
    index = *obj.index_object;
  } else {
    std::string text;
    const int parts = std::stoi(obj.metadata.at(std::string(format::kMetaIndexParts)));
    for (int p = 0; p < parts; ++p) {
      text += obj.metadata.at(std::string(format::kMetaIndexPartPrefix) + std::to_string(p));
    }
    auto bytes = format::Base64Decode(text);
    Require(bytes.ok(), "Base64Decode");
    index = *bytes;
  }
  if (raw) {
    auto inflated = format::ZlibDecompress(index, format::kMaxRawIndexBytes);
    Require(inflated.ok(), "ZlibDecompress");
    index = *inflated;
  }
  return out + index;
}

void IndexSeeds(const fs::path& dir) {
  struct Case {
    const char* name;
    size_t messages, devices;
    bool parquet;
  };
  for (const Case& c : {Case{"inline", 6, 2, false}, Case{"companion", 200, 3, false},
                        Case{"directory", 400, 10, false}, Case{"buckets", 600, 120, false},
                        Case{"parquet_buckets", 400, 90, true}}) {
    format::FormatOptions o;
    if (c.parquet) o.body_format = format::BodyFormat::kParquet;
    auto writer = format::ObjectWriter::Create(o);
    Require(writer.ok(), "ObjectWriter::Create");
    const auto set = format::testing::WeldingMessages(c.messages, c.devices);
    auto obj = writer->Encode(set.records());
    Require(obj.ok(), "Encode");
    Write(dir, std::string(c.name) + "_stored", IndexSeed(*obj, false));
    Write(dir, std::string(c.name) + "_raw", IndexSeed(*obj, true));
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: write_seeds CORPUS_DIR (fuzz/corpus)\n");
    return 2;
  }
  const fs::path root = argv[1];
  WalSeeds(root / "fuzz_wal");
  IndexSeeds(root / "fuzz_object_index");
  return 0;
}
