// libFuzzer target for WAL recovery (docs/WAL.md), the code the converter runs at start-up:
// wal::Log::Open on a directory of segment files, here an in-memory wal::FileSystem. Input:
//   <flags byte> <cut byte> segment [ "M2SFZSEG" segment ]...      (at most 4 segments)
// flags bit 0 clear: each segment is raw file bytes. Set: each segment is logical records
// (u16 LE length, bytes)... that the real wal::Writer frames, so checksums are valid and the
// fuzzer reaches record decoding, commit markers and seals. bit 1: name a segment one above
// the first_sequence of its header (a mismatch). bit 2: cut `cut` bytes off the last segment
// (a torn tail). bit 3: flip one byte of the first segment.
// Invariants (__builtin_trap() when broken), besides no crash and no sanitizer report:
//   - Open succeeds (the fake file system never fails; damage is never an error);
//   - recovery equals a model built from the records wal::Reader yields: pending = every
//     message of a segment whose first record is its header, not covered by its partition's
//     latest commit, in log order; commits and seals likewise;
//   - with framed records and no flipped byte, the Reader yields exactly the complete
//     records the Writer wrote (the cut drops a suffix of the last segment, nothing else);
//   - pending sequences strictly ascend and next_sequence is above all of them and every
//     commit;
//   - every record that passes its checksum and decodes re-encodes to the same bytes;
//   - reported corruptions lie inside their file and do not overlap; the last segment is only
//     ever truncated, to a prefix of itself;
//   - after recovery a new message appends, and a second Open replays it last, with the
//     sequence Append returned, no torn tail and the same corruptions as the first Open.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "wal/fake_file_system.h"
#include "wal/log.h"
#include "wal/reader.h"
#include "wal/record.h"
#include "wal/writer.h"

