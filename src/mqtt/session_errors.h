// Statuses the session reports when the broker refuses something, with the names a reader
// needs: which client id or filter, the reason code's spec name and its hex value.
//
//   SubscriptionRefused(kV5, "$share/g/a/#", 0x87, "no ACL")
//     -> PermissionDenied "mqtt: broker refused subscription '$share/g/a/#': Not authorized
//        (0x87): no ACL"
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"
#include "mqtt/packet.h"

namespace mqtt2s3::mqtt {

// "0x87"
std::string ReasonCodeHex(uint8_t code);

// A CONNACK with a non-zero reason / return code. Bad credentials and "not authorized" are
// kPermissionDenied; everything else kUnavailable (the session retries either way).
Status ConnectRefused(ProtocolVersion version, uint8_t code, std::string_view client_id,
                      std::optional<std::string_view> reason_string);

// A SUBACK reason code >= 0x80 for `filter` (MQTT 3.1.1 only has 0x80 "Failure").
Status SubscriptionRefused(ProtocolVersion version, std::string_view filter, uint8_t code,
                           std::optional<std::string_view> reason_string);

}  // namespace mqtt2s3::mqtt
