#include <gtest/gtest.h>

#include <string>

#include "upload/fake_s3_transport.h"
#include "upload/object_transfer.h"
#include "upload/uploader.h"
#include "upload/uploader_test_util.h"

namespace mqtt2s3::upload {
namespace {

using testing::FakeS3;
using testing::FakeS3Transport;
using testing::FastOptions;
using testing::Request;
using testing::Results;
using Op = testing::FakeS3Transport::Op;

// Bytes that differ per position, so a part out of place changes the object.
std::string Pattern(size_t n) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; ++i) s[i] = static_cast<char>((i * 131 + i / 4093) & 0xff);
  return s;
}

constexpr size_t kBody = 20 * kMiB + 1;

TEST(PlanPartsTest, CutsTwentyMiBPlusOneIntoTwoFullPartsAndARest) {
  const auto parts = PlanParts(kBody, 8 * kMiB);
  ASSERT_EQ(parts.size(), 3u);
  EXPECT_EQ(parts[0].number, 1);
  EXPECT_EQ(parts[0].offset, 0u);
  EXPECT_EQ(parts[0].length, 8 * kMiB);
  EXPECT_EQ(parts[1].number, 2);
  EXPECT_EQ(parts[1].offset, 8 * kMiB);
  EXPECT_EQ(parts[2].number, 3);
  EXPECT_EQ(parts[2].offset, 16 * kMiB);
  EXPECT_EQ(parts[2].length, 4 * kMiB + 1);
}

TEST(PlanPartsTest, ExactMultipleHasNoEmptyTail) {
  const auto parts = PlanParts(16 * kMiB, 8 * kMiB);
  ASSERT_EQ(parts.size(), 2u);
  EXPECT_EQ(parts[1].length, 8 * kMiB);
}

TEST(PlanPartsTest, HugeBodiesGetLargerPartsToStayWithinTenThousand) {
  const size_t size = size_t{100} << 30;  // 100 GiB at 5 MiB would need 20,480 parts
  const auto parts = PlanParts(size, 5 * kMiB);
  EXPECT_LE(parts.size(), kMaxParts);
  EXPECT_EQ(parts[0].length % kMiB, 0u);
  size_t total = 0;
  for (const auto& p : parts) {
    EXPECT_EQ(p.offset, total);
    total += p.length;
  }
  EXPECT_EQ(total, size);
}

TEST(PlanPartsTest, SameSizeAlwaysYieldsTheSameParts) {
  const auto a = PlanParts(kBody, 8 * kMiB);
  const auto b = PlanParts(kBody, 8 * kMiB);
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].offset, b[i].offset);
    EXPECT_EQ(a[i].length, b[i].length);
  }
}

TEST(UploaderMultipartTest, LargeBodyGoesUpAsOrderedPartsAndReadsBackIdentical) {
  FakeS3 s3;
  Uploader up(s3.client, FastOptions());  // threshold 16 MiB, parts 8 MiB
  Results results;
  const std::string body = Pattern(kBody);
  UploadRequest req = Request("big.jsonl", body, 9);
  req.content_type = "application/x-ndjson";
  req.metadata["index"] = "inline";
  ASSERT_TRUE(up.Submit(std::move(req), results.Callback()).ok());
  ASSERT_TRUE(results.WaitFor(1));
  const UploadResult r = results.Get()[0];
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_TRUE(r.multipart);
  EXPECT_EQ(r.parts, 3);
  EXPECT_EQ(r.attempts, 5);  // create + 3 parts + complete

  std::vector<FakeS3Transport::Recorded> parts;
  for (const auto& rec : s3.fake->Requests()) {
    if (rec.op == Op::kUploadPart) parts.push_back(rec);
    if (rec.op == Op::kCreateMultipart) {
      EXPECT_EQ(rec.content_type, "application/x-ndjson");
    }
  }
  ASSERT_EQ(parts.size(), 3u);
  EXPECT_EQ(parts[0].part_number, 1);
  EXPECT_EQ(parts[0].body_size, 8 * kMiB);
  EXPECT_EQ(parts[1].part_number, 2);
  EXPECT_EQ(parts[1].body_size, 8 * kMiB);
  EXPECT_EQ(parts[2].part_number, 3);
  EXPECT_EQ(parts[2].body_size, 4 * kMiB + 1);
  EXPECT_EQ(s3.fake->Count(Op::kCreateMultipart), 1);
  EXPECT_EQ(s3.fake->Count(Op::kComplete), 1);
  EXPECT_EQ(s3.fake->Count(Op::kPutObject), 0);
  EXPECT_TRUE(s3.fake->Object("bucket", "big.jsonl") == body);
  EXPECT_EQ(up.stats().multipart_uploads, 1u);
  EXPECT_EQ(up.stats().parts_uploaded, 3u);
}

