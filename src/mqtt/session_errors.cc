#include "mqtt/session_errors.h"

#include "mqtt/reason_codes.h"

namespace mqtt2s3::mqtt {

std::string ReasonCodeHex(uint8_t code) {
  static constexpr char kDigits[] = "0123456789abcdef";
  return std::string("0x") + kDigits[code >> 4] + kDigits[code & 15];
}

Status ConnectRefused(ProtocolVersion version, uint8_t code, std::string_view client_id,
                      std::optional<std::string_view> reason_string) {
  const bool v5 = version == ProtocolVersion::kV5;
  std::string m = "mqtt: broker refused CONNECT for client_id '" + std::string(client_id) +
                  "': " + std::string(v5 ? ReasonCodeName(code) : ConnectReturnCodeName(code)) +
                  " (" + ReasonCodeHex(code) + ")";
  if (reason_string) m += ": " + std::string(*reason_string);
  const bool auth = v5 ? (code == static_cast<uint8_t>(ReasonCode::kBadUserNameOrPassword) ||
                          code == static_cast<uint8_t>(ReasonCode::kNotAuthorized))
                       : (code == static_cast<uint8_t>(ConnectReturnCode::kBadUserNameOrPassword) ||
                          code == static_cast<uint8_t>(ConnectReturnCode::kNotAuthorized));
  return auth ? Status::PermissionDenied(std::move(m)) : Status::Unavailable(std::move(m));
}

Status SubscriptionRefused(ProtocolVersion version, std::string_view filter, uint8_t code,
                           std::optional<std::string_view> reason_string) {
  std::string m = "mqtt: broker refused subscription '" + std::string(filter) + "': " +
                  std::string(version == ProtocolVersion::kV5 ? ReasonCodeName(code)
                                                              : std::string_view("Failure")) +
                  " (" + ReasonCodeHex(code) + ")";
  if (reason_string) m += ": " + std::string(*reason_string);
  return Status::PermissionDenied(std::move(m));
}

}  // namespace mqtt2s3::mqtt
