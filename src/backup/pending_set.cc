#include "backup/pending_set.h"

namespace mqtt2s3::backup {

bool PendingSet::ConsumeEarly(std::string_view id, int64_t now_ms) {
  ForgetEarly(now_ms);
  auto it = early_.find(std::string(id));
  if (it == early_.end()) return false;
  it->second.pop_front();
  if (it->second.empty()) early_.erase(it);
  --early_live_;
  ++stats_.early_matched;
  return true;
}

void PendingSet::Add(std::string_view id, uint64_t sequence, int64_t receive_ms) {
  auto [it, inserted] = by_sequence_.try_emplace(sequence, Entry{receive_ms, std::string(id)});
  if (!inserted) return;  // a sequence is kept once
  by_id_[it->second.id].push_back(sequence);
  ++stats_.added;
}

std::optional<uint64_t> PendingSet::Confirm(std::string_view id, int64_t now_ms) {
  auto it = by_id_.find(std::string(id));
  if (it == by_id_.end()) {
    // The converter may store and confirm a message before our own copy arrives (another
    // session, another queue): remember it so that copy is not uploaded again.
    ForgetEarly(now_ms);
    const int64_t expiry = now_ms + options_.confirm_timeout_ms;
    early_[std::string(id)].push_back(expiry);
    early_order_.emplace_back(expiry, std::string(id));
    ++early_live_;
    ++stats_.early;
    while (early_live_ > options_.max_early_confirmations) {
      if (PopEarlyFront()) ++stats_.early_evicted;
    }
    return std::nullopt;
  }
  const uint64_t seq = it->second.front();
  it->second.pop_front();
  if (it->second.empty()) by_id_.erase(it);
  by_sequence_.erase(seq);
  ++stats_.confirmed;
  return seq;
}

bool PendingSet::PopEarlyFront() {
  auto [expiry, id] = std::move(early_order_.front());
  early_order_.pop_front();
  auto it = early_.find(id);
  // Consumed confirmations leave their order entry behind; the id's oldest live one is at
  // most as old as this entry exactly when this entry is still live.
  if (it == early_.end() || it->second.front() > expiry) return false;
  it->second.pop_front();
  if (it->second.empty()) early_.erase(it);
  --early_live_;
  return true;
}

void PendingSet::ForgetEarly(int64_t now_ms) {
  while (!early_order_.empty() && early_order_.front().first <= now_ms) {
    if (PopEarlyFront()) ++stats_.early_expired;
  }
}

void PendingSet::TakeExpired(int64_t now_ms, std::vector<uint64_t>* sequences) {
  ForgetEarly(now_ms);
  const int64_t cutoff = now_ms - options_.confirm_timeout_ms;
  // Receive times grow with the sequence (both are taken on arrival, in order), so the scan
  // stops at the first message still in time. After a clock step back, later messages wait
  // behind an earlier one: late, never lost.
  for (auto it = by_sequence_.begin(); it != by_sequence_.end();) {
    if (it->second.receive_ms > cutoff) break;
    auto ids = by_id_.find(it->second.id);
    if (ids != by_id_.end()) {
      std::erase(ids->second, it->first);
      if (ids->second.empty()) by_id_.erase(ids);
    }
    sequences->push_back(it->first);
    ++stats_.expired;
    it = by_sequence_.erase(it);
  }
}

std::optional<uint64_t> PendingSet::lowest_sequence() const {
  if (by_sequence_.empty()) return std::nullopt;
  return by_sequence_.begin()->first;
}

std::optional<int64_t> PendingSet::next_expiry_ms() const {
  if (by_sequence_.empty()) return std::nullopt;
  return by_sequence_.begin()->second.receive_ms + options_.confirm_timeout_ms;
}

PendingSetStats PendingSet::stats() const {
  PendingSetStats s = stats_;
  s.pending = by_sequence_.size();
  s.early_now = early_live_;
  return s;
}

}  // namespace mqtt2s3::backup
