// SessionHandlerMemory: fixed storage for the one outstanding read (or write) operation of a
// connection, so Asio allocates nothing per socket operation (Asio's "custom allocation"
// idiom). Asio frees an operation's storage before invoking its handler, so the next read
// started from inside the handler reuses the same block.
//
//   conn->stream.AsyncReadSome(buf, WithMemory(conn->read_memory, [..](ec, n) { ... }));
//
// Lifecycle: owned by the connection, which every handler using it keeps alive.
// Thread-safety: not thread-safe; one operation at a time per block, on the session's strand.
#pragma once

#include <cstddef>
#include <new>
#include <utility>

namespace mqtt2s3::mqtt {

class SessionHandlerMemory {
 public:
  SessionHandlerMemory() = default;
  SessionHandlerMemory(const SessionHandlerMemory&) = delete;
  SessionHandlerMemory& operator=(const SessionHandlerMemory&) = delete;

  void* Allocate(std::size_t size) {
    if (!in_use_ && size <= sizeof(storage_)) {
      in_use_ = true;
      return storage_;
    }
    return ::operator new(size);  // an unexpectedly large or overlapping operation
  }
  void Deallocate(void* p) {
    if (p == static_cast<void*>(storage_)) {
      in_use_ = false;
    } else {
      ::operator delete(p);
    }
  }

 private:
  alignas(std::max_align_t) unsigned char storage_[1024];
  bool in_use_ = false;
};

template <typename T>
class SessionHandlerAllocator {
 public:
  using value_type = T;
  explicit SessionHandlerAllocator(SessionHandlerMemory& memory) : memory_(&memory) {}
  template <typename U>
  SessionHandlerAllocator(const SessionHandlerAllocator<U>& other) noexcept  // NOLINT
      : memory_(other.memory_) {}

  T* allocate(std::size_t n) { return static_cast<T*>(memory_->Allocate(sizeof(T) * n)); }
  void deallocate(T* p, std::size_t) { memory_->Deallocate(p); }

  template <typename U>
  bool operator==(const SessionHandlerAllocator<U>& other) const noexcept {
    return memory_ == other.memory_;
  }
  template <typename U>
  bool operator!=(const SessionHandlerAllocator<U>& other) const noexcept {
    return memory_ != other.memory_;
  }

 private:
  template <typename>
  friend class SessionHandlerAllocator;
  SessionHandlerMemory* memory_;
};

// A completion handler whose associated allocator is `memory`.
template <typename Handler>
class WithMemoryHandler {
 public:
  using allocator_type = SessionHandlerAllocator<Handler>;

  WithMemoryHandler(SessionHandlerMemory& memory, Handler handler)
      : memory_(&memory), handler_(std::move(handler)) {}

  allocator_type get_allocator() const noexcept { return allocator_type(*memory_); }

  template <typename... Args>
  void operator()(Args&&... args) {
    handler_(std::forward<Args>(args)...);
  }

 private:
  SessionHandlerMemory* memory_;
  Handler handler_;
};

template <typename Handler>
WithMemoryHandler<std::decay_t<Handler>> WithMemory(SessionHandlerMemory& memory,
                                                     Handler&& handler) {
  return WithMemoryHandler<std::decay_t<Handler>>(memory, std::forward<Handler>(handler));
}

}  // namespace mqtt2s3::mqtt
