#include "mqtt/tls_context.h"

#include <cerrno>
#include <cstdio>
#include <cstring>

#include <boost/asio/ip/address.hpp>
#include <boost/asio/ssl/error.hpp>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

namespace mqtt2s3::mqtt {

namespace ssl = boost::asio::ssl;
using boost::system::error_code;

namespace {

Status Bad(std::string_view option, const std::string& path, std::string_view what) {
  return Status::InvalidArgument("tls." + std::string(option) + " '" + path + "': " +
                                 std::string(what));
}

// OpenSSL's messages for a missing file are generic ("system lib"); checking first gives the
// operator the errno text with the path.
Status CheckReadable(std::string_view option, const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) return Bad(option, path, std::strerror(errno));
  std::fclose(f);
  return Status::Ok();
}

// An encrypted key must fail with a clear error, not make OpenSSL prompt on the terminal of a
// service (the default callback reads the passphrase from stdin).
int RefusePassphrase(char*, int, int, void*) { return 0; }

}  // namespace

bool IsIpAddress(std::string_view name) {
  error_code ec;
  (void)boost::asio::ip::make_address(std::string(name), ec);
  return !ec;
}

StatusOr<std::shared_ptr<ssl::context>> MakeClientTlsContext(const TlsOptions& tls) {
  M2S_RETURN_IF_ERROR(tls.Validate());
  std::shared_ptr<ssl::context> ctx;
  try {
    ctx = std::make_shared<ssl::context>(ssl::context::tls_client);
  } catch (const boost::system::system_error& e) {
    return Status::Internal(std::string("cannot create an OpenSSL context: ") + e.what());
  }
  SSL_CTX* native = ctx->native_handle();
  if (SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION) != 1) {
    return Status::Internal("cannot require TLS 1.2 or later");
  }
  SSL_CTX_set_default_passwd_cb(native, &RefusePassphrase);
  error_code ec;
  (void)ctx->set_verify_mode(ssl::verify_peer, ec);
  if (ec) return Status::Internal("cannot enable peer verification: " + ec.message());
  if (tls.ca_file.empty()) {
    (void)ctx->set_default_verify_paths(ec);
    if (ec) return Status::InvalidArgument("cannot use the system CA store: " + ec.message());
  } else {
    M2S_RETURN_IF_ERROR(CheckReadable("ca_file", tls.ca_file));
    (void)ctx->load_verify_file(tls.ca_file, ec);
    if (ec) return Bad("ca_file", tls.ca_file, "no usable PEM CA certificate: " + ec.message());
  }
  if (!tls.cert_file.empty()) {
    M2S_RETURN_IF_ERROR(CheckReadable("cert_file", tls.cert_file));
    M2S_RETURN_IF_ERROR(CheckReadable("key_file", tls.key_file));
    (void)ctx->use_certificate_chain_file(tls.cert_file, ec);
    if (ec) return Bad("cert_file", tls.cert_file, "cannot load the certificate: " + ec.message());
    const Status mismatch =
        Bad("key_file", tls.key_file, "does not belong to cert_file '" + tls.cert_file + "'");
    (void)ctx->use_private_key_file(tls.key_file, ssl::context::pem, ec);
    if (ec) {
      if (ec.category() == boost::asio::error::get_ssl_category() &&
          ERR_GET_REASON(static_cast<unsigned long>(ec.value())) == X509_R_KEY_VALUES_MISMATCH) {
        return mismatch;
      }
      return Bad("key_file", tls.key_file,
                 "cannot load the private key (PEM, unencrypted): " + ec.message());
    }
    if (SSL_CTX_check_private_key(native) != 1) {
      ERR_clear_error();
      return mismatch;
    }
  }
  return ctx;
}

Status PrepareTlsConnection(SSL* ssl, const std::string& peer_name) {
  if (peer_name.empty()) return Status::InvalidArgument("TLS: empty server name");
  if (IsIpAddress(peer_name)) {
    if (X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), peer_name.c_str()) != 1) {
      return Status::InvalidArgument("TLS: cannot verify against IP address '" + peer_name +
                                     "'");
    }
    return Status::Ok();
  }
  // SSL_set_tlsext_host_name() is a macro with a C cast; this is its expansion.
  if (SSL_ctrl(ssl, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
               const_cast<char*>(peer_name.c_str())) != 1) {
    return Status::InvalidArgument("TLS: server name '" + peer_name +
                                   "' cannot be sent as SNI");
  }
  SSL_set_hostflags(ssl, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
  if (SSL_set1_host(ssl, peer_name.c_str()) != 1) {
    return Status::InvalidArgument("TLS: cannot verify against name '" + peer_name + "'");
  }
  return Status::Ok();
}

std::string DescribeTlsError(const error_code& ec, const SSL* ssl, std::string_view peer_name) {
  std::string text;
  if (ec == ssl::error::stream_truncated) {
    text = "the peer closed the connection without a TLS close_notify";
  } else if (ec == boost::asio::error::eof) {
    text = "the peer closed the connection (is it a TLS listener?)";
  } else {
    text = ec.message();
    // OpenSSL's answer to a plain-TCP peer.
    if (text == "wrong version number" || text == "packet length too long") {
      text += " (is it a TLS listener?)";
    }
  }
  if (ssl != nullptr) {
    const long verify = SSL_get_verify_result(ssl);
    if (verify != X509_V_OK) {
      text += ": ";
      text += X509_verify_cert_error_string(verify);
      text += " (verifying name '" + std::string(peer_name) + "')";
    }
  }
  return text;
}

Status TlsOptions::Validate() const {
  if (!enabled) return Status::Ok();
  auto bad = [](std::string m) {
    return Status::InvalidArgument("mqtt session: tls." + std::move(m));
  };
  if (cert_file.empty() != key_file.empty()) {
    return bad(std::string(cert_file.empty() ? "cert_file" : "key_file") +
               ": a client certificate needs both cert_file and key_file");
  }
  if (server_name.find_first_of(" /\t\r\n") != std::string::npos) {
    return bad("server_name: '" + server_name + "' is not a host name or IP address");
  }
  return Status::Ok();
}

}  // namespace mqtt2s3::mqtt
