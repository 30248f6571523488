#include "route/topic_filter.h"

#include <gtest/gtest.h>

#include <string>

namespace mqtt2s3::route {
namespace {

struct MatchCase {
  const char* filter;
  const char* topic;
  bool match;
};

TEST(TopicFilterTest, MatchesLikeTheMqttSpecExamples) {
  const MatchCase cases[] = {
      {"sport/tennis/player1/#", "sport/tennis/player1", true},
      {"sport/tennis/player1/#", "sport/tennis/player1/ranking", true},
      {"sport/tennis/player1/#", "sport/tennis/player1/score/wimbledon", true},
      {"sport/#", "sport", true},
      {"#", "sport/tennis", true},
      {"#", "/", true},
      {"sport/tennis/+", "sport/tennis/player1", true},
      {"sport/tennis/+", "sport/tennis/player1/ranking", false},
      {"sport/+", "sport", false},
      {"sport/+", "sport/", true},
      {"+/+", "/finance", true},
      {"/+", "/finance", true},
      {"+", "/finance", false},
      {"+", "finance", true},
      {"#", "$SYS/broker/load", false},
      {"+/monitor/Clients", "$SYS/monitor/Clients", false},
      {"$SYS/#", "$SYS/monitor/Clients", true},
      {"$SYS/monitor/+", "$SYS/monitor/Clients", true},
      {"a/b", "a/b", true},
      {"a/b", "a/b/c", false},
      {"a/b", "a", false},
      {"a/b", "A/b", false},
      {"a//b", "a//b", true},
      {"a/+/b", "a//b", true},
      {"a/#", "a/b/c/d", true},
      {"a/b/#", "a", false},
      {"$share/g/sport/#", "sport/tennis", true},
      {"$share/g/sport/+", "sport", false},
      {"COMPANY-X/+/+/+/+/WELD/#", "COMPANY-X/JSON/0/1/WELDING-STATION-12/WELD/1", true},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(TopicFilter(c.filter).Matches(c.topic), c.match)
        << "filter '" << c.filter << "' topic '" << c.topic << "'";
  }
}

TEST(TopicFilterTest, ValidFiltersPass) {
  for (const char* f : {"a", "#", "+", "a/+/b", "a/#", "/", "+/+/#", "$SYS/#", "$share/g/a/#",
                        "$share/group-1/+", "a/\xC3\xA9/b"}) {
    EXPECT_TRUE(ValidateTopicFilter(f).ok()) << f << ": " << ValidateTopicFilter(f).ToString();
  }
}

TEST(TopicFilterTest, InvalidFiltersAreRejectedWithAReason) {
  struct Bad {
    std::string filter;
    const char* why;
  };
  const Bad cases[] = {
      {"", "empty"},
      {"a/#/b", "last level"},
      {"a#", "whole level"},
      {"a/b#", "whole level"},
      {"a+/b", "whole level"},
      {"a/+b", "whole level"},
      {"$share/g", "$share/{group}/{filter}"},
      {"$share//a", "empty share group"},
      {"$share/g+/a", "must not contain"},
      {"$share/g/", "empty filter"},
      {std::string("a\0b", 3), "NUL"},
      {"a/\xFF", "UTF-8"},
      {std::string(70000, 'a'), "65535"},
  };
  for (const auto& c : cases) {
    Status s = ValidateTopicFilter(c.filter);
    EXPECT_FALSE(s.ok()) << c.filter.substr(0, 40);
    EXPECT_NE(s.message().find(c.why), std::string::npos) << s.message().substr(0, 200);
  }
}

TEST(TopicFilterTest, SharePrefixIsStripped) {
  EXPECT_EQ(StripSharePrefix("$share/g/a/b"), "a/b");
  EXPECT_EQ(StripSharePrefix("a/b"), "a/b");
  EXPECT_EQ(StripSharePrefix("$share/g"), "$share/g");
}

}  // namespace
}  // namespace mqtt2s3::route
