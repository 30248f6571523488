// Writer + Reader framing tests, modelled on LevelDB's log_test.cc.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "wal/crc32c.h"
#include "wal/reader.h"
#include "wal/writer.h"

namespace mqtt2s3::wal {
namespace {

class StringFile final : public File {
 public:
  std::string contents;
  Status Append(std::string_view d) override {
    contents.append(d);
    return Status::Ok();
  }
  Status Sync() override { return Status::Ok(); }
  Status Close() override { return Status::Ok(); }
};

// A record of `n` bytes whose content depends on `i`, so misplaced bytes are caught.
std::string Big(size_t i, size_t n) {
  std::string s(n, 'a');
  for (size_t k = 0; k < n; ++k) s[k] = static_cast<char>('a' + (i * 7 + k) % 26);
  return s;
}

class WriterReaderTest : public ::testing::Test {
 protected:
  void Write(std::string_view rec) {
    const uint64_t expected = writer_.FramedSize(rec.size());
    const uint64_t before = file_.contents.size();
    ASSERT_TRUE(writer_.AddRecord(rec).ok());
    EXPECT_EQ(file_.contents.size() - before, expected);
    offsets_.push_back(before);
  }
  // Reads everything; corruption reports land in reports_.
  std::vector<std::string> ReadAll(bool tail_is_benign = true) {
    reader_ = std::make_unique<Reader>(file_.contents, "wal-x.log", tail_is_benign,
                                       [this](const ReaderCorruption& c) { reports_.push_back(c); });
    std::vector<std::string> out;
    std::string rec;
    uint64_t off = 0;
    while (reader_->ReadRecord(&rec, &off)) out.push_back(rec);
    return out;
  }
  void SetByte(size_t at, char v) { file_.contents[at] = v; }
  void FixChecksum(size_t header_offset, size_t len) {
    const char* h = file_.contents.data() + header_offset;
    uint32_t crc = crc32c::Mask(crc32c::Extend(crc32c::Value(h + 6, 1), h + kHeaderSize, len));
    for (int i = 0; i < 4; ++i) file_.contents[header_offset + i] = static_cast<char>(crc >> (8 * i));
  }

