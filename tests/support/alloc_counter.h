// Heap allocation counting for tests that prove a hot path allocates nothing.
//
// Linking m2s_alloc_counter replaces the global operator new / delete of the whole test
// binary (every throwing, nothrow, array and aligned form) with counting versions over
// malloc / free. A binary that links it therefore counts every allocation; keep only
// allocation tests in such a binary.
//
//   AllocationScope scope;            // counts allocations on all threads from here
//   RunHotPath();
//   EXPECT_EQ(scope.count(), 0);
//
//   const long before = ThreadAllocations();  // on an io thread: only that thread's
//
// Works under -DMQTT2S3_SANITIZE=ON: the replacements allocate through malloc, which ASan
// intercepts, and every form is replaced so no allocation pairs with ASan's own delete.
// Thread-safety: every function may be called from any thread.
#pragma once

namespace mqtt2s3::testing {

// Allocations made through operator new by every thread since the process started.
long TotalAllocations();

// Allocations made through operator new by the calling thread since it started.
long ThreadAllocations();

// Counts the allocations made by every thread between its construction and count().
// Lifecycle: a plain value; create it right before the code under test.
// Thread-safety: count() may be called from any thread.
class AllocationScope {
 public:
  AllocationScope();

  // Allocations since construction, on all threads.
  long count() const;

 private:
  long start_;
};

}  // namespace mqtt2s3::testing