namespace {

namespace wal = mqtt2s3::wal;
using wal::testing::FakeFileSystem;

constexpr std::string_view kDir = "/w";
constexpr std::string_view kSegmentDelimiter = "M2SFZSEG";

void Check(bool condition) {
  if (!condition) __builtin_trap();
}

std::string Path(uint64_t first_sequence) {
  return std::string(kDir) + "/" + wal::SegmentFileName(first_sequence);
}

bool SameMessage(const wal::Message& a, const wal::Message& b) {
  return a.sequence == b.sequence && a.receive_time_ms == b.receive_time_ms && a.qos == b.qos &&
         a.flags == b.flags && a.packet_id == b.packet_id && a.partition == b.partition &&
         a.topic == b.topic && a.payload == b.payload && a.extra == b.extra;
}

bool SameMarker(const wal::CommitMarker& a, const wal::CommitMarker& b) {
  return a.partition == b.partition && a.partition_seq == b.partition_seq &&
         a.last_sequence == b.last_sequence;
}

// The record's bytes as the encoder writes them (empty when it refuses the fields).
std::string Reencode(const wal::DecodedRecord& r) {
  std::string out;
  switch (r.kind) {
    case wal::RecordKind::kSegmentHeader:
      wal::EncodeSegmentHeader(r.header, &out);
      break;
    case wal::RecordKind::kMessage: {
      const wal::Message& m = r.message;
      wal::MessageIn in{m.partition, m.topic, m.payload, m.extra, m.receive_time_ms, m.qos,
                        m.flags, m.packet_id};
      if (!wal::EncodeMessage(m.sequence, in, &out).ok()) out.clear();
      break;
    }
    case wal::RecordKind::kCommit:
      if (!wal::EncodeCommit(r.commit, &out).ok()) out.clear();
      break;
    case wal::RecordKind::kSeal:
      if (!wal::EncodeSeal(r.commit, &out).ok()) out.clear();
      break;
    case wal::RecordKind::kAckMark:
      wal::EncodeAckMark(r.acked_through, &out);
      break;
    case wal::RecordKind::kPubRel:
      wal::EncodePubRel(r.packet_id, &out);
      break;
  }
  return out;
}

// What recovery must find, from the logical records wal::Reader yields per segment.
struct Model {
  std::vector<wal::Message> messages;
  std::map<std::string, wal::CommitMarker> commits;
  std::map<std::string, std::vector<wal::CommitMarker>> seals;
  std::map<std::string, std::vector<std::string>> records;  // path -> complete records
};

Model BuildModel(const std::map<std::string, std::string>& files) {
  Model model;
  std::vector<uint64_t> firsts;
  for (const auto& [path, contents] : files) {
    const uint64_t first = wal::ParseSegmentName(path.substr(kDir.size() + 1));
    if (first != 0) firsts.push_back(first);  // the map is sorted by name = by sequence
  }
  for (size_t i = 0; i < firsts.size(); ++i) {
    const std::string path = Path(firsts[i]);
    const std::string& contents = files.at(path);
    wal::Reader reader(contents, path, /*tail_is_benign=*/i + 1 == firsts.size(), nullptr);
    std::string data;
    uint64_t offset = 0, last_offset = 0;
    bool first = true;
    while (reader.ReadRecord(&data, &offset)) {
      Check(first || offset > last_offset);
      Check(offset < contents.size() && reader.valid_end() <= contents.size());
      last_offset = offset;
      model.records[path].push_back(data);
      wal::DecodedRecord rec;
      const bool ok = wal::DecodeRecord(data, &rec).ok();
      if (ok) {
        const std::string again = Reencode(rec);
        Check(again == data);
      }
      const bool header_ok = !first || (ok && rec.kind == wal::RecordKind::kSegmentHeader &&
                                        rec.header.first_sequence == firsts[i]);
      first = false;
      if (!ok || !header_ok) continue;
      // Sequences only grow; none that the next sequence could not follow.
      constexpr uint64_t kMax = UINT64_MAX;
      const uint64_t before = model.messages.empty() ? 0 : model.messages.back().sequence;
      if (rec.kind == wal::RecordKind::kMessage &&
          (rec.message.sequence <= before || rec.message.sequence == kMax)) {
        continue;
      }
      if ((rec.kind == wal::RecordKind::kCommit || rec.kind == wal::RecordKind::kSeal) &&
          rec.commit.last_sequence == kMax) {
        continue;
      }
      switch (rec.kind) {
        case wal::RecordKind::kSegmentHeader:
        case wal::RecordKind::kAckMark:
        case wal::RecordKind::kPubRel:
          break;
        case wal::RecordKind::kMessage:
          model.messages.push_back(rec.message);
          break;
        case wal::RecordKind::kCommit: {
          wal::CommitMarker& cur = model.commits[rec.commit.partition];
          if (rec.commit.last_sequence >= cur.last_sequence) cur = rec.commit;
          break;
        }
        case wal::RecordKind::kSeal: {
          auto& list = model.seals[rec.commit.partition];
          if (list.empty() || rec.commit.partition_seq > list.back().partition_seq) {
            list.push_back(rec.commit);
          }
          break;
        }
      }
    }
  }
  return model;
}

// Corruptions per file lie inside the file and do not overlap.
void CheckCorruptions(const wal::Recovered& rec, const std::map<std::string, std::string>& files) {
  std::map<std::string, std::vector<std::pair<uint64_t, uint64_t>>> spans;  // file -> [from, to)
  uint64_t total = 0;
  for (const wal::ReaderCorruption& c : rec.corruptions) {
    const auto it = files.find(std::string(kDir) + "/" + c.file);
    Check(it != files.end());
    Check(c.offset <= it->second.size() && c.bytes <= it->second.size() - c.offset);
    spans[c.file].emplace_back(c.offset, c.offset + c.bytes);
    total += c.bytes;
  }
  for (auto& [file, list] : spans) {
    std::sort(list.begin(), list.end());
    for (size_t i = 1; i < list.size(); ++i) Check(list[i].first >= list[i - 1].second);
  }
  Check(total == rec.corrupt_bytes);
}

struct Input {
  uint8_t flags = 0;
  uint8_t cut = 0;
  std::vector<std::string_view> segments;
};

Input Split(const uint8_t* data, size_t size) {
  Input in;
  if (size < 2) return in;
  in.flags = data[0];
  in.cut = data[1];
  std::string_view rest(reinterpret_cast<const char*>(data) + 2, size - 2);
  while (in.segments.size() < 4) {
    const size_t at = in.segments.size() == 3 ? std::string_view::npos : rest.find(kSegmentDelimiter);
    in.segments.push_back(rest.substr(0, at));
    if (at == std::string_view::npos) break;
    rest.remove_prefix(at + kSegmentDelimiter.size());
  }
  return in;
}

// Frames "u16 length, bytes" records with the real Writer; *ends gets each record's end.
std::string Frame(std::string_view records, std::vector<uint64_t>* ends,
                  std::vector<std::string>* logical) {
  FakeFileSystem scratch;
  auto file = scratch.OpenForAppend("/f");
  Check(file.ok());
  wal::Writer writer(file->get(), 0);
  while (records.size() >= 2) {
    const size_t n = static_cast<uint8_t>(records[0]) | (static_cast<uint8_t>(records[1]) << 8);
    records.remove_prefix(2);
    const std::string_view rec = records.substr(0, n);
    records.remove_prefix(rec.size());
    Check(writer.AddRecord(rec).ok());
    ends->push_back(writer.file_size());
    logical->emplace_back(rec);
  }
  return scratch.files["/f"];
}

// The first_sequence of the segment header a segment starts with, or 0.
uint64_t HeaderSequence(std::string_view contents) {
  wal::Reader reader(contents, "", true, nullptr);
  std::string data;
  uint64_t offset = 0;
  wal::DecodedRecord rec;
  if (reader.ReadRecord(&data, &offset) && wal::DecodeRecord(data, &rec).ok() &&
      rec.kind == wal::RecordKind::kSegmentHeader) {
    return rec.header.first_sequence;
  }
  return 0;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const Input in = Split(data, size);
  if (in.segments.empty()) return 0;
  const bool framed = in.flags & 1;

  // Build the directory: segment i is named after its header (else 1000 * (i + 1)).
  FakeFileSystem fs;
  std::vector<std::string> paths;
  std::map<std::string, std::vector<uint64_t>> ends;        // framed: record ends per file
  std::map<std::string, std::vector<std::string>> written;  // framed: the logical records
  for (size_t i = 0; i < in.segments.size(); ++i) {
    std::vector<uint64_t> e;
    std::vector<std::string> logical;
    std::string contents = framed ? Frame(in.segments[i], &e, &logical)
                                  : std::string(in.segments[i]);
    uint64_t first = HeaderSequence(contents);
    if (first == 0) first = 1000 * (i + 1);
    if ((in.flags & 2) && i == 0) ++first;
    if (first == 0) first = 1;  // overflowed: 0 is not a segment name
    const std::string path = Path(first);
    if (fs.files.count(path)) continue;  // two segments for one name: keep the first
    fs.files[path] = std::move(contents);
    ends[path] = std::move(e);
    written[path] = std::move(logical);
    paths.push_back(path);
  }
  fs.files[std::string(kDir) + "/notes.txt"] = "not a segment";  // other files are ignored
  const std::string last = *std::max_element(paths.begin(), paths.end());  // the last segment
  if ((in.flags & 4) && in.cut > 0) {
    std::string& c = fs.files[last];
    c.resize(c.size() > in.cut ? c.size() - in.cut : 0);
  }
  const bool flipped = (in.flags & 8) && !fs.files[paths[0]].empty();
  if (flipped) {
    std::string& c = fs.files[paths[0]];
    c[(size_t{in.cut} * 131) % c.size()] ^= static_cast<char>(1u << (in.flags >> 5));
  }
  const std::map<std::string, std::string> before = fs.files;

  // With valid framing and no flipped byte, the Reader yields exactly the complete records.
  const Model model = BuildModel(before);
  if (framed && !flipped) {
    for (const auto& [path, logical] : written) {
      const auto& e = ends[path];
      std::vector<std::string> complete;
      for (size_t k = 0; k < logical.size(); ++k) {
        if (e[k] <= before.at(path).size()) complete.push_back(logical[k]);
      }
      const auto got = model.records.find(path);
      Check(got == model.records.end() ? complete.empty() : got->second == complete);
    }
  }

  wal::LogOptions options;
  options.dir = std::string(kDir);
  options.segment_bytes = 1 << 20;
  options.disk_budget_bytes = 1 << 30;
  options.sync_policy = wal::SyncPolicy::kNever;
  wal::Recovered rec;
  auto log = wal::Log::Open(options, &fs, &rec);
  Check(log.ok());

  // Recovery matches the model.
  std::vector<wal::Message> expected;
  for (const wal::Message& m : model.messages) {
    const auto c = model.commits.find(m.partition);
    if (c == model.commits.end() || m.sequence > c->second.last_sequence) expected.push_back(m);
  }
  Check(rec.pending.size() == expected.size());
  for (size_t i = 0; i < expected.size(); ++i) Check(SameMessage(rec.pending[i], expected[i]));
  Check(rec.commits.size() == model.commits.size());
  for (const auto& [p, c] : rec.commits) Check(SameMarker(c, model.commits.at(p)));
  for (const auto& [p, list] : rec.seals) {
    const auto c = rec.commits.find(p);
    for (size_t i = 0; i < list.size(); ++i) {
      Check(i == 0 || list[i].partition_seq > list[i - 1].partition_seq);
      Check(c == rec.commits.end() || list[i].last_sequence > c->second.last_sequence);
    }
  }

  // Sequences ascend, and the next one is above everything recovered.
  for (size_t i = 0; i < rec.pending.size(); ++i) {
    Check(rec.pending[i].sequence > 0);
    Check(i == 0 || rec.pending[i].sequence > rec.pending[i - 1].sequence);
    Check(rec.next_sequence > rec.pending[i].sequence);
  }
  for (const auto& [p, c] : rec.commits) Check(rec.next_sequence > c.last_sequence);

  // Corruptions are sane; files other than the last segment are untouched; the last is at
  // most truncated.
  CheckCorruptions(rec, before);
  for (const auto& [path, contents] : before) {
    const auto now = fs.files.find(path);
    if (path == last) {
      const auto records = model.records.find(path);
      if (records == model.records.end() || records->second.empty()) {
        // No complete record at all: removed, and a new segment started (maybe of its name).
        Check(rec.torn_tail_bytes == contents.size());
        continue;
      }
      Check(now != fs.files.end() && now->second.size() <= contents.size());
      Check(std::string_view(contents).substr(0, now->second.size()) == now->second);
      Check(rec.torn_tail_bytes == contents.size() - now->second.size());
    } else {
      Check(now != fs.files.end() && now->second == contents);
    }
  }

  // A message appended after recovery is replayed by the next Open, last, as appended. (Not
  // when a segment name used up the sequence space: 2^64-1 is never replayed.)
  if (rec.next_sequence == UINT64_MAX) return 0;
  wal::MessageIn m{"fuzz/p", "fuzz/topic", "{\"v\":1}", "x", 42, 1, 0};
  auto seq = (*log)->Append(m);
  Check(seq.ok());
  Check(*seq == rec.next_sequence);
  Check((*log)->Close().ok());
  log->reset();
  wal::Recovered again;
  auto reopened = wal::Log::Open(options, &fs, &again);
  Check(reopened.ok());
  Check(again.torn_tail_bytes == 0);
  Check(!again.pending.empty());
  const wal::Message& back = again.pending.back();
  Check(back.sequence == *seq && back.partition == m.partition && back.topic == m.topic &&
        back.payload == m.payload && back.extra == m.extra);
  Check(again.next_sequence == *seq + 1);
  Check(again.corruptions.size() == rec.corruptions.size());
  for (size_t i = 0; i < rec.corruptions.size(); ++i) {
    Check(again.corruptions[i].file == rec.corruptions[i].file &&
          again.corruptions[i].offset == rec.corruptions[i].offset &&
          again.corruptions[i].bytes == rec.corruptions[i].bytes);
  }
  return 0;
}
