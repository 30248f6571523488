#include "converter/work_queue.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace mqtt2s3::converter {
namespace {

TEST(WorkQueueTest, FifoOrder) {
  WorkQueue<int> q(10);
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(q.Push(int(i)));
  for (int i = 0; i < 5; ++i) EXPECT_EQ(*q.Pop(), i);
}

TEST(WorkQueueTest, CloseDrainsRemainingThenEnds) {
  WorkQueue<int> q(10);
  ASSERT_TRUE(q.Push(1));
  ASSERT_TRUE(q.Push(2));
  q.Close();
  EXPECT_FALSE(q.Push(3));
  EXPECT_EQ(*q.Pop(), 1);
  EXPECT_EQ(*q.Pop(), 2);
  EXPECT_FALSE(q.Pop().has_value());
}

TEST(WorkQueueTest, FullQueueBlocksProducerUntilConsumed) {
  WorkQueue<int> q(2);
  ASSERT_TRUE(q.Push(1));
  ASSERT_TRUE(q.Push(2));
  std::atomic<bool> pushed{false};
  std::thread producer([&] {
    q.Push(3);
    pushed = true;
  });
  // The producer cannot finish before a Pop makes room; whatever the timing, the queue never
  // holds more than its capacity.
  EXPECT_LE(q.size(), 2u);
  EXPECT_EQ(*q.Pop(), 1);
  producer.join();
  EXPECT_TRUE(pushed);
  EXPECT_EQ(*q.Pop(), 2);
  EXPECT_EQ(*q.Pop(), 3);
}

TEST(WorkQueueTest, ManyProducersManyConsumersLoseNothing) {
  WorkQueue<int> q(8);
  constexpr int kPerProducer = 2000;
  std::vector<std::thread> threads;
  std::atomic<long> sum{0};
  std::atomic<int> count{0};
  for (int c = 0; c < 3; ++c) {
    threads.emplace_back([&] {
      while (auto v = q.Pop()) {
        sum += *v;
        ++count;
      }
    });
  }
  std::vector<std::thread> producers;
  for (int p = 0; p < 3; ++p) {
    producers.emplace_back([&] {
      for (int i = 1; i <= kPerProducer; ++i) ASSERT_TRUE(q.Push(int(i)));
    });
  }
  for (auto& t : producers) t.join();
  q.Close();
  for (auto& t : threads) t.join();
  EXPECT_EQ(count.load(), 3 * kPerProducer);
  EXPECT_EQ(sum.load(), 3L * kPerProducer * (kPerProducer + 1) / 2);
}

}  // namespace
}  // namespace mqtt2s3::converter
