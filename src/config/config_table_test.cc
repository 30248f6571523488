#include "config/config_table.h"

#include <gtest/gtest.h>

#include <set>

namespace mqtt2s3::config {
namespace {

TEST(ConfigTableTest, DocumentedDefaultsMatchTheStructDefaults) {
  Config c;
  c.subscriptions.resize(1);
  c.routes.resize(1);
  c.routes[0].columns.resize(1);
  c.broker.failover.resize(1);
  for (const ConfigKey& k : ConfigTable()) {
    if (!k.is_scalar() || k.required() || (k.flags & kDynamicDefault)) continue;
    EXPECT_EQ(FormatValue(k, k.get(c, 0)), k.default_text) << k.path;
  }
}

TEST(ConfigTableTest, EveryKeyHasHelpAParentAndAUniquePath) {
  std::set<std::string_view> paths;
  for (const ConfigKey& k : ConfigTable()) {
    EXPECT_FALSE(k.help.empty()) << k.path;
    EXPECT_TRUE(paths.insert(k.path).second) << "duplicate " << k.path;
    std::string_view parent = ParentPath(k.path);
    if (parent.empty()) continue;
    if (parent.size() > 2 && parent.substr(parent.size() - 2) == "[]") parent.remove_suffix(2);
    const ConfigKey* p = FindConfigKey(parent);
    ASSERT_NE(p, nullptr) << k.path;
    EXPECT_TRUE(p->kind == ValueKind::kSection || p->kind == ValueKind::kList) << k.path;
    if (k.is_scalar()) {
      EXPECT_NE(k.set, nullptr) << k.path;
      EXPECT_NE(k.get, nullptr) << k.path;
    }
  }
}

TEST(ConfigTableTest, SettersWriteTheFieldTheGetterReads) {
  Config c;
  c.subscriptions.resize(1);
  c.routes.resize(1);
  c.routes[0].columns.resize(1);
  c.broker.failover.resize(1);
  for (const ConfigKey& k : ConfigTable()) {
    if (!k.is_scalar()) continue;
    ConfigValue v;
    switch (k.kind) {
      case ValueKind::kBool: v.b = !k.get(c, 0).b; break;
      case ValueKind::kInt: case ValueKind::kDuration: case ValueKind::kSize:
        v.i = k.max > 0 ? k.max : 7;
        break;
      case ValueKind::kEnum: v.s = std::string(k.choices.substr(k.choices.rfind('|') + 1)); break;
      default: v.s = "x-" + std::string(k.path); break;
    }
    k.set(c, 0, v);
    EXPECT_EQ(FormatValue(k, k.get(c, 0)), FormatValue(k, v)) << k.path;
  }
}

}  // namespace
}  // namespace mqtt2s3::config
