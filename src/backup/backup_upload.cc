// Upload half of the backup consumer: messages unconfirmed past the timeout are routed with
// the converter's routes, cut into objects per partition, written in the object format and
// uploaded under the backup's prefix and instance; then the WAL is committed up to the lowest
// sequence still pending or uploading.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/post.hpp>
#include <map>

#include "backup/backup_consumer_impl.h"
#include "converter/object_metadata.h"
#include "route/dead_letter.h"

namespace mqtt2s3::backup {
namespace {

using Clock = std::chrono::system_clock;

Clock::time_point FromMs(int64_t ms) { return Clock::time_point(std::chrono::milliseconds(ms)); }

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             Clock::now().time_since_epoch())
      .count();
}

}  // namespace

void BackupConsumer::Impl::UploadExpired() {
  std::vector<uint64_t> expired;
  pending_.TakeExpired(NowMs(), &expired);
  if (expired.empty()) return;
  Count([&](BackupStats& s) { s.expired += expired.size(); });
  // Partition -> its messages in sequence order; std::map keeps the object order stable.
  std::map<std::pair<size_t, std::string>, std::vector<Routed>> partitions;
  for (uint64_t seq : expired) {
    const Kept& k = kept_.at(seq);
    uploading_.insert(seq);
    // The stored receive time makes routing (event-time fallback, time placeholders) give
    // the same answer as on arrival.
    if (!backup_router_->Route(k.topic, k.payload, FromMs(k.receive_ms), seq, &route_result_)) {
      SubmitDeadLetter(seq, route_result_);
      continue;
    }
    partitions[{static_cast<size_t>(route_result_.route_index), route_result_.partition}]
        .push_back({seq, route_result_.event_time_ms, route_result_.index_key});
  }
  for (const auto& [where, messages] : partitions) {
    SubmitObjects(where.first, where.second, messages);
  }
  spdlog::info("backup: {} message(s) unconfirmed after {} ms: uploading in {} partition(s)",
               expired.size(), options_.confirm_timeout.count(), partitions.size());
}

void BackupConsumer::Impl::SubmitObjects(size_t route_index, std::string_view partition,
                                         const std::vector<Routed>& messages) {
  // Cut like the converter's batches: at max_messages, and before max_bytes would be passed.
  const batch::FlushPolicy& policy = options_.PolicyFor(route_index);
  size_t begin = 0, bytes = 0;
  for (size_t i = 0; i < messages.size(); ++i) {
    const Kept& k = kept_.at(messages[i].sequence);
    const size_t size = k.topic.size() + k.payload.size() + k.id.size();
    const bool full_count = policy.max_messages != 0 && i - begin == policy.max_messages;
    const bool full_bytes = policy.max_bytes != 0 && i > begin && bytes + size > policy.max_bytes;
    if (full_count || full_bytes) {
      SubmitObject(route_index, partition,
                   std::span<const Routed>(messages).subspan(begin, i - begin));
      begin = i;
      bytes = 0;
    }
    bytes += size;
  }
  SubmitObject(route_index, partition, std::span<const Routed>(messages).subspan(begin));
}