  StringFile file_;
  Writer writer_{&file_, 0};
  std::unique_ptr<Reader> reader_;
  std::vector<uint64_t> offsets_;
  std::vector<ReaderCorruption> reports_;
};

TEST_F(WriterReaderTest, EmptyFileHasNoRecords) {
  EXPECT_TRUE(ReadAll().empty());
  EXPECT_FALSE(reader_->torn_tail());
}

TEST_F(WriterReaderTest, SmallEmptyAndLargeRecordsRoundTrip) {
  const std::vector<std::string> recs = {"foo", "", "bar", Big(1, 100000), "x", Big(2, kBlockSize),
                                         Big(3, kBlockSize - kHeaderSize)};
  for (const auto& r : recs) Write(r);
  EXPECT_EQ(ReadAll(), recs);
  EXPECT_TRUE(reports_.empty());
  EXPECT_EQ(reader_->valid_end(), file_.contents.size());
}

TEST_F(WriterReaderTest, ManyRecordsAcrossBlockBoundariesRoundTrip) {
  std::vector<std::string> recs;
  for (size_t i = 0; i < 3000; ++i) recs.push_back(Big(i, (i * 131) % 997));
  for (const auto& r : recs) Write(r);
  ASSERT_GT(file_.contents.size(), 20 * kBlockSize);
  EXPECT_EQ(ReadAll(), recs);
  EXPECT_TRUE(reports_.empty());
}

TEST_F(WriterReaderTest, TrailerShorterThanAHeaderIsSkipped) {
  // Leaves exactly 6 (< kHeaderSize) bytes at the end of the first block.
  const std::string first = Big(0, kBlockSize - 2 * kHeaderSize - 6);
  Write(first);
  Write("");
  Write("next");
  EXPECT_EQ(offsets_[2] % kBlockSize, kBlockSize - 6);
  EXPECT_EQ(ReadAll(), (std::vector<std::string>{first, "", "next"}));
  EXPECT_EQ(file_.contents.size(), kBlockSize + kHeaderSize + 4);
}

TEST_F(WriterReaderTest, ReopenedWriterKeepsBlocksAligned) {
  Write(Big(0, 40000));
  Writer again(&file_, file_.contents.size());
  ASSERT_TRUE(again.AddRecord(Big(1, 50000)).ok());
  EXPECT_EQ(ReadAll(), (std::vector<std::string>{Big(0, 40000), Big(1, 50000)}));
}

TEST_F(WriterReaderTest, TornTailAtEveryOffsetOfTheLastRecordIsDroppedSilently) {
  std::vector<std::string> recs = {"one", Big(1, 5000), Big(2, 70000)};
  for (const auto& r : recs) Write(r);
  const std::string full = file_.contents;
  const std::vector<std::string> earlier(recs.begin(), recs.end() - 1);
  for (size_t cut = offsets_.back() + 1; cut < full.size(); ++cut) {
    file_.contents = full.substr(0, cut);
    reports_.clear();
    ASSERT_EQ(ReadAll(), earlier) << "cut at " << cut;
    EXPECT_TRUE(reports_.empty()) << "cut at " << cut;
    EXPECT_TRUE(reader_->torn_tail()) << "cut at " << cut;
    EXPECT_EQ(reader_->valid_end(), offsets_.back()) << "cut at " << cut;
  }
}

TEST_F(WriterReaderTest, TornTailIsReportedWhenTheTailIsNotBenign) {
  Write("one");
  Write(Big(1, 100));
  file_.contents.resize(file_.contents.size() - 10);
  EXPECT_EQ(ReadAll(/*tail_is_benign=*/false), std::vector<std::string>{"one"});
  ASSERT_EQ(reports_.size(), 1u);
  EXPECT_EQ(reports_[0].offset, offsets_[1]);
  EXPECT_NE(reports_[0].ToString().find("wal-x.log offset"), std::string::npos);
}

TEST_F(WriterReaderTest, ByteFlipInTheMiddleIsReportedAndLaterBlocksRecover) {
  std::vector<std::string> recs;
  for (size_t i = 0; i < 200; ++i) recs.push_back(Big(i, 1000));
  for (const auto& r : recs) Write(r);
  SetByte(offsets_[5] + kHeaderSize + 10, 'Z' + 1);  // inside record 5, block 0
  const std::vector<std::string> got = ReadAll();
  ASSERT_EQ(reports_.size(), 2u);
  EXPECT_EQ(reports_[0].file, "wal-x.log");
  EXPECT_EQ(reports_[0].offset, offsets_[5]);
  EXPECT_EQ(reports_[0].reason, "checksum mismatch");
  // Records 0-4 precede the damage; the rest of block 0 is dropped; record 32 is split by
  // the block boundary (its FIRST fragment was dropped), so recovery resumes at 33.
  EXPECT_EQ(reports_[0].bytes, kBlockSize - offsets_[5]);
  EXPECT_EQ(reports_[1].offset, kBlockSize);
  EXPECT_EQ(reports_[1].reason, "fragment without the start of its record");
  ASSERT_EQ(got.size(), 5u + (200 - 33));
  EXPECT_EQ(got[4], recs[4]);
  EXPECT_EQ(got[5], recs[33]);
  EXPECT_EQ(got.back(), recs.back());
  EXPECT_GT(reader_->reported_bytes(), 0u);
}

TEST_F(WriterReaderTest, FixedUpChecksumWithAWrongShorterLengthIsReported) {
  for (size_t i = 0; i < 100; ++i) Write(Big(i, 1000));
  const size_t h = offsets_[3];
  SetByte(h + 4, static_cast<char>(100));  // 1000 -> 100 bytes
  SetByte(h + 5, 0);
  FixChecksum(h, 100);
  const std::vector<std::string> got = ReadAll();
  // The shortened record passes its checksum; the bytes after it are not a valid header.
  ASSERT_GE(got.size(), 4u);
  EXPECT_EQ(got[3], Big(3, 1000).substr(0, 100));
  ASSERT_FALSE(reports_.empty());
  EXPECT_EQ(reports_[0].offset, h + kHeaderSize + 100);
  EXPECT_EQ(got.back(), Big(99, 1000));
}

TEST_F(WriterReaderTest, LengthBeyondTheBlockIsReportedAsBadLength) {
  for (size_t i = 0; i < 100; ++i) Write(Big(i, 1000));
  SetByte(offsets_[2] + 5, static_cast<char>(0xff));  // length > 32 KiB
  (void)ReadAll();
  ASSERT_FALSE(reports_.empty());
  EXPECT_EQ(reports_[0].offset, offsets_[2]);
  EXPECT_NE(reports_[0].reason.find("bad record length"), std::string::npos);
}

TEST_F(WriterReaderTest, LostFirstFragmentDropsTheRestOfThatRecord) {
  Write("a");
  Write(Big(1, 3 * kBlockSize));  // FIRST in block 0, MIDDLE in 1-2, LAST in 3
  Write("b");
  Write(Big(2, kBlockSize));  // ensures the damage is not the tail
  SetByte(offsets_[1] + kHeaderSize + 1, '#');
  EXPECT_EQ(ReadAll(), (std::vector<std::string>{"a", "b", Big(2, kBlockSize)}));
  ASSERT_GE(reports_.size(), 2u);
  EXPECT_EQ(reports_[0].reason, "checksum mismatch");
  EXPECT_EQ(reports_[1].reason, "fragment without the start of its record");
}

TEST_F(WriterReaderTest, ZeroFilledTailIsATornTail) {
  Write("one");
  file_.contents.append(100, '\0');
  EXPECT_EQ(ReadAll(), std::vector<std::string>{"one"});
  EXPECT_TRUE(reports_.empty());
  EXPECT_TRUE(reader_->torn_tail());
  EXPECT_EQ(reader_->tail_bytes(), 100u);
}

}  // namespace
}  // namespace mqtt2s3::wal

