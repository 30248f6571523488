// Reader::Query: many objects in parallel, a device through the group directory when it can.
#include <algorithm>
#include <atomic>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_set>

#include "format/group_directory.h"
#include "mqtt2s3/reader.h"
#include "reader/where.h"

namespace mqtt2s3 {
namespace {

using reader_internal::Where;

void Add(RequestStats* to, const RequestStats& from) {
  to->heads += from.heads;
  to->gets += from.gets;
  to->lists += from.lists;
  to->bytes += from.bytes;
}

// One object's outcome, filled by whichever worker took it.
struct ObjectResult {
  Status status = Status::Ok();
  std::vector<Message> messages;
  bool by_directory = false;
  bool dedupe_by_payload = false;
  RequestStats requests;
};

bool AllTime(const TimeRange& t) {
  return t.from_ms == TimeRange{}.from_ms && t.to_ms == TimeRange{}.to_ms;
}

// The groups of `dir` the selector wants, or nullopt when the directory cannot answer it
// (a key filter, a device component other than the first, a window cutting through a group).
std::optional<std::vector<const format::DirectoryGroup*>> DirectoryGroups(
    const std::vector<format::DirectoryGroup>& dir, const Selector& sel) {
  if (!sel.exact_key.empty() || !sel.key_prefix.empty()) return std::nullopt;
  if (!sel.component.empty() && sel.component_index != 0) return std::nullopt;
  std::vector<const format::DirectoryGroup*> out;
  for (const format::DirectoryGroup& g : dir) {
    if (!sel.component.empty()) {
      // A cluster key is the first components of every index key in its group.
      const std::string_view first = std::string_view(g.key).substr(0, g.key.find(sel.key_delimiter));
      if (first != sel.component) continue;
    }
    if (!sel.time.Overlaps(g.first_ms, g.last_ms)) continue;
    if (!AllTime(sel.time) && !(sel.time.Contains(g.first_ms) && sel.time.Contains(g.last_ms))) {
      return std::nullopt;  // needs each message's own time: the index has it
    }
    out.push_back(&g);
  }
  return out;
}

// The one cluster key the selector asks for, when the bucketed directory (FORMAT.md 3.4) can
// answer it: an exact index key that is its own cluster key, or a first component when a
// cluster key is the first component; nullopt otherwise.
std::optional<std::string> WantedClusterKey(const format::GroupBucketsInfo& b,
                                            const Selector& sel) {
  if (!sel.key_prefix.empty() || sel.key_delimiter != b.delimiter) return std::nullopt;
  if (!sel.exact_key.empty()) {
    if (!sel.component.empty() || b.ClusterKeyOf(sel.exact_key) != sel.exact_key) {
      return std::nullopt;
    }
    return sel.exact_key;
  }
  if (!sel.component.empty() && sel.component_index == 0 && b.components == 1 &&
      sel.component.find(sel.key_delimiter) == std::string::npos) {
    return sel.component;
  }
  return std::nullopt;
}

}  // namespace

StatusOr<QueryResult> Reader::Query(const QueryOptions& q) {
  QueryResult result;
  std::vector<std::string> keys = q.keys;
  if (keys.empty()) {
    const RequestStats before = stats_;
    M2S_ASSIGN_OR_RETURN(ListResult listed, ListObjects(q.bucket, q.list_prefix, q.selector.time));
    result.requests.lists = stats_.lists - before.lists;
    keys.reserve(listed.objects.size());
    for (ListedBatch& b : listed.objects) keys.push_back(std::move(b.key));
  }
  std::vector<ObjectResult> objects(keys.size());
  ReaderOptions worker_options = options_;
  worker_options.dedupe = false;  // across objects, below, in key order

  auto read_one = [&](size_t i) {
    ObjectResult& out = objects[i];
    Reader worker(client_, worker_options);
    const std::string& key = keys[i];
    ++worker.stats_.heads;
    auto head = client_->HeadObject(q.bucket, key);
    if (!head.ok()) {
      out.status = head.status().WithContext("HEAD " + Where(q.bucket, key));
      out.requests = worker.stats_;
      return;
    }
    std::optional<std::vector<const format::DirectoryGroup*>> wanted;
    std::vector<format::DirectoryGroup> dir;
    format::ObjectInfo info;
    if (q.use_directory) {
      auto parsed = format::ParseObjectInfo(head->metadata);
      if (parsed.ok() && !parsed->index_inline && parsed->body_length == head->size) {
        info = std::move(*parsed);
        dir = format::ParseGroupDirectory(head->metadata, info);
        if (!dir.empty()) wanted = DirectoryGroups(dir, q.selector);
        std::optional<format::GroupBucketsInfo> buckets;
        std::optional<std::string> cluster_key;
        if (dir.empty()) buckets = format::ParseGroupBuckets(head->metadata, info);
        if (buckets) cluster_key = WantedClusterKey(*buckets, q.selector);
        if (cluster_key) {
          // One bucket of the companion index: the device's group in at most 4 KiB.
          const uint32_t bucket = buckets->BucketOf(*cluster_key);
          const format::ByteRange r = buckets->SlotRange(bucket);
          ++worker.stats_.gets;
          auto got = client_->GetObject(q.bucket, info.IndexObjectKey(key),
                                        s3::ByteRange::Bytes(r.offset, r.end() - 1));
          if (got.ok()) {
            worker.stats_.bytes += got->body.size();
            auto groups = format::ParseGroupBucket(info, *buckets, bucket, got->body);
            if (groups) {
              std::erase_if(*groups,
                            [&](const format::DirectoryGroup& g) { return g.key != *cluster_key; });
              dir = std::move(*groups);
              Selector by_time = q.selector;  // the key is chosen: only the window is left
              by_time.exact_key.clear();
              by_time.component.clear();
              wanted = DirectoryGroups(dir, by_time);
            }
          }
          // A failed or malformed bucket read: the whole index decides, below.
        }
      }
    }
    if (wanted) {
      // Coalesce neighbouring groups (all devices: one GET per object).
      std::vector<format::ByteRange> fetch;
      std::vector<size_t> range_of(wanted->size());
      for (size_t g = 0; g < wanted->size(); ++g) {
        const format::ByteRange r = (*wanted)[g]->FetchRange(info);
        if (!fetch.empty() && r.offset >= fetch.back().end() &&
            r.offset - fetch.back().end() <= options_.max_gap_bytes) {
          fetch.back().length = r.end() - fetch.back().offset;
        } else {
          fetch.push_back(r);
        }
        range_of[g] = fetch.size() - 1;
      }
      std::vector<std::string> bodies(fetch.size());
      bool ok = true;
      for (size_t r = 0; r < fetch.size() && ok; ++r) {
        ++worker.stats_.gets;
        auto got = client_->GetObject(q.bucket, key,
                                      s3::ByteRange::Bytes(fetch[r].offset, fetch[r].end() - 1));
        if (!got.ok()) {
          out.status = got.status().WithContext("GET " + Where(q.bucket, key) + " range " +
                                                fetch[r].HttpRange());
          out.requests = worker.stats_;
          return;
        }
        worker.stats_.bytes += got->body.size();
        bodies[r] = std::move(got->body);
        ok = bodies[r].size() == fetch[r].length;
      }
      std::vector<Message> messages;
      QueryOptions::PayloadEventTime event_time;
      if (ok && q.payload_event_time) event_time = q.payload_event_time();
      for (size_t g = 0; g < wanted->size() && ok; ++g) {
        const format::DirectoryGroup& grp = *(*wanted)[g];
        const format::ByteRange r = grp.FetchRange(info);
        const format::ByteRange& f = fetch[range_of[g]];
        auto payloads = format::SplitGroup(
            info, grp, std::string_view(bodies[range_of[g]]).substr(r.offset - f.offset, r.length));
        if (!payloads.ok()) {
          ok = false;  // the framing disagrees: the index decides
          break;
        }
        for (std::string_view p : *payloads) {
          int64_t t = kUnknownEventTime;
          if (event_time) {
            const std::optional<int64_t> from_payload = event_time(p);
            if (!from_payload || *from_payload < grp.first_ms || *from_payload > grp.last_ms) {
              ok = false;  // not the time the index holds: the index decides
              break;
            }
            t = *from_payload;
          }
          messages.push_back({grp.key, std::string(), t, std::string(), std::string(p)});
        }
      }
      if (ok) {
        out.messages = std::move(messages);
        out.by_directory = true;
        out.dedupe_by_payload = true;
        out.requests = worker.stats_;
        return;
      }
    }
    auto obj = worker.OpenHeaded(q.bucket, key, std::move(*head));
    if (!obj.ok()) {
      out.status = obj.status();
      out.requests = worker.stats_;
      return;
    }
    const std::vector<uint32_t> entries = Select(*obj, q.selector);
    auto fetched = worker.Fetch(*obj, entries);
    out.requests = worker.stats_;
    if (!fetched.ok()) {
      out.status = fetched.status();
      return;
    }
    out.messages = std::move(fetched->messages);
  };

  const size_t workers = std::max<size_t>(1, std::min(q.concurrency, keys.size()));
  std::atomic<size_t> next{0};
  std::atomic<bool> failed{false};
  auto work = [&] {
    for (size_t i = next++; i < keys.size() && !failed; i = next++) {
      read_one(i);
      if (!objects[i].status.ok()) failed = true;
    }
  };
  if (workers == 1) {
    work();
  } else {
    std::vector<std::thread> threads;
    threads.reserve(workers);
    for (size_t w = 0; w < workers; ++w) threads.emplace_back(work);
    for (std::thread& t : threads) t.join();
  }

  for (ObjectResult& o : objects) {
    Add(&result.requests, o.requests);
    if (!o.status.ok()) {
      Add(&stats_, result.requests);
      return o.status;
    }
  }
  // Repeats of directory reads are (cluster key, payload) pairs seen before; the set points at
  // the messages themselves (nothing copied), so they stay in place until every object is
  // decided, then the kept ones move into the result.
  struct PayloadRef {
    const Message* m;
    bool operator==(const PayloadRef& o) const {
      return m->index_key == o.m->index_key && m->payload == o.m->payload;
    }
  };
  struct PayloadRefHash {
    size_t operator()(const PayloadRef& r) const {
      return std::hash<std::string_view>()(r.m->payload) * 0x9E3779B97F4A7C15ull ^
             std::hash<std::string_view>()(r.m->index_key);
    }
  };
  size_t total = 0;
  for (const ObjectResult& o : objects) total += o.messages.size();
  std::unordered_set<PayloadRef, PayloadRefHash> seen_payloads;
  std::vector<bool> keep(total, true);
  size_t at = 0;
  for (ObjectResult& o : objects) {
    ++result.objects;
    if (o.by_directory) ++result.objects_by_directory;
    if (!options_.dedupe) {
      at += o.messages.size();
      continue;
    }
    if (o.dedupe_by_payload && seen_payloads.empty()) seen_payloads.reserve(total);
    for (const Message& m : o.messages) {
      bool repeat = false;
      if (o.dedupe_by_payload) {
        repeat = !seen_payloads.insert(PayloadRef{&m}).second;
      } else if (!m.dedupe_id.empty()) {
        repeat = !seen_dedupe_ids_.emplace(m.dedupe_id).second;
      }
      if (repeat) {
        ++result.duplicates_dropped;
        keep[at] = false;
      }
      ++at;
    }
  }
  result.messages.reserve(total - result.duplicates_dropped);
  at = 0;
  for (ObjectResult& o : objects) {
    for (Message& m : o.messages) {
      if (keep[at++]) result.messages.push_back(std::move(m));
    }
  }
  seen_payloads.clear();  // before the messages it points at go
  objects.clear();
  const uint64_t lists = result.requests.lists;
  result.requests.lists = 0;
  Add(&stats_, result.requests);
  result.requests.lists = lists;
  return result;
}

}  // namespace mqtt2s3
