#include "serve/open_object_cache.h"

#include <gtest/gtest.h>

namespace mqtt2s3::serve {
namespace {

std::shared_ptr<const OpenObject> Obj(std::string bucket, std::string key, uint64_t size) {
  auto o = std::make_shared<OpenObject>();
  o->bucket = std::move(bucket);
  o->key = std::move(key);
  o->object_size = size;
  return o;
}

TEST(OpenObjectCacheTest, ReturnsWhatWasPutWhileTheListedSizeMatches) {
  OpenObjectCache cache(4);
  auto a = Obj("b", "k1", 100);
  cache.Put(a);
  EXPECT_EQ(cache.Get("b", "k1", 100), a);
  EXPECT_EQ(cache.Get("b", "k2", 100), nullptr);
  EXPECT_EQ(cache.Get("other", "k1", 100), nullptr);
  // A different size means a different object under the name: miss, and the entry is gone.
  EXPECT_EQ(cache.Get("b", "k1", 101), nullptr);
  EXPECT_EQ(cache.size(), 0u);
}

TEST(OpenObjectCacheTest, DropsTheLeastRecentlyUsedBeyondCapacity) {
  OpenObjectCache cache(2);
  cache.Put(Obj("b", "1", 1));
  cache.Put(Obj("b", "2", 1));
  ASSERT_NE(cache.Get("b", "1", 1), nullptr);  // 1 is now the most recent
  cache.Put(Obj("b", "3", 1));
  EXPECT_EQ(cache.size(), 2u);
  EXPECT_NE(cache.Get("b", "1", 1), nullptr);
  EXPECT_EQ(cache.Get("b", "2", 1), nullptr);
  EXPECT_NE(cache.Get("b", "3", 1), nullptr);
}

TEST(OpenObjectCacheTest, PuttingAKeyAgainReplacesIt) {
  OpenObjectCache cache(2);
  cache.Put(Obj("b", "1", 1));
  auto newer = Obj("b", "1", 2);
  cache.Put(newer);
  EXPECT_EQ(cache.size(), 1u);
  EXPECT_EQ(cache.Get("b", "1", 2), newer);
}

TEST(OpenObjectCacheTest, ZeroCapacityKeepsNothing) {
  OpenObjectCache cache(0);
  cache.Put(Obj("b", "1", 1));
  EXPECT_EQ(cache.size(), 0u);
  EXPECT_EQ(cache.Get("b", "1", 1), nullptr);
}

}  // namespace
}  // namespace mqtt2s3::serve