void BackupConsumer::Impl::SubmitObject(size_t route_index, std::string_view partition,
                                        std::span<const Routed> messages) {
  if (messages.empty()) return;
  const route::CompiledRoute& route = backup_router_->route(route_index);
  auto job = std::make_shared<Job>();
  std::vector<format::MessageRecord> records;
  records.reserve(messages.size());
  route::BatchKeyVars vars;
  vars.first_ms = messages.front().event_time_ms;
  vars.last_ms = vars.first_ms;
  for (const Routed& r : messages) {
    const Kept& k = kept_.at(r.sequence);
    records.push_back({k.payload, k.topic, r.index_key, k.id, r.event_time_ms, k.receive_ms});
    vars.first_ms = std::min(vars.first_ms, r.event_time_ms);
    vars.last_ms = std::max(vars.last_ms, r.event_time_ms);
    job->sequences.push_back(r.sequence);
  }
  // The first WAL sequence names the object: a re-upload after a crash (same messages, same
  // event times) rewrites the same key instead of adding a copy.
  vars.partition_seq = messages.front().sequence;
  vars.count = messages.size();

  std::string key;
  std::string_view bucket, partial_key;
  Status st = route::Router::SplitPartition(partition, &bucket, &partial_key)
                  ? backup_router_->RenderObjectKey(route_index, partial_key, vars, &key)
                  : Status::Internal("partition id without a bucket: " + std::string(partition));
  auto encoded = encoders_[route_index].Encode(records);
  if (st.ok() && !encoded.ok()) st = encoded.status().WithContext("encoding the object");
  upload::UploadRequest& req = job->request;
  if (st.ok()) {
    req.bucket = std::string(bucket);
    req.key = options_.key_prefix + key;
    req.body = std::move(encoded->body);
    req.metadata = std::move(encoded->metadata);
    req.content_type = std::string(route.options().EffectiveContentType());
    if (encoded->index_object) {
      job->index.emplace();
      job->index->bucket = req.bucket;
      job->index->key = options_.format.IndexObjectKey(req.key);
      job->index->body = std::move(*encoded->index_object);
      job->index->content_type = "application/octet-stream";
    }
  } else {
    // Keep the messages rather than lose them: one dead-letter object, payloads joined.
    job->dead_letter = true;
    req.bucket = options_.dead_letter_bucket;
    route::AppendDeadLetterKey(options_.dead_letter_prefix, route::DeadLetterReason::kInvalidKey,
                               Clock::now(), vars.partition_seq, options_.BackupInstance(),
                               &req.key);
    for (const format::MessageRecord& r : records) {
      req.body.append(r.payload);
      req.body.append(options_.format.separator);
    }
    req.metadata["dead-letter-reason"] = "invalid_key";
    req.metadata["dead-letter-detail"] = converter::EncodeMetadataValue(st.message(), 256);
  }
  req.metadata["route"] = converter::EncodeMetadataValue(route.options().name, 64);
  req.metadata["flush-reason"] = "backup-timeout";
  Submit(std::move(job));
}

void BackupConsumer::Impl::SubmitDeadLetter(uint64_t sequence, const route::RouteResult& result) {
  const Kept& k = kept_.at(sequence);
  auto job = std::make_shared<Job>();
  job->dead_letter = true;
  job->sequences.push_back(sequence);
  upload::UploadRequest& req = job->request;
  req.bucket = options_.dead_letter_bucket;
  // The converter's dead-letter layout, with the backup's instance and the WAL sequence.
  route::AppendDeadLetterKey(options_.dead_letter_prefix, result.reason, FromMs(k.receive_ms),
                             sequence, options_.BackupInstance(), &req.key);
  req.body = k.payload;
  req.content_type = "application/octet-stream";
  req.metadata["topic"] = converter::EncodeMetadataValue(k.topic);
  req.metadata["dead-letter-reason"] = std::string(route::DeadLetterReasonName(result.reason));
  req.metadata["dead-letter-detail"] = converter::EncodeMetadataValue(result.detail, 512);
  req.metadata["dedupe-id"] = converter::EncodeMetadataValue(k.id, 128);
  if (result.route_index >= 0) {
    req.metadata["route"] = converter::EncodeMetadataValue(
        backup_router_->route(static_cast<size_t>(result.route_index)).options().name);
  }
  Submit(std::move(job));
}

bool BackupConsumer::Impl::Fits(const Job& job) const {
  // Only this thread submits and workers only shrink the queue, so what fits now is accepted.
  const upload::UploaderStats us = uploader_->stats();
  const size_t bytes = job.index ? job.index->body.size() : job.request.body.size();
  return us.queued < options_.uploader.max_queued_uploads &&
         (us.buffered_bytes == 0 ||
          us.buffered_bytes + bytes <= options_.uploader.max_buffered_bytes);
}

void BackupConsumer::Impl::Submit(std::shared_ptr<Job> job) {
  if (!blocked_.empty() || !Fits(*job)) {
    blocked_.push_back(std::move(job));
    return;
  }
  SubmitNow(std::move(job));
}

void BackupConsumer::Impl::SubmitNow(std::shared_ptr<Job> job) {
  // The companion index goes first: a reader that sees the data object finds its index.
  const bool index_first = job->index.has_value();
  upload::UploadRequest req = index_first ? std::move(*job->index) : std::move(job->request);
  if (index_first) job->index.reset();
  upload::UploadResult refused;
  refused.bucket = req.bucket;
  refused.key = req.key;
  refused.status = uploader_->Submit(
      std::move(req), [this, job, index_first](const upload::UploadResult& r) {
        asio::post(io_, [this, job, index_first, r] {
          if (index_first && r.status.ok()) {
            if (!stopping_) Submit(job);  // now the data object
            return;
          }
          OnUploaded(job, r);
        });
      });
  if (refused.status.ok()) return;
  // Submit consumed the request. A full queue (Fits() makes it rare) sends the messages back
  // to the expiry path, which builds the object again; anything else is an error.
  if (refused.status.code() == StatusCode::kResourceExhausted) {
    for (uint64_t seq : job->sequences) {
      uploading_.erase(seq);
      const Kept& k = kept_.at(seq);
      pending_.Add(k.id, seq, k.receive_ms - options_.confirm_timeout.count());
    }
    return;
  }
  spdlog::warn("backup: upload refused: {}", refused.status.ToString());
  OnUploaded(job, refused);
}

