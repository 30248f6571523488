// The backup consumer against the dev stack's mosquitto and RGW: what the converter does not
// confirm in time is uploaded under backup/, readable like any object, with the route's
// dedupe ids; confirmed messages are not; a kill -9 loses nothing.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>

#include "backup_test_util.h"
#include "confirm/confirmation.h"
#include "route/dedupe_id.h"
#include "converter_test_util.h"
#include "stack_env.h"

namespace mqtt2s3::backup {
namespace {

using namespace std::chrono_literals;
using namespace testutil;
using mqtt2s3::testing::StackEnv;
using mqtt2s3::testing::UniqueName;

constexpr uint64_t kMessages = 300;

std::unique_ptr<s3::Client> Client(const BackupOptions& o) {
  return converter::testutil::MakeClient(o.s3);
}

TEST(BackupIntegrationTest, UnconfirmedMessagesAreUploadedUnderBackupAfterTheTimeout) {
  const std::string name = UniqueName("bka");
  TempDir wal("bka-wal");
  BackupOptions o = StackOptions(name, wal.path(), 2s);
  RunningBackup backup(o);
  PublishSeqs(name, 0, kMessages);
  ASSERT_TRUE(WaitFor([&] { return backup.consumer().stats().uploaded >= kMessages; }, 30s))
      << "uploaded " << backup.consumer().stats().uploaded;
  ASSERT_TRUE(backup.Stop().ok());

  auto client = Client(o);
  const Found f = ReadObjects(*client, o, name, "backup/");
  EXPECT_EQ(f.copies.size(), kMessages);
  for (uint64_t s = 0; s < kMessages; ++s) EXPECT_EQ(f.copies.count(s), 1u) << "seq " << s;
  EXPECT_EQ(f.messages, kMessages);
  EXPECT_EQ(f.wrong_ids, 0u);
  EXPECT_EQ(f.instances.size(), 1u);
  EXPECT_EQ(f.instances.begin()->first, "it-backup");
  const BackupStats st = backup.consumer().stats();
  EXPECT_EQ(st.kept, kMessages);
  EXPECT_EQ(st.objects, f.objects);
  EXPECT_GT(st.commits, 0u);
  std::printf("[ counts ] published %llu, backup objects %zu holding %zu messages, commits %llu, "
              "WAL segments deleted %llu\n",
              static_cast<unsigned long long>(kMessages), f.objects, f.messages,
              static_cast<unsigned long long>(st.commits),
              static_cast<unsigned long long>(st.segments_deleted));
}

TEST(BackupIntegrationTest, ConfirmedMessagesAreNotUploaded) {
  const std::string name = UniqueName("bkb");
  TempDir wal("bkb-wal");
  BackupOptions o = StackOptions(name, wal.path(), 3s);
  RunningBackup backup(o);
  // Half the confirmations come before their messages (early), half after.
  std::vector<uint64_t> early, late;
  for (uint64_t s = 0; s < kMessages; s += 2) (s < kMessages / 2 ? early : late).push_back(s);
  PublishConfirmation(o, early);
  ASSERT_TRUE(WaitFor([&] { return backup.consumer().stats().confirmations >= 1; }, 10s));
  PublishSeqs(name, 0, kMessages);
  ASSERT_TRUE(WaitFor([&] { return backup.consumer().stats().received >= kMessages; }, 10s));
  PublishConfirmation(o, late);
  ASSERT_TRUE(WaitFor([&] { return backup.consumer().stats().uploaded >= kMessages / 2; }, 30s))
      << "uploaded " << backup.consumer().stats().uploaded;
  std::this_thread::sleep_for(1s);  // anything else due would be uploaded by now
  ASSERT_TRUE(backup.Stop().ok());

  const BackupStats st = backup.consumer().stats();
  EXPECT_EQ(st.early_matched, early.size());
  EXPECT_EQ(st.confirmed, late.size());
  EXPECT_EQ(st.uploaded, kMessages / 2);
  auto client = Client(o);
  const Found f = ReadObjects(*client, o, name, "backup/");
  EXPECT_EQ(f.messages, kMessages / 2);
  EXPECT_EQ(f.wrong_ids, 0u);
  for (uint64_t s = 0; s < kMessages; ++s) {
    EXPECT_EQ(f.copies.count(s), s % 2 ? 1u : 0u) << "seq " << s;
  }
  std::printf("[ counts ] published %llu, confirmed early %llu, confirmed late %llu, uploaded "
              "by the backup %zu (odd seqs only)\n",
              static_cast<unsigned long long>(kMessages),
              static_cast<unsigned long long>(st.early_matched),
              static_cast<unsigned long long>(st.confirmed), f.messages);
}

TEST(BackupIntegrationTest, AFullWalBudgetDelaysAcksAndLosesNothing) {
  const std::string name = UniqueName("bkw");
  TempDir wal("bkw-wal");
  BackupOptions o = StackOptions(name, wal.path(), 1s);
  o.wal.segment_bytes = 4096;
  o.wal.disk_budget_bytes = 16384;  // about 60 messages of the 300
  RunningBackup backup(o);
  PublishSeqs(name, 0, kMessages);
  ASSERT_TRUE(WaitFor([&] { return backup.consumer().stats().uploaded >= kMessages; }, 60s))
      << "uploaded " << backup.consumer().stats().uploaded;
  ASSERT_TRUE(backup.Stop().ok());
  const BackupStats st = backup.consumer().stats();
  EXPECT_GT(st.wal_full, 0u) << "the budget was never reached";
  EXPECT_GT(st.segments_deleted, 0u);
  auto client = Client(o);
  const Found f = ReadObjects(*client, o, name, "backup/");
  for (uint64_t s = 0; s < kMessages; ++s) EXPECT_EQ(f.copies.count(s), 1u) << "seq " << s;
  std::printf("[ counts ] published %llu, stored %zu; waited for WAL space %llu time(s), "
              "segments deleted %llu\n",
              static_cast<unsigned long long>(kMessages), f.messages,
              static_cast<unsigned long long>(st.wal_full),
              static_cast<unsigned long long>(st.segments_deleted));
}

TEST(BackupIntegrationTest, UnroutableMessagesAreDeadLetteredUnlessConfirmedByContentHash) {
  const std::string name = UniqueName("bke");
  TempDir wal("bke-wal");
  BackupOptions o = StackOptions(name, wal.path(), 2s);
  const std::string stray = name + "-stray/t";  // subscribed, but no route takes it
  o.session.subscriptions.push_back({name + "-stray/#", mqtt::QoS::kAtLeastOnce});
  RunningBackup backup(o);
  std::vector<converter::testutil::PubMessage> msgs;
  for (int i = 0; i < 10; ++i) msgs.push_back({stray, "stray " + std::to_string(i), ""});
  converter::testutil::PahoPublish(msgs);
  // The converter dead-letters such messages and confirms them with their content hash.
  confirm::ConfirmationEncoder enc;
  std::string payload;
  enc.Begin("it", o.dead_letter_bucket, "dead-letter/no_route/x", &payload);
  for (int i = 0; i < 5; ++i) {
    std::string id;
    route::AppendContentHash(stray, "stray " + std::to_string(i), &id);
    enc.AddId(id);
  }
  enc.Finish();
  converter::testutil::PahoPublish({{o.confirm_topic, payload, ""}});
  ASSERT_TRUE(WaitFor([&] { return backup.consumer().stats().dead_lettered >= 5; }, 30s));
  std::this_thread::sleep_for(500ms);
  ASSERT_TRUE(backup.Stop().ok());
  EXPECT_EQ(backup.consumer().stats().dead_lettered, 5u);
  auto client = Client(o);
  const auto objects = converter::testutil::ReadBucket(*client, o.dead_letter_bucket);
  std::set<std::string> bodies;
  for (const auto& [key, body] : objects) {
    EXPECT_EQ(key.rfind("dead-letter/no_route/", 0), 0u) << key;
    EXPECT_NE(key.find("it-backup-"), std::string::npos) << key;
    bodies.insert(body);
  }
  std::set<std::string> want;
  for (int i = 5; i < 10; ++i) want.insert("stray " + std::to_string(i));
  EXPECT_EQ(bodies, want);
}

// What WriteConfig varies.
struct ConfigSettings {
  int max_messages = 50;
  std::string max_age = "1s";
  std::string segment_size = "64KiB";  // of both WALs; a segment roll syncs
  std::string backup_lines;  // appended to the backup section, e.g. "  sync: never\n"
  std::string wal_lines;     // appended to the wal section
};

// Writes the YAML config the mqtt2s3 binary runs with (same shape as StackOptions).
std::string WriteConfig(const std::string& dir, const std::string& name,
                        const std::string& backup_dir, const std::string& timeout,
                        const ConfigSettings& x = {}) {
  const StackEnv& env = StackEnv::Get();
  const std::string path = dir + "/config.yaml";
  std::ofstream out(path);
  out << "instance_id: it\n"
      << "broker:\n  host: " << env.mqtt_host << "\n  port: " << env.mqtt_port
      << "\n  client_id: " << name << "\n"
      << "subscriptions:\n  - filter: \"" << name << "/#\"\n    qos: 1\n"
      << "s3:\n  endpoint: " << env.s3_endpoint << "\n  region: " << env.s3_region << "\n"
      << "routes:\n  - name: r\n    filter: \"" << name << "/#\"\n    bucket: " << name
      << "\n    index_key: \"{topic}\"\n"
      << "batch:\n  max_messages: " << x.max_messages << "\n  max_age: " << x.max_age << "\n"
      << "delivery:\n  confirm_topic: " << name << "-confirm\n"
      << "wal:\n  dir: " << dir << "/wal\n  segment_size: " << x.segment_size
      << "\n  disk_budget: 64MiB\n"
      << x.wal_lines
      << "backup:\n  dir: " << backup_dir << "\n  confirm_timeout: " << timeout << "\n"
      << x.backup_lines
      << "dead_letter:\n  bucket: " << name << "-dlq\n"
      << "metrics:\n  listen: \"\"\n"  // tests must not depend on a free fixed port
      << "service:\n  shutdown_grace: 10s\n";
  return path;
}

TEST(BackupIntegrationTest, AKillMinus9AfterReceivingLosesNothing) {
  const std::string name = UniqueName("bkc");
  TempDir dir("bkc");
  BackupOptions o = StackOptions(name, dir.path() + "/backup", 2s);
  const std::string config = WriteConfig(dir.path(), name, dir.path() + "/backup", "2s");
  const std::string log = dir.path() + "/backup.log";
  {
    ChildProcess first({"backup", "--config", config}, log);
    ASSERT_TRUE(first.WaitForLog("backup: subscribed", 15s)) << "see " << log;
    PublishSeqs(name, 0, kMessages);
    // Received (and acked once synced) within well under the 2 s timeout; killed before any
    // upload.
    std::this_thread::sleep_for(500ms);
    first.Kill9();
  }
  // Published while it is down: the persistent session queues them.
  PublishSeqs(name, kMessages, kMessages);
  auto client = Client(o);
  ChildProcess second({"backup", "--config", config}, log);
  ASSERT_TRUE(second.WaitForLog("recovered", 15s));
  Found f;
  ASSERT_TRUE(WaitFor(
      [&] {
        f = ReadObjects(*client, o, name, "backup/");
        return f.copies.size() >= 2 * kMessages;
      },
      40s))
      << "found " << f.copies.size() << " of " << 2 * kMessages << "; see " << log;
  const std::string recovered = second.LastLogLine("pending message(s)");
  EXPECT_EQ(second.Terminate(), 0);
  std::printf("[ restart ] %s\n", recovered.c_str());
  for (uint64_t s = 0; s < 2 * kMessages; ++s) EXPECT_GE(f.copies.count(s), 1u) << "seq " << s;
  EXPECT_EQ(f.wrong_ids, 0u);
  size_t duplicates = f.messages - f.copies.size();
  std::printf("[ counts ] published %llu (half while the backup was down), found %zu distinct "
              "in %zu backup objects, duplicates %zu\n",
              static_cast<unsigned long long>(2 * kMessages), f.copies.size(), f.objects,
              duplicates);
}

TEST(BackupIntegrationTest, AKillMinus9BeforeItsAcksKeepsOneCopyOfTheRedeliveries) {
  const std::string name = UniqueName("bkr");
  TempDir dir("bkr");
  BackupOptions o = StackOptions(name, dir.path() + "/backup", 2s);
  // No fsync (hence no ack) for a minute: the kill finds every message written but unacked.
  ConfigSettings x;
  x.backup_lines = "  sync: every-messages\n";
  x.wal_lines = "  sync_every_messages: 1000000\n  sync_interval: 60s\n";
  x.segment_size = "4MiB";
  const std::string config = WriteConfig(dir.path(), name, dir.path() + "/backup", "2s", x);
  const std::string log = dir.path() + "/backup.log";
  {
    ChildProcess first({"backup", "--config", config}, log);
    ASSERT_TRUE(first.WaitForLog("backup: subscribed", 15s)) << "see " << log;
    PublishSeqs(name, 0, kMessages);
    std::this_thread::sleep_for(500ms);
    first.Kill9();
  }
  auto client = Client(o);
  ChildProcess second({"backup", "--config", config}, log);
  Found f;
  ASSERT_TRUE(WaitFor(
      [&] {
        f = ReadObjects(*client, o, name, "backup/");
        return f.copies.size() >= kMessages;
      },
      40s))
      << "found " << f.copies.size() << " of " << kMessages << "; see " << log;
  std::this_thread::sleep_for(1s);  // anything redelivered and kept twice would be due too
  f = ReadObjects(*client, o, name, "backup/");
  EXPECT_EQ(second.Terminate(), 0);
  const std::string recovered = second.LastLogLine("pending message(s)");
  const std::string summary = second.LastLogLine("backup stopped");
  for (uint64_t s = 0; s < kMessages; ++s) EXPECT_EQ(f.copies.count(s), 1u) << "seq " << s;
  EXPECT_NE(summary.find("redeliveries " + std::to_string(kMessages)), std::string::npos)
      << summary;
  std::printf("[ counts ] published %llu, found %zu distinct, duplicates %zu\n[ restart ] %s\n"
              "[ backup ] %s\n",
              static_cast<unsigned long long>(kMessages), f.copies.size(),
              f.messages - f.copies.size(), recovered.c_str(), summary.c_str());
}

// The fault the backup consumer exists for: the converter's machine is lost (kill -9 and its
// WAL deleted) and never comes back. Whatever it had not stored, and everything published
// after, is stored by the backup: the union of both holds every published message.
TEST(BackupIntegrationTest, ConverterKilledWithItsWalDeletedTheBackupFillsTheGap) {
  const std::string name = UniqueName("bkd");
  TempDir dir("bkd");
  BackupOptions o = StackOptions(name, dir.path() + "/backup", 3s);
  // Batches of 100 per partition (3 partitions), no age flush within the test: the first n
  // messages fill whole batches (stored and confirmed at once), the next 150 sit in open
  // batches and the converter's WAL when it is killed: both lost with its machine. Larger
  // scale: MQTT2S3_BACKUP_FAULT_MESSAGES=50000.
  ConfigSettings x;
  x.max_messages = 100;
  x.max_age = "10m";
  const std::string config = WriteConfig(dir.path(), name, dir.path() + "/backup", "3s", x);
  ChildProcess backup({"backup", "--config", config}, dir.path() + "/backup.log");
  ASSERT_TRUE(backup.WaitForLog("backup: subscribed", 15s)) << "see " << dir.path();
  auto converter = std::make_unique<ChildProcess>(
      std::vector<std::string>{"run", "--config", config}, dir.path() + "/converter.log");
  ASSERT_TRUE(converter->WaitForLog("subscribed", 15s)) << "see " << dir.path();

  const uint64_t n = FaultMessages();
  const uint64_t open = kMessages / 2;  // 50 per partition: below max_messages
  auto client = Client(o);
  PublishSeqs(name, 0, n);  // whole batches: stored and confirmed by the converter
  Found f;
  ASSERT_TRUE(WaitFor(
      [&] {
        f = ReadObjects(*client, o, name, "");
        return f.instance_messages["it"] >= n;
      },
      std::chrono::seconds(30 + n / 500)))
      << "the converter stored " << f.instance_messages["it"] << " of " << n;
  PublishSeqs(name, n, open);  // acked into its WAL, batches still open
  std::this_thread::sleep_for(300ms);
  converter->Kill9();
  converter.reset();
  std::filesystem::remove_all(dir.path() + "/wal");
  PublishSeqs(name, n + open, n);  // queued for the dead converter's session

  const uint64_t total = 2 * n + open;
  ASSERT_TRUE(WaitFor(
      [&] {
        f = ReadObjects(*client, o, name, "");
        return f.copies.size() >= total;
      },
      std::chrono::seconds(60 + n / 200)))
      << "found " << f.copies.size() << " of " << total << "; see " << dir.path();
  EXPECT_EQ(backup.Terminate(), 0);
  const std::string summary = backup.LastLogLine("backup stopped");
  for (uint64_t s = 0; s < total; ++s) EXPECT_GE(f.copies.count(s), 1u) << "seq " << s;
  EXPECT_EQ(f.wrong_ids, 0u);
  EXPECT_GT(f.instance_messages["it"], 0u) << "the converter stored nothing before the kill";
  EXPECT_GE(f.instance_messages["it-backup"], n + open);
  std::printf("[ counts ] published %llu; converter objects hold %zu, backup objects %zu; "
              "distinct %zu (all), duplicates %zu\n[ backup ] %s\n",
              static_cast<unsigned long long>(total), f.instance_messages["it"],
              f.instance_messages["it-backup"], f.copies.size(), f.messages - f.copies.size(),
              summary.c_str());
}

}  // namespace
}  // namespace mqtt2s3::backup
