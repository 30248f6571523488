// wal::Log recovery: torn tails, damage in the middle, bad headers, the POSIX file system.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "wal/fake_file_system.h"
#include "wal/log.h"
#include "wal/record.h"
#include "wal/writer.h"

namespace mqtt2s3::wal {
namespace {

using testing::FakeFileSystem;

LogOptions Options(std::string dir = "/w") {
  LogOptions o;
  o.dir = std::move(dir);
  o.segment_bytes = 64 * 1024;
  o.disk_budget_bytes = 1 << 22;
  o.sync_policy = SyncPolicy::kAlways;
  return o;
}

// Options() with a content hash a test can compute by hand: topic size x 1000 + payload size.
LogOptions HashingOptions() {
  LogOptions o = Options();
  o.content_hash = [](std::string_view topic, std::string_view payload) {
    return topic.size() * 1000 + payload.size();
  };
  return o;
}

std::string Payload(uint64_t i) { return std::string(300 + i % 700, static_cast<char>('a' + i % 26)); }

// Appends n messages to partition "p" and closes; returns the segment paths, oldest first.
std::vector<std::string> WriteLog(FileSystem* fs, const LogOptions& o, uint64_t n) {
  Recovered rec;
  auto log = Log::Open(o, fs, &rec);
  EXPECT_TRUE(log.ok()) << log.status().ToString();
  for (uint64_t i = 0; i < n; ++i) {
    const std::string payload = Payload(i);
    EXPECT_TRUE((*log)->Append({.partition = "p", .topic = "t", .payload = payload}).ok());
  }
  EXPECT_TRUE((*log)->Close().ok());
  std::vector<std::string> paths;
  auto names = fs->ListDir(o.dir);
  for (const auto& name : *names) {
    if (ParseSegmentName(name) != 0) paths.push_back(o.dir + "/" + name);
  }
  std::sort(paths.begin(), paths.end());
  return paths;
}

void ExpectSequences(const Recovered& rec, uint64_t first, uint64_t last) {
  ASSERT_EQ(rec.pending.size(), last - first + 1);
  for (uint64_t s = first; s <= last; ++s) {
    ASSERT_EQ(rec.pending[s - first].sequence, s);
    ASSERT_EQ(rec.pending[s - first].payload, Payload(s - 1));
  }
}

TEST(LogRecoveryTest, TornTailAtEveryOffsetOfTheLastRecordRecoversEarlierRecordsSilently) {
  FakeFileSystem base;
  const auto paths = WriteLog(&base, Options(), 5);
  ASSERT_EQ(paths.size(), 1u);
  // The log ends with the ack mark of the last sync (7 framing + 9 bytes): cut it off, so the
  // last record is the fifth message.
  base.files[paths[0]].resize(base.files[paths[0]].size() - 16);
  const std::string full = base.files[paths[0]];
  const size_t last_len = 7 + 1 + 8 + 8 + 2 + 2 + 2 + 4 + 4 + 1 + 1 + Payload(4).size();
  for (size_t cut = full.size() - last_len + 1; cut < full.size(); ++cut) {
    FakeFileSystem fs = base;
    fs.files[paths[0]].resize(cut);
    Recovered rec;
    auto log = Log::Open(Options(), &fs, &rec);
    ASSERT_TRUE(log.ok()) << log.status().ToString();
    EXPECT_TRUE(rec.corruptions.empty()) << "cut " << cut << ": " << rec.corruptions[0].ToString();
    EXPECT_EQ(rec.torn_tail_bytes, cut - (full.size() - last_len)) << cut;
    ExpectSequences(rec, 1, 4);
    EXPECT_EQ(fs.files[paths[0]].size(), full.size() - last_len) << "torn tail truncated";
    // Appending after the truncation produces a clean log again.
    ASSERT_TRUE((*log)->Append({.partition = "p", .topic = "t", .payload = Payload(4)}).ok());
    ASSERT_TRUE((*log)->Close().ok());
    Recovered again;
    ASSERT_TRUE(Log::Open(Options(), &fs, &again).ok());
    EXPECT_TRUE(again.corruptions.empty());
    EXPECT_EQ(again.torn_tail_bytes, 0u);
    ExpectSequences(again, 1, 5);
  }
}

TEST(LogRecoveryTest, DamageInAClosedSegmentIsReportedWithFileAndOffsetAndLaterRecordsSurvive) {
  FakeFileSystem fs;
  const auto paths = WriteLog(&fs, Options(), 400);
  ASSERT_GE(paths.size(), 3u);
  std::string& victim = fs.files[paths[1]];
  victim[1000] = static_cast<char>(victim[1000] ^ 0x40);
  Recovered rec;
  auto log = Log::Open(Options(), &fs, &rec);
  ASSERT_TRUE(log.ok()) << log.status().ToString();
  ASSERT_FALSE(rec.corruptions.empty());
  EXPECT_EQ(rec.corruptions[0].file, paths[1].substr(3));  // "wal-<first>.log"
  EXPECT_LE(rec.corruptions[0].offset, 1000u);
  EXPECT_GT(rec.corrupt_bytes, 0u);
  EXPECT_EQ(rec.torn_tail_bytes, 0u);
  // Everything outside the damaged block is still there, in order; the last one included.
  ASSERT_GT(rec.pending.size(), 300u);
  ASSERT_LT(rec.pending.size(), 400u);
  for (size_t i = 1; i < rec.pending.size(); ++i) {
    ASSERT_LT(rec.pending[i - 1].sequence, rec.pending[i].sequence);
  }
  EXPECT_EQ(rec.pending.back().sequence, 400u);
  EXPECT_EQ(rec.next_sequence, 401u);
}

TEST(LogRecoveryTest, ASegmentWhoseHeaderNamesAnotherSequenceIsReported) {
  FakeFileSystem fs;
  const auto paths = WriteLog(&fs, Options(), 3);
  fs.files["/w/wal-00000000000000000077.log"] = fs.files[paths[0]];
  fs.files.erase(paths[0]);
  Recovered rec;
  ASSERT_TRUE(Log::Open(Options(), &fs, &rec).ok());
  ASSERT_EQ(rec.corruptions.size(), 1u);
  EXPECT_NE(rec.corruptions[0].reason.find("header"), std::string::npos);
  EXPECT_EQ(rec.pending.size(), 3u);  // the messages themselves are intact
  EXPECT_EQ(rec.next_sequence, 77u);  // never below a segment's name
}

TEST(LogRecoveryTest, AnEmptyLastSegmentIsReplacedAndOtherFilesAreIgnored) {
  FakeFileSystem fs;
  WriteLog(&fs, Options(), 3);
  fs.files["/w/wal-00000000000000000004.log"] = "";  // crash right after creating it
  fs.files["/w/README"] = "not a segment";
  Recovered rec;
  auto log = Log::Open(Options(), &fs, &rec);
  ASSERT_TRUE(log.ok()) << log.status().ToString();
  EXPECT_TRUE(rec.corruptions.empty());
  ExpectSequences(rec, 1, 3);
  // The empty file is replaced by a fresh segment of the same name; the previous segment
  // is left as it was.
  const std::string previous = fs.files["/w/wal-00000000000000000001.log"];
  EXPECT_EQ(*(*log)->Append({.partition = "p", .topic = "t", .payload = Payload(3)}), 4u);
  ASSERT_TRUE((*log)->Close().ok());
  EXPECT_EQ(fs.files["/w/wal-00000000000000000001.log"], previous);
  EXPECT_GT(fs.files["/w/wal-00000000000000000004.log"].size(), 0u);
  Recovered again;
  ASSERT_TRUE(Log::Open(Options(), &fs, &again).ok());
  EXPECT_TRUE(again.corruptions.empty());
  ExpectSequences(again, 1, 4);
}

// Found by fuzz_wal: with damage at the end of a closed segment and an empty last segment
// after it, recovery removed the empty one and appended to the damaged one, in the block the
// damage discards; the next recovery dropped (and truncated away) the appended message.
TEST(LogRecoveryTest, AMessageAppendedAfterAnEmptyLastSegmentSurvivesDamageBeforeIt) {
  FakeFileSystem fs;
  const auto paths = WriteLog(&fs, Options(), 3);
  ASSERT_EQ(paths.size(), 1u);
  std::string& closed = fs.files[paths[0]];
  // The third message's payload (before the 16-byte ack mark of its sync): checksum mismatch.
  closed[closed.size() - 16 - 5] ^= 0x20;
  fs.files["/w/wal-00000000000000000004.log"] = "";  // crash right after creating it
  Recovered rec;
  auto log = Log::Open(Options(), &fs, &rec);
  ASSERT_TRUE(log.ok()) << log.status().ToString();
  ASSERT_EQ(rec.corruptions.size(), 1u);  // reported: the segment is not the last
  ExpectSequences(rec, 1, 2);
  EXPECT_EQ(*(*log)->Append({.partition = "p", .topic = "t", .payload = Payload(3)}), 4u);
  ASSERT_TRUE((*log)->Close().ok());
  Recovered again;
  ASSERT_TRUE(Log::Open(Options(), &fs, &again).ok());
  EXPECT_EQ(again.torn_tail_bytes, 0u);
  EXPECT_EQ(again.corruptions.size(), 1u);
  ASSERT_EQ(again.pending.size(), 3u);
  EXPECT_EQ(again.pending.back().sequence, 4u);
  EXPECT_EQ(again.pending.back().payload, Payload(3));
}

TEST(LogRecoveryTest, PosixFileSystemRoundTripsAcrossSegmentsAndDeletes) {
  char tmpl[] = "/tmp/wal_recovery_test_XXXXXX";
  ASSERT_NE(::mkdtemp(tmpl), nullptr);
  const std::string dir = std::string(tmpl) + "/wal";  // Open creates the last level
  const auto paths = WriteLog(PosixFileSystem(), Options(dir), 400);
  EXPECT_GE(paths.size(), 3u);
  {
    Recovered rec;
    auto log = Log::Open(Options(dir), PosixFileSystem(), &rec);
    ASSERT_TRUE(log.ok()) << log.status().ToString();
    ExpectSequences(rec, 1, 400);
    ASSERT_TRUE((*log)->Commit({"p", 1, 400}).ok());
    auto deleted = (*log)->DeleteObsoleteSegments();
    ASSERT_TRUE(deleted.ok()) << deleted.status().ToString();
    EXPECT_EQ(*deleted, paths.size() - 1);
    ASSERT_TRUE((*log)->Close().ok());
  }
  Recovered rec;
  ASSERT_TRUE(Log::Open(Options(dir), PosixFileSystem(), &rec).ok());
  EXPECT_TRUE(rec.pending.empty());
  EXPECT_EQ(rec.next_sequence, 401u);
  std::filesystem::remove_all(tmpl);
}

// Found by fuzz_wal: records with valid checksums but sequences that do not grow (a record
// written twice, an older one after a newer one) were replayed out of order and twice, and a
// sequence of 2^64-1 wrapped next_sequence to 0. Such a message is skipped and reported.
TEST(LogRecoveryTest, MessagesWhoseSequencesDoNotGrowAreSkippedAndReported) {
  FakeFileSystem fs;
  auto file = fs.OpenForAppend("/w/wal-00000000000000000001.log");
  ASSERT_TRUE(file.ok());
  Writer writer(file->get(), 0);
  std::string rec;
  EncodeSegmentHeader({kFormatVersion, 1}, &rec);
  ASSERT_TRUE(writer.AddRecord(rec).ok());
  for (uint64_t seq : std::vector<uint64_t>{1, 3, 2, 3, 4, 0, UINT64_MAX}) {
    rec.clear();
    const std::string payload = Payload(seq);
    ASSERT_TRUE(EncodeMessage(seq, {.partition = "p", .topic = "t", .payload = payload}, &rec).ok());
    ASSERT_TRUE(writer.AddRecord(rec).ok());
  }
  rec.clear();
  ASSERT_TRUE(EncodeCommit({"q", 1, UINT64_MAX}, &rec).ok());
  ASSERT_TRUE(writer.AddRecord(rec).ok());
  rec.clear();
  ASSERT_TRUE(EncodeMessage(5, {.partition = "p", .topic = "t", .payload = "x"}, &rec).ok());
  ASSERT_TRUE(writer.AddRecord(rec).ok());
  Recovered r;
  auto log = Log::Open(Options(), &fs, &r);
  ASSERT_TRUE(log.ok()) << log.status().ToString();
  std::vector<uint64_t> seqs;
  for (const Message& m : r.pending) seqs.push_back(m.sequence);
  EXPECT_EQ(seqs, (std::vector<uint64_t>{1, 3, 4, 5}));
  ASSERT_EQ(r.corruptions.size(), 5u);
  EXPECT_NE(r.corruptions[0].reason.find("sequence 2 does not follow 3"), std::string::npos)
      << r.corruptions[0].ToString();
  EXPECT_TRUE(r.commits.empty());
  EXPECT_EQ(r.next_sequence, 6u);
}

}  // namespace
}  // namespace mqtt2s3::wal

