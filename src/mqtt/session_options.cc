#include "mqtt/session_options.h"

#include <string>

#include "mqtt/codec.h"

namespace mqtt2s3::mqtt {

std::string_view ProtocolVersionName(ProtocolVersion version) {
  return version == ProtocolVersion::kV5 ? "5.0" : "3.1.1";
}

Status SessionOptions::Validate() const {
  auto bad = [](std::string m) { return Status::InvalidArgument("mqtt session: " + std::move(m)); };
  if (host.empty()) return bad("host is empty");
  if (port == 0) return bad("port must be 1..65535");
  for (size_t i = 0; i < failover.size(); ++i) {
    const std::string where = "failover[" + std::to_string(i) + "]: ";
    if (failover[i].host.empty()) return bad(where + "host is empty");
    if (failover[i].port == 0) return bad(where + "port must be 1..65535");
  }
  if (version != ProtocolVersion::kV311 && version != ProtocolVersion::kV5) {
    return bad("version must be 3.1.1 (4) or 5.0 (5)");
  }
  if (client_id.empty()) {
    if (version == ProtocolVersion::kV311 || !clean_start) {
      return bad("client_id is required (persistent sessions and MQTT 3.1.1 need one)");
    }
  }
  if (client_id.size() > kMaxStringLength || !IsValidMqttUtf8(client_id)) {
    return bad("client_id must be valid UTF-8 of at most 65535 bytes");
  }
  if (keepalive.count() < 0 || keepalive.count() > 65535) {
    return bad("keepalive must be 0..65535 s, got " + std::to_string(keepalive.count()));
  }
  if (password && !username && version == ProtocolVersion::kV311) {
    return bad("MQTT 3.1.1 needs a username when a password is set");
  }
  if (username && (username->size() > kMaxStringLength || !IsValidMqttUtf8(*username))) {
    return bad("username must be valid UTF-8 of at most 65535 bytes");
  }
  if (password && password->size() > kMaxStringLength) {
    return bad("password longer than 65535 bytes");
  }
  if (receive_maximum == 0) return bad("receive_maximum must be 1..65535");
  if (max_packet_size < 1024 || max_packet_size > kMaxPacketSize) {
    return bad("max_packet_size must be 1024.." + std::to_string(kMaxPacketSize) + ", got " +
               std::to_string(max_packet_size));
  }
  if (read_buffer_bytes < 1024 || read_buffer_bytes > max_packet_size) {
    return bad("read_buffer_bytes must be 1024..max_packet_size, got " +
               std::to_string(read_buffer_bytes));
  }
  if (connect_timeout.count() <= 0) return bad("connect_timeout must be > 0");
  if (disconnect_timeout.count() < 0) return bad("disconnect_timeout must be >= 0");
  M2S_RETURN_IF_ERROR(backoff.Validate().WithContext("mqtt session"));
  M2S_RETURN_IF_ERROR(tls.Validate());
  // $share/ filters are accepted at 3.1.1 too: mosquitto and aedes honour them there.
  for (size_t i = 0; i < subscriptions.size(); ++i) {
    const Subscription& s = subscriptions[i];
    if (!IsValidTopicFilter(s.filter)) {
      return bad("subscriptions[" + std::to_string(i) + "]: invalid topic filter '" + s.filter +
                 "'");
    }
    if (static_cast<uint8_t>(s.qos) > 2) {
      return bad("subscriptions[" + std::to_string(i) + "]: qos must be 0, 1 or 2");
    }
  }
  return Status::Ok();
}

std::vector<BrokerEndpoint> SessionOptions::Brokers() const {
  std::vector<BrokerEndpoint> out;
  out.reserve(1 + failover.size());
  out.push_back(BrokerEndpoint{.host = host, .port = port, .tls_server_name = tls.server_name});
  out.insert(out.end(), failover.begin(), failover.end());
  return out;
}

std::string SessionOptions::ToString() const {
  std::string s = version == ProtocolVersion::kV5 ? "mqtt5://" : "mqtt311://";
  if (tls.enabled) s.insert(s.find(':'), "+tls");
  if (username) s += *username + "@";
  s += host + ":" + std::to_string(port);
  for (const BrokerEndpoint& b : failover) s += "," + b.ToString();
  s += " client_id=" + client_id;
  s += " clean_start=" + std::to_string(clean_start ? 1 : 0);
  if (version == ProtocolVersion::kV5) {
    s += " session_expiry_s=" + std::to_string(session_expiry_s);
    s += " receive_maximum=" + std::to_string(receive_maximum);
  }
  s += " keepalive_s=" + std::to_string(keepalive.count());
  s += " password=" + std::string(password ? "<set>" : "<none>");
  if (tls.enabled) {
    // Paths only: the key file's content is never read here.
    s += " tls_ca=" + (tls.ca_file.empty() ? std::string("<system>") : tls.ca_file);
    if (!tls.cert_file.empty()) s += " tls_cert=" + tls.cert_file;
    if (!tls.server_name.empty()) s += " tls_server_name=" + tls.server_name;
  }
  s += " subscriptions=" + std::to_string(subscriptions.size());
  return s;
}

}  // namespace mqtt2s3::mqtt
