// WorkQueue<T>: a bounded multi-producer multi-consumer FIFO with close semantics, used to hand
// upload jobs from the MQTT io thread to the upload workers.
//
//   WorkQueue<Job> q(1000);
//   q.Push(std::move(job));            // blocks while full (backpressure), false once closed
//   while (auto job = q.Pop()) { ... } // blocks while empty; nullopt once closed and drained
//   q.Close();
//
// Thread-safety: every method is safe from any thread.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>
#include <optional>
#include <utility>

namespace mqtt2s3::converter {

template <typename T>
class WorkQueue {
 public:
  explicit WorkQueue(size_t capacity) : capacity_(capacity == 0 ? 1 : capacity) {}

  // Blocks while the queue is full. Returns false (and drops nothing: `item` is untouched)
  // when the queue is closed.
  bool Push(T&& item) {
    std::unique_lock lock(mu_);
    not_full_.wait(lock, [&] { return closed_ || items_.size() < capacity_; });
    if (closed_) return false;
    items_.push_back(std::move(item));
    not_empty_.notify_one();
    return true;
  }

  // Blocks until an item is available; nullopt once closed and empty.
  std::optional<T> Pop() {
    std::unique_lock lock(mu_);
    not_empty_.wait(lock, [&] { return closed_ || !items_.empty(); });
    if (items_.empty()) return std::nullopt;
    T item = std::move(items_.front());
    items_.pop_front();
    not_full_.notify_one();
    return item;
  }

  // Wakes every waiter; Push fails from now on, Pop drains what is left.
  void Close() {
    std::lock_guard lock(mu_);
    closed_ = true;
    not_empty_.notify_all();
    not_full_.notify_all();
  }

  size_t size() const {
    std::lock_guard lock(mu_);
    return items_.size();
  }

 private:
  const size_t capacity_;
  mutable std::mutex mu_;
  std::condition_variable not_empty_;
  std::condition_variable not_full_;
  std::deque<T> items_;
  bool closed_ = false;
};

}  // namespace mqtt2s3::converter