namespace mqtt2s3::wal {
namespace {

class CountingFile final : public File {
 public:
  std::string contents;
  int appends = 0;
  Status Append(std::string_view d) override {
    ++appends;
    contents.append(d);
    return Status::Ok();
  }
  Status Sync() override { return Status::Ok(); }
  Status Close() override { return Status::Ok(); }
};

TEST(BufferedWriter, CollectsRecordsAndWritesThemOnceWithTheSameBytes) {
  CountingFile plain, buffered;
  Writer a(&plain, 0);
  Writer b(&buffered, 0, /*buffer_bytes=*/64 << 10);
  for (size_t i = 0; i < 100; ++i) {
    const std::string rec = Big(i, 10 + i * 5);  // 26 KiB in all: below the buffer
    ASSERT_TRUE(a.AddRecord(rec).ok());
    ASSERT_TRUE(b.AddRecord(rec).ok());
  }
  EXPECT_EQ(plain.appends, 100);
  EXPECT_EQ(buffered.appends, 0) << "nothing written before the buffer fills or Flush";
  EXPECT_EQ(b.file_size(), a.file_size()) << "file_size counts buffered bytes";
  ASSERT_TRUE(b.Flush().ok());
  EXPECT_EQ(buffered.appends, 1);
  EXPECT_EQ(buffered.contents, plain.contents) << "same framing, same bytes";
  ASSERT_TRUE(b.Flush().ok());
  EXPECT_EQ(buffered.appends, 1) << "an empty flush writes nothing";
}

TEST(BufferedWriter, WritesWhenTheBufferFills) {
  CountingFile f;
  Writer w(&f, 0, /*buffer_bytes=*/1000);
  for (size_t i = 0; i < 30; ++i) ASSERT_TRUE(w.AddRecord(Big(i, 93)).ok());  // 100 B framed
  EXPECT_EQ(f.appends, 3);
  EXPECT_EQ(f.contents.size(), 3000u);
  ASSERT_TRUE(w.Flush().ok());
  EXPECT_EQ(f.contents.size(), w.file_size());
}

}  // namespace
}  // namespace mqtt2s3::wal
