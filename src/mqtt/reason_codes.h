// MQTT reason codes: the MQTT 5.0 one-byte Reason Code (OASIS MQTT 5.0, section 2.4) and the
// MQTT 3.1.1 CONNACK return codes (section 3.2.2.3), with human-readable names.
//
//   if (IsErrorReasonCode(connack.reason_code))
//     return Status::PermissionDenied(std::string(ReasonCodeName(connack.reason_code)));
//
// Codes are carried as plain uint8_t in packets because a peer may send a value this table does
// not know; ReasonCode names the ones the spec defines.
// Thread-safety: pure functions over constant tables.
#pragma once

#include <cstdint>
#include <string_view>

namespace mqtt2s3::mqtt {

// MQTT 5.0 reason codes. Several values have more than one meaning depending on the packet
// (0x00 is Success, Normal disconnection and Granted QoS 0); the enumerator names the most common.
enum class ReasonCode : uint8_t {
  kSuccess = 0x00,  // also Normal disconnection, Granted QoS 0
  kGrantedQoS1 = 0x01,
  kGrantedQoS2 = 0x02,
  kDisconnectWithWillMessage = 0x04,
  kNoMatchingSubscribers = 0x10,
  kNoSubscriptionExisted = 0x11,
  kContinueAuthentication = 0x18,
  kReAuthenticate = 0x19,
  kUnspecifiedError = 0x80,
  kMalformedPacket = 0x81,
  kProtocolError = 0x82,
  kImplementationSpecificError = 0x83,
  kUnsupportedProtocolVersion = 0x84,
  kClientIdentifierNotValid = 0x85,
  kBadUserNameOrPassword = 0x86,
  kNotAuthorized = 0x87,
  kServerUnavailable = 0x88,
  kServerBusy = 0x89,
  kBanned = 0x8A,
  kServerShuttingDown = 0x8B,
  kBadAuthenticationMethod = 0x8C,
  kKeepAliveTimeout = 0x8D,
  kSessionTakenOver = 0x8E,
  kTopicFilterInvalid = 0x8F,
  kTopicNameInvalid = 0x90,
  kPacketIdentifierInUse = 0x91,
  kPacketIdentifierNotFound = 0x92,
  kReceiveMaximumExceeded = 0x93,
  kTopicAliasInvalid = 0x94,
  kPacketTooLarge = 0x95,
  kMessageRateTooHigh = 0x96,
  kQuotaExceeded = 0x97,
  kAdministrativeAction = 0x98,
  kPayloadFormatInvalid = 0x99,
  kRetainNotSupported = 0x9A,
  kQoSNotSupported = 0x9B,
  kUseAnotherServer = 0x9C,
  kServerMoved = 0x9D,
  kSharedSubscriptionsNotSupported = 0x9E,
  kConnectionRateExceeded = 0x9F,
  kMaximumConnectTime = 0xA0,
  kSubscriptionIdentifiersNotSupported = 0xA1,
  kWildcardSubscriptionsNotSupported = 0xA2,
};

// The spec's name of an MQTT 5.0 reason code: ReasonCodeName(0x87) == "Not authorized".
// Unknown values give "Unknown reason code". 0x00 gives "Success".
std::string_view ReasonCodeName(uint8_t code);
inline std::string_view ReasonCodeName(ReasonCode code) {
  return ReasonCodeName(static_cast<uint8_t>(code));
}

// True when the code reports a failure (the spec's rule: values >= 0x80).
constexpr bool IsErrorReasonCode(uint8_t code) { return code >= 0x80; }

// True when `code` is one the MQTT 5.0 spec defines (any packet).
bool IsKnownReasonCode(uint8_t code);

// MQTT 3.1.1 CONNACK return codes (0..5); anything else is reserved.
enum class ConnectReturnCode : uint8_t {
  kAccepted = 0,
  kUnacceptableProtocolVersion = 1,
  kIdentifierRejected = 2,
  kServerUnavailable = 3,
  kBadUserNameOrPassword = 4,
  kNotAuthorized = 5,
};

// "Connection Accepted", "Connection Refused, not authorized", ...; "Reserved return code" else.
std::string_view ConnectReturnCodeName(uint8_t code);

}  // namespace mqtt2s3::mqtt
