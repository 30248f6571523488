// Flush half of the converter: a completed batch becomes one object (payloads joined by the
// separator, metadata describing the batch) uploaded under the key its route renders from the
// batch; when the upload succeeds the batch's acks are released. A batch S3 rejects for good
// is stored under the dead-letter prefix instead.
#include <spdlog/spdlog.h>

#include <boost/asio/post.hpp>
#include <optional>

#include "converter/converter_impl.h"
#include "confirm/confirmation.h"
#include "converter/object_metadata.h"
#include "route/dead_letter.h"

namespace mqtt2s3::converter {

void Converter::Impl::DispatchReady() {
  if (ready_.empty()) return;
  if (log_) SealReady();
  for (batch::Batch& b : ready_) SubmitBatch(std::move(b));
  ready_.clear();
}

void Converter::Impl::SubmitBatch(batch::Batch b) {
  Count([&](ConverterStats& s) { ++s.flushes[static_cast<size_t>(b.flush_reason())]; });
  // Encoded just in time (SubmitNow), not here: batches flushed together (every partition at
  // its count at once) would otherwise each hold a body copy next to their arenas while they
  // wait for an upload slot.
  Blocked item;
  item.batch = std::make_shared<batch::Batch>(std::move(b));
  item.needs_encoding = true;
  Submit(std::move(item));
}

std::optional<Converter::Impl::Blocked> Converter::Impl::EncodeBatch(Blocked* item) {
  item->needs_encoding = false;
  const batch::Batch& b = *item->batch;
  const size_t route_index = static_cast<size_t>(b.route_index());
  const route::CompiledRoute& route = router_->route(route_index);

  route::BatchKeyVars vars;
  vars.first_ms = b.min_event_time_ms();
  vars.last_ms = b.max_event_time_ms();
  vars.partition_seq = b.sequence();
  vars.count = b.message_count();
  key_scratch_.clear();
  std::string_view bucket, partial_key;
  Status st = route::Router::SplitPartition(b.partition_id(), &bucket, &partial_key)
                  ? router_->RenderObjectKey(route_index, partial_key, vars, &key_scratch_)
                  : Status::Internal("partition id without a bucket: " + b.partition_id());

  if (spdlog::should_log(spdlog::level::debug)) {
    // For fault forensics: which run wrote which messages under which key.
    uint64_t first = 0, last = 0, logged = 0;
    for (const batch::MessageView m : b) {
      if (!m.logged) continue;
      if (logged++ == 0) first = m.ack_ref;
      last = m.ack_ref;
    }
    spdlog::debug("batch {} of '{}' ({}): {} message(s), {} logged, WAL sequences {}..{}, key "
                  "'{}'", b.sequence(), b.partition_id(), batch::FlushReasonName(b.flush_reason()),
                  b.message_count(), logged, first, last, key_scratch_);
  }
  // The object: payloads in arrival order (clustered by the writer), index and metadata per
  // docs/FORMAT.md.
  records_.clear();
  records_.reserve(b.message_count());
  for (const batch::MessageView m : b) {
    const size_t nul = m.extra.find('\0');
    format::MessageRecord rec;
    rec.payload = m.payload;
    rec.topic = m.topic;
    rec.index_key = m.extra.substr(0, nul);
    rec.dedupe_id = nul == std::string_view::npos ? std::string_view() : m.extra.substr(nul + 1);
    rec.event_time_ms = m.event_time_ms;
    rec.receive_time_ms = m.receive_time_ms;
    records_.push_back(rec);
  }
  BatchEncoder& encoder = encoders_[route_index];
  auto encoded = encoder.Encode(records_);
  if (encoder.has_columns()) {
    Count([&](ConverterStats& s) {
      encoder.CopyNullCounts(std::span<ColumnNullStats>(s.parquet_nulls)
                                 .subspan(null_stats_at_[route_index]));
    });
  }

  upload::UploadRequest& req = item->request;
  req.bucket = b.bucket();
  req.content_type = std::string(route.options().EffectiveContentType());
  std::optional<std::string> index_object;
  if (encoded.ok()) {
    req.body = std::move(encoded->body);
    req.body_sha256_hex = std::move(encoded->body_sha256);
    req.metadata = std::move(encoded->metadata);
    index_object = std::move(encoded->index_object);
  } else {
    // Cannot happen for valid options; keep the data rather than lose it.
    st = encoded.status().WithContext("encoding the object");
    // (JSON Lines framing even for a Parquet route: this is a dead-letter copy, no object.)
    for (const batch::MessageView m : b) {
      req.body.append(m.payload);
      req.body.append(options_.format.separator);
    }
  }
  req.metadata["route"] = EncodeMetadataValue(route.options().name, 64);
  req.metadata["flush-reason"] = std::string(batch::FlushReasonName(b.flush_reason()));
  if (st.ok()) {
    req.key = key_scratch_;
  } else {
    // A key the template cannot render (e.g. over 1024 bytes): keep the batch, dead-lettered.
    req.bucket = options_.dead_letter_bucket;
    // Numbered from the converter-wide counter, not the batch's partition sequence: batches
    // of different partitions share sequence numbers, and their dead-letter keys must not.
    route::AppendDeadLetterKey(options_.dead_letter_prefix, route::DeadLetterReason::kInvalidKey,
                               std::chrono::system_clock::now(), NextSeq(),
                               options_.router.instance_id, &req.key);
    req.metadata["dead-letter-reason"] = "invalid_key";
    req.metadata["dead-letter-detail"] = EncodeMetadataValue(st.message(), 256);
  }
  if (!options_.confirm_topic.empty()) {
    auto ids = std::make_shared<ConfirmIds>();
    ids->ends.reserve(records_.size());
    for (const format::MessageRecord& rec : records_) {
      ids->bytes.append(rec.dedupe_id);
      ids->ends.push_back(static_cast<uint32_t>(ids->bytes.size()));
    }
    item->confirm_ids = std::move(ids);
  }
  // The body holds the payloads now; until the upload ends only the entries (acks) are needed.
  records_.clear();
  item->batch->ReleaseBytes();
  if (!index_object) return std::nullopt;
  // The companion index goes first: a reader that sees the data object finds its index.
  Blocked index;
  index.request.bucket = req.bucket;
  index.request.key = options_.format.IndexObjectKey(req.key);
  index.request.body = std::move(*index_object);
  index.request.content_type = "application/octet-stream";
  return index;
}

size_t Converter::Impl::ItemBytes(const Blocked& item) {
  return item.needs_encoding ? item.batch->size_bytes() : item.request.body.size();
}

bool Converter::Impl::Fits(const Blocked& item) const {
  // Only the session thread submits and workers only shrink the queue, so a request that fits
  // now is accepted.
  if (item.needs_encoding && bodies_out_ > options_.uploader.max_concurrent_uploads) {
    return false;  // every worker has a body and one waits: encode when a slot frees
  }
  const upload::UploaderStats us = uploader_->stats();
  return us.queued < options_.uploader.max_queued_uploads &&
         (us.buffered_bytes == 0 ||
          us.buffered_bytes + ItemBytes(item) <= options_.uploader.max_buffered_bytes);
}

void Converter::Impl::Submit(Blocked item) {
  // Keep submission order: behind anything already waiting, or when the uploader is full (the
  // broker window then holds back new data).
  if (!blocked_.empty() || !Fits(item)) {
    Count([](ConverterStats& s) { ++s.upload_blocked; });
    blocked_bytes_ += ItemBytes(item);
    blocked_.push_back(std::move(item));
    return;
  }
  SubmitNow(std::move(item));
}

void Converter::Impl::SubmitNow(Blocked item) {
  if (item.needs_encoding) {
    ++bodies_out_;  // until the batch is stored (or given up): BodyDone()
    std::optional<Blocked> index = EncodeBatch(&item);
    if (index) {
      index->then = std::make_shared<Blocked>(std::move(item));
      item = std::move(*index);
    }
    // Fits() judged the batch by its buffered bytes; the body (separators, index) may be
    // larger, and a refused upload must wait, not be dropped.
    if (!Fits(item)) {
      Requeue(std::move(item));
      return;
    }
  }
  std::shared_ptr<batch::Batch> batch = item.batch;
  const uint64_t token_id = item.token_id;
  const bool dead = item.request.bucket == options_.dead_letter_bucket;
  std::string confirm_id = std::move(item.confirm_id);
  upload::UploadCallback done;
  if (item.then) {
    std::shared_ptr<Blocked> then = item.then;
    done = [this, then](const upload::UploadResult& r) { OnIndexUploaded(then, r); };
  } else if (batch) {
    done = [this, batch, ids = item.confirm_ids](const upload::UploadResult& r) {
      OnBatchUploaded(batch, ids, r);
    };
  } else {
    const mqtt::QoS qos = token_id ? mqtt::QoS::kAtLeastOnce : mqtt::QoS::kAtMostOnce;
    done = [this, token_id, qos, dead, id = std::move(confirm_id)](const upload::UploadResult& r) {
      if (r.status.ok()) PublishConfirmation(r.bucket, r.key, nullptr, id);
      OnMessageUploaded(token_id, qos, dead, r);
    };
  }
  Status st = uploader_->Submit(std::move(item.request), std::move(done));
  if (!st.ok()) {
    // Only after Stop(): the messages stay unacknowledged and are redelivered.
    spdlog::warn("upload refused: {}", st.ToString());
    Count([&](ConverterStats& s) {
      s.left_unacked += batch ? batch->message_count() : 1;
    });
  }
}

void Converter::Impl::Requeue(Blocked item) {
  // Bodies that exist already go first: they hold the slots (bodies_out_) that the batches
  // waiting to be encoded need, so queueing them behind those would stall both.
  if (Fits(item)) {
    SubmitNow(std::move(item));
    return;
  }
  blocked_bytes_ += ItemBytes(item);
  blocked_.push_front(std::move(item));
}

void Converter::Impl::BodyDone(const std::shared_ptr<batch::Batch>& b) {
  --bodies_out_;
  batcher_->Complete(std::move(*b));
  RetryBlocked();
}

void Converter::Impl::RetryBlocked() {
  while (!blocked_.empty() && Fits(blocked_.front())) {
    Blocked item = std::move(blocked_.front());
    blocked_.pop_front();
    blocked_bytes_ -= ItemBytes(item);
    SubmitNow(std::move(item));
  }
}

void Converter::Impl::OnBatchUploaded(const std::shared_ptr<batch::Batch>& b,
                                      const std::shared_ptr<const ConfirmIds>& ids,
                                      upload::UploadResult r) {
  const bool dead = r.bucket == options_.dead_letter_bucket;
  if (r.status.ok()) {
    uint64_t acks = 0;
    for (const batch::MessageEntry& e : b->entries()) {
      if (e.qos == 0) continue;  // acked already (QoS 0, on-receive, or by the log)
      session_->Release(mqtt::AckToken{e.ack_ref});
      ++acks;
    }
    if (ids) PublishConfirmation(r.bucket, r.key, ids.get(), {});
    Count([&](ConverterStats& s) {
      if (dead) {
        s.dead_lettered += b->message_count();
      } else {
        s.messages_uploaded += b->message_count();
        ++s.batches_uploaded;
      }
      s.upload_bytes += r.bytes;
      s.acks_released += acks;
    });
    asio::post(io_, [this, b] {
      if (log_) MarkStored(b->partition_id(), b->sequence());
      BodyDone(b);
    });
    return;
  }
  if (r.status.code() == StatusCode::kCancelled) {
    Count([&](ConverterStats& s) { s.left_unacked += b->message_count(); });
    return;  // not acked: the broker redelivers
  }
  if (dead) {
    // The dead-letter store itself refuses the object for good (a configuration error): keep
    // the messages unacknowledged rather than loop; the broker redelivers them after a
    // reconnect. Free the batch's share of the window meanwhile.
    spdlog::error("dead-letter bucket '{}' refused {} message(s) for good: {}; they stay "
                  "unacknowledged", r.bucket, b->message_count(), r.status.ToString());
    Count([&](ConverterStats& s) { s.left_unacked += b->message_count(); });
    asio::post(io_, [this, b] { BodyDone(b); });
    return;
  }
  // A permanent failure (S3 refuses this bucket or key for good): store the same object under
  // the dead-letter prefix; its messages are acked once that succeeds.
  spdlog::error("batch of {} message(s) for {}/{} rejected: {}; dead-lettering",
                b->message_count(), r.bucket, r.key, r.status.ToString());
  // The same object (body as encoded; the uploader hands it back) goes to the dead-letter
  // store; the index in its metadata does not follow it.
  asio::post(io_, [this, b, ids, r] {
    Blocked item;
    item.request.bucket = options_.dead_letter_bucket;
    route::AppendDeadLetterKey(options_.dead_letter_prefix, route::DeadLetterReason::kInvalidBucket,
                               std::chrono::system_clock::now(), NextSeq(),
                               options_.router.instance_id, &item.request.key);
    if (r.body) item.request.body = std::move(*r.body);
    item.request.metadata["dead-letter-reason"] = "s3_rejected";
    item.request.metadata["dead-letter-detail"] = EncodeMetadataValue(r.status.message(), 512);
    item.request.metadata["original-bucket"] = EncodeMetadataValue(r.bucket);
    item.request.metadata["original-key"] = EncodeMetadataValue(r.key, 512);
    item.request.metadata["count"] = std::to_string(b->message_count());
    item.batch = b;
    item.confirm_ids = ids;
    Requeue(std::move(item));
    RetryBlocked();  // the failed upload freed a slot
  });
}

void Converter::Impl::OnIndexUploaded(const std::shared_ptr<Blocked>& data,
                                      const upload::UploadResult& r) {
  if (r.status.ok()) {
    Count([](ConverterStats& s) { ++s.index_objects; });
    asio::post(io_, [this, data] {
      // The data object of a batch whose index is stored goes first: behind later batches'
      // index uploads it could wait for slots that only its own completion frees.
      Requeue(std::move(*data));
      RetryBlocked();
    });
    return;
  }
  if (r.status.code() == StatusCode::kCancelled) {
    Count([&](ConverterStats& s) { s.left_unacked += data->batch->message_count(); });
    return;  // not acked: the broker redelivers
  }
  // S3 refuses the index for good (the same bucket will refuse the data): store the batch
  // under the dead-letter prefix, as for a rejected data object.
  upload::UploadResult as_data = r;
  as_data.bucket = data->request.bucket;
  as_data.key = data->request.key;
  as_data.body = std::make_shared<std::string>(std::move(data->request.body));
  OnBatchUploaded(data->batch, data->confirm_ids, std::move(as_data));
}

void Converter::Impl::OnMessageUploaded(uint64_t token_id, mqtt::QoS qos, bool dead,
                                        const upload::UploadResult& r) {
  if (r.status.ok()) {
    if (qos != mqtt::QoS::kAtMostOnce) session_->Release(mqtt::AckToken{token_id});
    Count([&](ConverterStats& s) {
      if (dead) ++s.dead_lettered;
      s.upload_bytes += r.bytes;
      if (qos != mqtt::QoS::kAtMostOnce) ++s.acks_released;
    });
  } else {
    // Dead-letter storage itself failed for good (or was cancelled at shutdown): leave the
    // message unacknowledged so the broker redelivers it; never drop it.
    spdlog::error("could not store dead-letter object {}/{}: {}", r.bucket, r.key,
                  r.status.ToString());
    Count([](ConverterStats& s) { ++s.left_unacked; });
  }
  asio::post(io_, [this] { RetryBlocked(); });
}

void Converter::Impl::PublishConfirmation(const std::string& bucket, const std::string& key,
                                          const ConfirmIds* batch_ids,
                                          const std::string& single_id) {
  if (options_.confirm_topic.empty()) return;
  std::string payload;
  confirm::ConfirmationEncoder enc;
  enc.Begin(options_.router.instance_id, bucket, key, &payload);
  if (batch_ids) {
    uint32_t begin = 0;
    for (const uint32_t end : batch_ids->ends) {
      enc.AddId(std::string_view(batch_ids->bytes).substr(begin, end - begin));
      begin = end;
    }
  } else {
    enc.AddId(single_id);
  }
  enc.Finish();
  session_->Publish(options_.confirm_topic, std::move(payload), mqtt::QoS::kAtLeastOnce, {},
                    [](const Status& s) {
                      if (!s.ok() && s.code() != StatusCode::kCancelled) {
                        spdlog::warn("upload confirmation not published: {}", s.ToString());
                      }
                    });
  Count([](ConverterStats& s) { ++s.confirmations; });
}

}  // namespace mqtt2s3::converter
