#include "mqtt/session_errors.h"

#include <gtest/gtest.h>

namespace mqtt2s3::mqtt {
namespace {

TEST(SessionErrorsTest, RefusedSubscriptionNamesFilterReasonAndHexCode) {
  Status s = SubscriptionRefused(ProtocolVersion::kV5, "$share/g/a/#", 0x87, "no ACL");
  EXPECT_EQ(s.code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(s.message(),
            "mqtt: broker refused subscription '$share/g/a/#': Not authorized (0x87): no ACL");
}

TEST(SessionErrorsTest, Mqtt311SubscriptionFailureIsCalledFailure) {
  Status s = SubscriptionRefused(ProtocolVersion::kV311, "a/+", 0x80, std::nullopt);
  EXPECT_EQ(s.message(), "mqtt: broker refused subscription 'a/+': Failure (0x80)");
}

TEST(SessionErrorsTest, BadCredentialsArePermissionDeniedAtBothVersions) {
  Status v5 = ConnectRefused(ProtocolVersion::kV5, 0x86, "c1", std::nullopt);
  EXPECT_EQ(v5.code(), StatusCode::kPermissionDenied);
  EXPECT_NE(v5.message().find("'c1'"), std::string::npos) << v5.ToString();
  EXPECT_NE(v5.message().find("(0x86)"), std::string::npos) << v5.ToString();
  Status v311 = ConnectRefused(ProtocolVersion::kV311, 5, "c1", std::nullopt);
  EXPECT_EQ(v311.code(), StatusCode::kPermissionDenied);
  EXPECT_NE(v311.message().find("not authorized"), std::string::npos) << v311.ToString();
}

TEST(SessionErrorsTest, OtherConnectRefusalsAreRetryable) {
  Status s = ConnectRefused(ProtocolVersion::kV5, 0x89, "c1", "busy");
  EXPECT_EQ(s.code(), StatusCode::kUnavailable);
  EXPECT_TRUE(s.IsRetryable());
  EXPECT_NE(s.message().find(": busy"), std::string::npos);
}

TEST(SessionErrorsTest, HexIsTwoLowerCaseDigits) {
  EXPECT_EQ(ReasonCodeHex(0x00), "0x00");
  EXPECT_EQ(ReasonCodeHex(0x9e), "0x9e");
}

}  // namespace
}  // namespace mqtt2s3::mqtt
