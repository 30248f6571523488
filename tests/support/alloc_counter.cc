// The counting operators live in this file together with the API on purpose: a static
// library's object is linked only when something references it, so a test that calls
// AllocationScope or ThreadAllocations is what pulls the replacement operators into its binary.
#include "alloc_counter.h"

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <new>

namespace mqtt2s3::testing {
namespace {

std::atomic<long> g_total{0};
// Trivially initialised, so reading it needs no TLS constructor, even inside operator new.
thread_local long t_thread = 0;

void Count() noexcept {
  g_total.fetch_add(1, std::memory_order_relaxed);
  ++t_thread;
}

void* CountedAlloc(std::size_t n) noexcept {
  Count();
  return std::malloc(n == 0 ? 1 : n);
}

void* CountedAlignedAlloc(std::size_t n, std::align_val_t align) noexcept {
  Count();
  const auto a = static_cast<std::size_t>(align);
  if (n > SIZE_MAX - a) return nullptr;
  // aligned_alloc wants a size that is a multiple of the alignment; ASan enforces it.
  return std::aligned_alloc(a, n == 0 ? a : (n + a - 1) / a * a);
}

void* OrThrow(void* p) {
  if (p == nullptr) throw std::bad_alloc();
  return p;
}

}  // namespace

long TotalAllocations() { return g_total.load(std::memory_order_relaxed); }

long ThreadAllocations() { return t_thread; }

AllocationScope::AllocationScope() : start_(TotalAllocations()) {}

long AllocationScope::count() const { return TotalAllocations() - start_; }

}  // namespace mqtt2s3::testing

// The replacements pair malloc (and aligned_alloc) with free, which is correct; GCC 12 at -O2
// inlines them into callers and then misreports a new/free mismatch.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

// Every form is replaced, so no allocation can pair with another runtime's delete: simdjson
// uses the nothrow forms, and under ASan an unreplaced form would come from ASan's allocator
// and be reported as an alloc/dealloc mismatch when freed here.
using mqtt2s3::testing::CountedAlignedAlloc;
using mqtt2s3::testing::CountedAlloc;
using mqtt2s3::testing::OrThrow;

void* operator new(std::size_t n) { return OrThrow(CountedAlloc(n)); }
void* operator new[](std::size_t n) { return OrThrow(CountedAlloc(n)); }
void* operator new(std::size_t n, const std::nothrow_t&) noexcept { return CountedAlloc(n); }
void* operator new[](std::size_t n, const std::nothrow_t&) noexcept { return CountedAlloc(n); }
void* operator new(std::size_t n, std::align_val_t a) { return OrThrow(CountedAlignedAlloc(n, a)); }
void* operator new[](std::size_t n, std::align_val_t a) {
  return OrThrow(CountedAlignedAlloc(n, a));
}
void* operator new(std::size_t n, std::align_val_t a, const std::nothrow_t&) noexcept {
  return CountedAlignedAlloc(n, a);
}
void* operator new[](std::size_t n, std::align_val_t a, const std::nothrow_t&) noexcept {
  return CountedAlignedAlloc(n, a);
}

void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete(void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, std::align_val_t, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, std::align_val_t, const std::nothrow_t&) noexcept { std::free(p); }