TEST(UploaderMultipartTest, BodyAtTheThresholdUsesOnePut) {
  FakeS3 s3;
  Uploader up(s3.client, FastOptions());
  Results results;
  ASSERT_TRUE(up.Submit(Request("edge", std::string(16 * kMiB, 'e')), results.Callback()).ok());
  ASSERT_TRUE(results.WaitFor(1));
  EXPECT_TRUE(results.Get()[0].status.ok());
  EXPECT_FALSE(results.Get()[0].multipart);
  EXPECT_EQ(s3.fake->Count(Op::kPutObject), 1);
  EXPECT_EQ(s3.fake->Count(Op::kCreateMultipart), 0);
}

TEST(UploaderMultipartTest, FailedPartIsRetriedAlone) {
  FakeS3 s3;
  s3.fake->Script(Op::kUploadPart, {std::nullopt, FakeS3Transport::Http(500, "InternalError")});
  Uploader up(s3.client, FastOptions());
  Results results;
  const std::string body = Pattern(kBody);
  ASSERT_TRUE(up.Submit(Request("big", body), results.Callback()).ok());
  ASSERT_TRUE(results.WaitFor(1));
  ASSERT_TRUE(results.Get()[0].status.ok());
  EXPECT_EQ(results.Get()[0].attempts, 6);
  std::vector<int> numbers;
  for (const auto& rec : s3.fake->Requests()) {
    if (rec.op == Op::kUploadPart) numbers.push_back(rec.part_number);
  }
  EXPECT_EQ(numbers, (std::vector<int>{1, 2, 2, 3}));
  EXPECT_TRUE(s3.fake->Object("bucket", "big") == body);
}

TEST(UploaderMultipartTest, PermanentPartFailureAbortsTheUpload) {
  FakeS3 s3;
  s3.fake->Script(Op::kUploadPart, {std::nullopt, FakeS3Transport::Http(403, "AccessDenied")});
  Uploader up(s3.client, FastOptions());
  Results results;
  ASSERT_TRUE(up.Submit(Request("big", Pattern(kBody)), results.Callback()).ok());
  ASSERT_TRUE(results.WaitFor(1));
  const UploadResult r = results.Get()[0];
  EXPECT_EQ(r.status.code(), StatusCode::kPermissionDenied);
  EXPECT_NE(r.status.message().find("UploadPart"), std::string::npos);
  EXPECT_EQ(s3.fake->Count(Op::kAbort), 1);
  EXPECT_EQ(s3.fake->Count(Op::kComplete), 0);
  EXPECT_EQ(s3.fake->OpenMultipartUploads(), 0u) << "no orphaned parts";
  EXPECT_FALSE(s3.fake->Object("bucket", "big").has_value());
  EXPECT_EQ(up.stats().multipart_aborts, 1u);
}

TEST(UploaderMultipartTest, AbortIsRetriedWhenItFailsRetryably) {
  FakeS3 s3;
  s3.fake->Script(Op::kComplete, {FakeS3Transport::Http(400, "MalformedXML")});
  s3.fake->Script(Op::kAbort, {FakeS3Transport::Http(503)});
  Uploader up(s3.client, FastOptions());
  Results results;
  ASSERT_TRUE(up.Submit(Request("big", Pattern(kBody)), results.Callback()).ok());
  ASSERT_TRUE(results.WaitFor(1));
  EXPECT_EQ(results.Get()[0].status.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s3.fake->Count(Op::kAbort), 2);
  EXPECT_EQ(s3.fake->OpenMultipartUploads(), 0u);
}

TEST(UploaderMultipartTest, CompleteAnswering200WithAnErrorBodyIsRetried) {
  FakeS3 s3;
  s3.fake->Script(Op::kComplete,
                  {s3::HttpResponse{200, {}, "<Error><Code>InternalError</Code><Message>try "
                                             "again</Message></Error>"}});
  Uploader up(s3.client, FastOptions());
  Results results;
  const std::string body = Pattern(kBody);
  ASSERT_TRUE(up.Submit(Request("big", body), results.Callback()).ok());
  ASSERT_TRUE(results.WaitFor(1));
  EXPECT_TRUE(results.Get()[0].status.ok()) << results.Get()[0].status.ToString();
  EXPECT_EQ(s3.fake->Count(Op::kComplete), 2);
  EXPECT_TRUE(s3.fake->Object("bucket", "big") == body);
}