namespace mqtt2s3::wal {
namespace {

// Redeliveries (docs/WAL.md): packet ids of logged messages, the ack mark and PUBRELs survive
// a restart; without any mark every message counts as acked.
TEST(LogRecoveryTest, PacketIdsAckMarksAndPubRelsAreRecovered) {
  FakeFileSystem fs;
  LogOptions o = Options();
  o.sync_policy = SyncPolicy::kEveryMessages;
  o.sync_every_messages = 1000;
  {
    Recovered rec;
    auto log = Log::Open(o, &fs, &rec);
    ASSERT_TRUE(log.ok());
    EXPECT_EQ(rec.acked_through, 0u);
    auto add = [&](uint16_t id, uint8_t qos) {
      MessageIn m{.partition = "p", .topic = "t", .payload = "x", .qos = qos,
                  .flags = kFlagPacketId, .packet_id = id};
      ASSERT_TRUE((*log)->Append(m).ok());
    };
    add(1, 1);  // seq 1
    add(2, 2);  // seq 2
    ASSERT_TRUE((*log)->Sync().ok());  // ack mark 2
    add(3, 1);  // seq 3: never acked
    add(4, 2);  // seq 4
    ASSERT_TRUE((*log)->RecordPubRel(2).ok());  // closes seq 2's exchange
    ASSERT_TRUE((*log)->RecordPubRel(3).ok());  // a QoS 1 id: no effect
    ASSERT_TRUE((*log)->Append({.partition = "p", .topic = "t", .payload = "q0"}).ok());  // no id
    // No Sync: as after kill -9, what was written is on disk without a covering mark.
  }
  Recovered rec;
  auto log = Log::Open(o, &fs, &rec);
  ASSERT_TRUE(log.ok());
  EXPECT_EQ(rec.acked_through, 2u);
  ASSERT_EQ(rec.packets.size(), 3u);
  EXPECT_EQ(rec.packets.at(1).sequence, 1u);
  EXPECT_EQ(rec.packets.at(3).sequence, 3u);
  EXPECT_EQ(rec.packets.at(4).qos, 2);
  EXPECT_FALSE(rec.packets.contains(2));
  ASSERT_EQ(rec.pending.size(), 5u);
  EXPECT_EQ(rec.pending[3].packet_id, 4);
  EXPECT_EQ(rec.pending[4].packet_id, 0);
  // The mark survives in the next segment's checkpoint, and a new sync moves it on.
  ASSERT_TRUE((*log)->Append({.partition = "p", .topic = "t", .payload = "y"}).ok());
  ASSERT_TRUE((*log)->Close().ok());
  Recovered again;
  ASSERT_TRUE(Log::Open(o, &fs, &again).ok());
  EXPECT_EQ(again.acked_through, 6u);
}

// With LogOptions::content_hash, a packet id's latest message keeps its content hash after its
// batch was committed (uploaded): a QoS 1 redelivery of it is still recognised.
TEST(LogRecoveryTest, PacketRecordsCarryTheContentHashOfCommittedMessagesToo) {
  FakeFileSystem fs;
  LogOptions o = HashingOptions();
  {
    auto log = Log::Open(o, &fs, nullptr);
    ASSERT_TRUE(log.ok());
    ASSERT_TRUE((*log)->Append({.partition = "p", .topic = "tt", .payload = "xyz", .qos = 1,
                                .flags = kFlagPacketId, .packet_id = 5}).ok());
    ASSERT_TRUE((*log)->Commit({"p", 1, 1}).ok());
    ASSERT_TRUE((*log)->Sync().ok());
  }
  Recovered rec;
  ASSERT_TRUE(Log::Open(o, &fs, &rec).ok());
  EXPECT_TRUE(rec.pending.empty());
  ASSERT_TRUE(rec.packets.contains(5));
  EXPECT_TRUE(rec.packets.at(5).has_content_hash);
  EXPECT_EQ(rec.packets.at(5).content_hash, 2003u);
  o.content_hash = nullptr;
  Recovered without;
  ASSERT_TRUE(Log::Open(o, &fs, &without).ok());
  EXPECT_FALSE(without.packets.at(5).has_content_hash);
}

// mosquitto 2.0.11 can hold several unacknowledged QoS 1 messages under one packet id (it
// reuses an id while an older message under it waits for its PUBACK): recovery hands back every
// QoS 1 message with its id and content hash, in log order, not only the latest per id.
TEST(LogRecoveryTest, PacketHistoryHoldsEveryQos1MessageUnderAReusedIdInOrder) {
  FakeFileSystem fs;
  LogOptions o = HashingOptions();
  {
    auto log = Log::Open(o, &fs, nullptr);
    ASSERT_TRUE(log.ok());
    auto add = [&](uint16_t id, uint8_t qos, std::string_view payload) {
      ASSERT_TRUE((*log)->Append({.partition = "p", .topic = "t", .payload = payload,
                                  .qos = qos, .flags = kFlagPacketId, .packet_id = id}).ok());
    };
    add(7, 1, "a");     // seq 1
    add(8, 2, "bb");    // seq 2: QoS 2 state lives in `packets` only
    add(7, 1, "ccc");   // seq 3: id 7 reused while seq 1 may still be unacked at the broker
    ASSERT_TRUE((*log)->Commit({"p", 1, 3}).ok());  // uploaded: still in the history
    ASSERT_TRUE((*log)->Sync().ok());
  }
  Recovered rec;
  ASSERT_TRUE(Log::Open(o, &fs, &rec).ok());
  ASSERT_EQ(rec.packet_history.size(), 2u);
  EXPECT_EQ(rec.packet_history[0].packet_id, 7);
  EXPECT_EQ(rec.packet_history[0].record.sequence, 1u);
  EXPECT_EQ(rec.packet_history[0].record.content_hash, 1001u);
  EXPECT_EQ(rec.packet_history[1].packet_id, 7);
  EXPECT_EQ(rec.packet_history[1].record.sequence, 3u);
  EXPECT_EQ(rec.packet_history[1].record.content_hash, 1003u);
  EXPECT_EQ(rec.packets.at(7).sequence, 3u) << "the latest per id, as before";
  o.content_hash = nullptr;
  Recovered without;
  ASSERT_TRUE(Log::Open(o, &fs, &without).ok());
  EXPECT_TRUE(without.packet_history.empty()) << "useless without content hashes";
}

// Deleting a segment once its batches are uploaded lost the packet ids in it: after kill -9 x10
// at large scale (seed 101) the last restart knew 22,719 ids while mosquitto redelivered
// messages of every earlier run, 90,459 duplicates. retain_messages keeps them on disk.
TEST(LogRecoveryTest, RetainMessagesKeepsCommittedSegmentsForTheirPacketIds) {
  FakeFileSystem fs;
  LogOptions o = Options();
  o.segment_bytes = 4096;
  o.disk_budget_bytes = 1 << 20;
  o.retain_messages = 100;
  o.content_hash = [](std::string_view, std::string_view payload) { return payload.size(); };
  auto log = Log::Open(o, &fs, nullptr);
  ASSERT_TRUE(log.ok());
  const std::string payload(200, 'x');
  uint64_t seq = 0;
  auto add = [&](int n) {
    for (int i = 0; i < n; ++i) {
      auto s = (*log)->Append({.partition = "p", .topic = "t", .payload = payload, .qos = 1,
                               .flags = kFlagPacketId, .packet_id = uint16_t(seq % 65535 + 1)});
      ASSERT_TRUE(s.ok());
      seq = *s;
    }
  };
  add(60);  // several segments of ~18 messages
  ASSERT_TRUE((*log)->Commit({"p", 1, seq}).ok());
  auto deleted = (*log)->DeleteObsoleteSegments();
  ASSERT_TRUE(deleted.ok());
  EXPECT_EQ(*deleted, 0u) << "committed, but fewer than 100 messages came after them";
  {
    Recovered rec;
    ASSERT_TRUE(Log::Open(o, &fs, &rec).ok());  // read-only look at what a restart knows
    EXPECT_EQ(rec.packet_history.size(), 60u);
    EXPECT_TRUE(rec.pending.empty());
  }
  add(60);
  ASSERT_TRUE((*log)->Commit({"p", 2, seq}).ok());
  deleted = (*log)->DeleteObsoleteSegments();
  ASSERT_TRUE(deleted.ok());
  EXPECT_GT(*deleted, 0u) << "segments 100 messages behind the end go";
  Recovered rec;
  ASSERT_TRUE(Log::Open(o, &fs, &rec).ok());
  ASSERT_FALSE(rec.packet_history.empty());
  EXPECT_LE(rec.packet_history.front().record.sequence, seq - 100 + 1)
      << "the last 100 messages are all still known";
  EXPECT_LT(rec.packet_history.size(), 120u);
}

TEST(LogRecoveryTest, RetainMessagesYieldsWhenTheLogUsesOverHalfItsBudget) {
  FakeFileSystem fs;
  LogOptions o = Options();
  o.segment_bytes = 4096;
  o.disk_budget_bytes = 16384;  // 4 segments; retention only below 8 KiB in use
  o.retain_messages = 1000000;
  auto log = Log::Open(o, &fs, nullptr);
  ASSERT_TRUE(log.ok());
  const std::string payload(200, 'x');
  uint64_t seq = 0;
  for (int i = 0; i < 45; ++i) {  // ~10 KiB
    auto s = (*log)->Append({.partition = "p", .topic = "t", .payload = payload});
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    seq = *s;
  }
  ASSERT_TRUE((*log)->Commit({"p", 1, seq}).ok());
  auto deleted = (*log)->DeleteObsoleteSegments();
  ASSERT_TRUE(deleted.ok());
  EXPECT_GT(*deleted, 0u) << "space first: committed segments go when the budget is tight";
}

TEST(LogRecoveryTest, UnderSyncNeverEveryMessageCountsAsAcked) {
  FakeFileSystem fs;
  LogOptions o = Options();
  o.sync_policy = SyncPolicy::kNever;  // acked on append: flagged in the message itself
  {
    auto log = Log::Open(o, &fs, nullptr);
    ASSERT_TRUE(log.ok());
    for (uint16_t id = 1; id <= 3; ++id) {
      ASSERT_TRUE((*log)->Append({.partition = "p", .topic = "t", .payload = "x", .qos = 1,
                                  .flags = kFlagPacketId, .packet_id = id}).ok());
    }
  }
  Recovered rec;
  ASSERT_TRUE(Log::Open(o, &fs, &rec).ok());
  EXPECT_EQ(rec.acked_through, 3u);
  EXPECT_EQ(rec.packets.size(), 3u);
}

}  // namespace
}  // namespace mqtt2s3::wal
