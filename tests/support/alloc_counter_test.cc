// Checks the allocation counter itself, so a zero in an allocation test means "nothing was
// allocated" and not "nothing was counted". Calls operator new directly: unlike new-expressions,
// those calls may not be elided by the compiler.
#include "alloc_counter.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <new>
#include <thread>

namespace mqtt2s3::testing {
namespace {

void AllocateAndFree(int n) {
  for (int i = 0; i < n; ++i) ::operator delete(::operator new(16));
}

// Waits (bounded) until `flag` holds `value`; allocates nothing.
bool WaitFor(const std::atomic<int>& flag, int value) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (flag.load() != value && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::yield();
  }
  return flag.load() == value;
}

TEST(AllocationCounterTest, ScopeCountsEveryFormOfOperatorNew) {
  const AllocationScope scope;
  void* plain = ::operator new(16);
  void* array = ::operator new[](16);
  void* nothrow = ::operator new(16, std::nothrow);
  void* nothrow_array = ::operator new[](16, std::nothrow);
  void* aligned = ::operator new (100, std::align_val_t{64});
  void* aligned_nothrow = ::operator new[](100, std::align_val_t{64}, std::nothrow);
  const long count = scope.count();
  const bool aligned_ok = reinterpret_cast<std::uintptr_t>(aligned) % 64 == 0 &&
                          reinterpret_cast<std::uintptr_t>(aligned_nothrow) % 64 == 0;
  ::operator delete(plain);
  ::operator delete[](array);
  ::operator delete(nothrow, std::nothrow);
  ::operator delete[](nothrow_array, std::nothrow);
  ::operator delete (aligned, std::align_val_t{64});
  ::operator delete[](aligned_nothrow, std::align_val_t{64}, std::nothrow);
  EXPECT_EQ(count, 6);
  EXPECT_TRUE(aligned_ok);
  EXPECT_NE(nothrow, nullptr);
}

TEST(AllocationCounterTest, ThreadAllocationsSeeOnlyTheCallingThreadAndScopesSeeAll) {
  std::atomic<int> phase{0};
  long in_thread = -1;
  std::thread other([&] {
    if (!WaitFor(phase, 1)) return;
    const long before = ThreadAllocations();
    AllocateAndFree(5);
    in_thread = ThreadAllocations() - before;
    phase.store(2);
  });
  const long main_before = ThreadAllocations();
  const AllocationScope scope;
  phase.store(1);
  const bool finished = WaitFor(phase, 2);
  const long main_delta = ThreadAllocations() - main_before;
  const long all = scope.count();
  other.join();
  ASSERT_TRUE(finished);
  EXPECT_EQ(in_thread, 5);
  EXPECT_EQ(main_delta, 0);
  EXPECT_EQ(all, 5);
}

}  // namespace
}  // namespace mqtt2s3::testing
