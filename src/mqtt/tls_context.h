// The OpenSSL side of MQTT over TLS: building the client context from TlsOptions, preparing
// one connection (SNI and the name to verify) and describing a failure in words an operator
// can act on.
//
//   auto ctx = MakeClientTlsContext(options.tls);            // per connection attempt
//   if (!ctx.ok()) return ctx.status();                      // names the option and file
//   asio::ssl::stream<tcp::socket&> tls(socket, **ctx);
//   M2S_RETURN_IF_ERROR(PrepareTlsConnection(tls.native_handle(), options.tls.PeerName(host)));
//   ... async_handshake(client) fails with ec ...
//   DescribeTlsError(ec, tls.native_handle(), "localhost")
//     -> "certificate verify failed: unable to get local issuer certificate (verifying name
//         'localhost')"
//
// Verification is always on: the chain must lead to ca_file (or the system store) and the
// certificate must name the peer (DNS SAN for a host name, IP SAN for an address).
// Thread-safety: free functions; a context may be shared by connections on any thread once
// built (OpenSSL reference-counts it), an SSL* belongs to one connection.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include <boost/asio/ssl/context.hpp>
#include <boost/system/error_code.hpp>

#include "common/status.h"
#include "mqtt/tls_options.h"

namespace mqtt2s3::mqtt {

// TLS 1.2+ client context with peer verification, the CA bundle (or the system store) and the
// optional client certificate and key, checked to belong together. Errors are
// InvalidArgument and name the option, the file and OpenSSL's reason; never file contents.
StatusOr<std::shared_ptr<boost::asio::ssl::context>> MakeClientTlsContext(const TlsOptions& tls);

// Sets, on one connection's SSL object, the name the handshake checks the certificate against
// and, unless `peer_name` is an IP address (RFC 6066 forbids those in SNI), the SNI.
Status PrepareTlsConnection(SSL* ssl, const std::string& peer_name);

// True when `name` is an IPv4 or IPv6 address literal.
bool IsIpAddress(std::string_view name);

// OpenSSL's reason for `ec`, plus the certificate verification result when the handshake got
// that far: "certificate verify failed: certificate has expired (verifying name 'h')".
// `ssl` may be null.
std::string DescribeTlsError(const boost::system::error_code& ec, const SSL* ssl,
                             std::string_view peer_name);

}  // namespace mqtt2s3::mqtt