void BackupConsumer::Impl::RetryBlocked() {
  while (!blocked_.empty() && !stopping_ && Fits(*blocked_.front())) {
    std::shared_ptr<Job> job = std::move(blocked_.front());
    blocked_.pop_front();
    SubmitNow(std::move(job));
  }
}

void BackupConsumer::Impl::OnUploaded(const std::shared_ptr<Job>& job,
                                      const upload::UploadResult& r) {
  if (r.status.ok()) {
    for (uint64_t seq : job->sequences) {
      uploading_.erase(seq);
      kept_.erase(seq);
    }
    Count([&](BackupStats& s) {
      if (job->dead_letter) {
        s.dead_lettered += job->sequences.size();
      } else {
        s.uploaded += job->sequences.size();
        ++s.objects;
      }
    });
    spdlog::debug("backup: stored {} message(s) as {}/{}", job->sequences.size(), r.bucket,
                  r.key);
    AdvanceCommit();
    RetryBlocked();
    return;
  }
  if (r.status.code() == StatusCode::kCancelled || stopping_) {
    return;  // still in the WAL, uncommitted: the next start uploads it
  }
  Count([](BackupStats& s) { ++s.upload_failures; });
  if (job->dead_letter) {
    // The dead-letter store refuses for good (a configuration error): keep the messages in
    // the WAL, uncommitted, rather than loop; the next start tries again.
    spdlog::error("backup: dead-letter bucket refused {}/{} for good: {}; {} message(s) stay in "
                  "the WAL", r.bucket, r.key, r.status.ToString(), job->sequences.size());
    return;
  }
  spdlog::error("backup: object {}/{} rejected: {}; dead-lettering {} message(s)", r.bucket,
                r.key, r.status.ToString(), job->sequences.size());
  auto dead = std::make_shared<Job>();
  dead->dead_letter = true;
  dead->sequences = job->sequences;
  upload::UploadRequest& req = dead->request;
  req.bucket = options_.dead_letter_bucket;
  route::AppendDeadLetterKey(options_.dead_letter_prefix, route::DeadLetterReason::kInvalidBucket,
                             Clock::now(), job->sequences.front(), options_.BackupInstance(),
                             &req.key);
  for (uint64_t seq : job->sequences) {
    req.body.append(kept_.at(seq).payload);
    req.body.append(options_.format.separator);
  }
  req.metadata["dead-letter-reason"] = "s3_rejected";
  req.metadata["dead-letter-detail"] = converter::EncodeMetadataValue(r.status.message(), 512);
  req.metadata["original-bucket"] = converter::EncodeMetadataValue(r.bucket);
  req.metadata["original-key"] = converter::EncodeMetadataValue(r.key, 512);
  req.metadata["count"] = std::to_string(job->sequences.size());
  Submit(std::move(dead));
}

void BackupConsumer::Impl::AdvanceCommit() {
  if (!log_->failure().ok()) return;
  // Everything below the lowest sequence still pending or uploading is confirmed or stored.
  uint64_t lowest = log_->last_sequence() + 1;
  if (auto p = pending_.lowest_sequence()) lowest = std::min(lowest, *p);
  if (!uploading_.empty()) lowest = std::min(lowest, *uploading_.begin());
  const uint64_t floor = lowest - 1;
  if (floor <= committed_) return;
  wal::CommitMarker marker;
  marker.partition = std::string(kBackupPartition);
  marker.partition_seq = commit_seq_ + 1;
  marker.last_sequence = floor;
  if (Status st = log_->Commit(marker); !st.ok()) return Fail(st.WithContext("WAL commit"));
  commit_seq_ = marker.partition_seq;
  committed_ = floor;
  Count([](BackupStats& s) { ++s.commits; });
}

}  // namespace mqtt2s3::backup