TEST(UploaderMultipartTest, ParkedMultipartResumesWithoutResendingDoneParts) {
  FakeS3 s3;
  const auto e503 = FakeS3Transport::Http(503);
  // Part 2 fails max_attempts (3) times: parked; the parked round's single try then succeeds.
  s3.fake->Script(Op::kUploadPart, {std::nullopt, e503, e503, e503});
  Uploader up(s3.client, FastOptions());
  Results results;
  const std::string body = Pattern(kBody);
  ASSERT_TRUE(up.Submit(Request("big", body), results.Callback()).ok());
  ASSERT_TRUE(results.WaitFor(1));
  const UploadResult r = results.Get()[0];
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_TRUE(r.was_parked);
  EXPECT_EQ(s3.fake->Count(Op::kCreateMultipart), 1);
  std::vector<int> numbers;
  for (const auto& rec : s3.fake->Requests()) {
    if (rec.op == Op::kUploadPart) numbers.push_back(rec.part_number);
  }
  EXPECT_EQ(numbers, (std::vector<int>{1, 2, 2, 2, 2, 3}));
  EXPECT_TRUE(s3.fake->Object("bucket", "big") == body);
  EXPECT_TRUE(up.Healthy());
  EXPECT_EQ(up.stats().parked_total, 1u);
}

TEST(UploaderMultipartTest, ForgottenUploadIdRestartsTheUpload) {
  FakeS3 s3;
  s3.fake->Script(Op::kUploadPart, {std::nullopt, FakeS3Transport::Http(404, "NoSuchUpload")});
  Uploader up(s3.client, FastOptions());
  Results results;
  const std::string body = Pattern(kBody);
  ASSERT_TRUE(up.Submit(Request("big", body), results.Callback()).ok());
  ASSERT_TRUE(results.WaitFor(1));
  ASSERT_TRUE(results.Get()[0].status.ok()) << results.Get()[0].status.ToString();
  EXPECT_EQ(s3.fake->Count(Op::kCreateMultipart), 2);
  EXPECT_EQ(results.Get()[0].parts, 3);
  EXPECT_TRUE(s3.fake->Object("bucket", "big") == body);
}

TEST(UploaderMultipartTest, CompleteWhoseAnswerWasLostIsRecognisedByHeadObject) {
  FakeS3 s3;
  const std::string body = Pattern(kBody);
  // As if the first Complete had stored the object and its answer was lost.
  s3.fake->PutStored("bucket", "big", body);
  s3.fake->Script(Op::kComplete, {FakeS3Transport::Http(404, "NoSuchUpload")});
  Uploader up(s3.client, FastOptions());
  Results results;
  ASSERT_TRUE(up.Submit(Request("big", body), results.Callback()).ok());
  ASSERT_TRUE(results.WaitFor(1));
  EXPECT_TRUE(results.Get()[0].status.ok()) << results.Get()[0].status.ToString();
  EXPECT_EQ(s3.fake->Count(Op::kHeadObject), 1);
  EXPECT_EQ(s3.fake->Count(Op::kCreateMultipart), 1);
}

TEST(UploaderMultipartTest, StopAbortsAParkedMultipartUpload) {
  FakeS3 s3;
  s3.fake->Script(Op::kUploadPart, {std::nullopt});
  s3.fake->FailAlways(Op::kComplete, FakeS3Transport::Http(503));
  UploaderOptions o = FastOptions();
  o.parked_retry_interval = std::chrono::hours(1);
  Uploader up(s3.client, o);
  Results results;
  ASSERT_TRUE(up.Submit(Request("big", Pattern(kBody)), results.Callback()).ok());
  ASSERT_TRUE(testing::Eventually([&] { return up.stats().parked == 1; }));
  EXPECT_EQ(s3.fake->OpenMultipartUploads(), 1u);
  up.Stop();
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results.Get()[0].status.code(), StatusCode::kCancelled);
  EXPECT_EQ(s3.fake->Count(Op::kAbort), 1);
  EXPECT_EQ(s3.fake->OpenMultipartUploads(), 0u);
}

}  // namespace
}  // namespace mqtt2s3::upload
