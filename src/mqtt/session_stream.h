// SessionStream: the byte stream under one session connection: plain TCP, or TLS over it
// after EnableTls() (an asio::ssl::stream over this socket: AsyncConnect adds the handshake and
// the read/write templates forward to the TLS layer), so the session code above is the same
// for both. TLS details live in tls_context.h.
//
// Lifecycle: one per connection attempt; EnableTls() before AsyncConnect(); Close() is
// idempotent (a TLS connection is closed without close_notify: by then the MQTT DISCONNECT
// has been written or the connection is being abandoned).
// Thread-safety: like an Asio socket: use from the session's strand only.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>

#include "common/status.h"
#include "mqtt/tls_context.h"
#include "mqtt/tls_options.h"

namespace mqtt2s3::mqtt {

using Strand = boost::asio::strand<boost::asio::io_context::executor_type>;

class SessionStream {
 public:
  using tcp = boost::asio::ip::tcp;

  explicit SessionStream(const Strand& strand) : socket_(strand) {}

  // Makes this connection TLS: builds the context from `tls` (reading its files now, so a
  // renewed certificate is used from the next connection on) and sets the name to verify and
  // send as SNI, tls.PeerName(host). Errors name the option and file.
  Status EnableTls(const TlsOptions& tls, const std::string& host) {
    auto ctx = MakeClientTlsContext(tls);
    if (!ctx.ok()) return ctx.status();
    tls_context_ = std::move(*ctx);
    peer_name_ = tls.PeerName(host);
    tls_ = std::make_unique<TlsStream>(socket_, *tls_context_);
    return PrepareTlsConnection(tls_->native_handle(), peer_name_);
  }

  // handler(error_code): TCP connected and, with TLS, the handshake done (certificate and name
  // verified). Disables Nagle: acks are small and latency-sensitive.
  template <typename Endpoints, typename Handler>
  void AsyncConnect(const Endpoints& endpoints, Handler&& handler) {
    boost::asio::async_connect(
        socket_, endpoints,
        [this, h = std::forward<Handler>(handler)](const boost::system::error_code& ec,
                                                   const tcp::endpoint&) mutable {
          if (!ec) {
            boost::system::error_code ignored;
            socket_.set_option(tcp::no_delay(true), ignored);
          }
          if (ec || !tls_) {
            h(ec);
            return;
          }
          handshake_started_ = true;
          tls_->async_handshake(boost::asio::ssl::stream_base::client, std::move(h));
        });
  }

  // The failure of AsyncConnect as a status naming the peer and, for TLS, OpenSSL's reason and
  // the verification result: "mqtt: TLS handshake with 127.0.0.1:8883 failed: certificate
  // verify failed: unable to get local issuer certificate (verifying name '127.0.0.1')".
  Status ConnectError(const boost::system::error_code& ec, const std::string& host,
                      uint16_t port) const {
    const std::string peer = host + ":" + std::to_string(port);
    if (handshake_started_) {
      std::string why = DescribeTlsError(ec, tls_->native_handle(), peer_name_);
      // A plain MQTT listener drops the ClientHello it cannot parse.
      if (ec == boost::asio::error::connection_reset) why += " (is it a TLS listener?)";
      return Status::Unavailable("mqtt: TLS handshake with " + peer + " failed: " + why);
    }
    return Status::Unavailable("mqtt: connect " + peer + ": " + ec.message());
  }

  // A read error in words; TLS errors (an alert from the broker, such as a refused client
  // certificate under TLS 1.3, which arrives after our side of the handshake completed) name
  // the peer and carry OpenSSL's reason.
  std::string ReadErrorText(const boost::system::error_code& ec, const std::string& host,
                            uint16_t port) const {
    if (!tls_) return ec.message();
    return "TLS error on the connection to " + host + ":" + std::to_string(port) + ": " +
           DescribeTlsError(ec, tls_->native_handle(), peer_name_);
  }

  // True when the error means the peer ended the stream (eof, or TLS without close_notify).
  bool IsEndOfStream(const boost::system::error_code& ec) const {
    return ec == boost::asio::error::eof ||
           (tls_ && ec == boost::asio::ssl::error::stream_truncated);
  }

  // handler(error_code, size_t)
  template <typename Buffers, typename Handler>
  void AsyncReadSome(const Buffers& buffers, Handler&& handler) {
    if (tls_) {
      tls_->async_read_some(buffers, std::forward<Handler>(handler));
    } else {
      socket_.async_read_some(buffers, std::forward<Handler>(handler));
    }
  }

  // handler(error_code, size_t); writes everything or fails.
  template <typename Buffers, typename Handler>
  void AsyncWrite(const Buffers& buffers, Handler&& handler) {
    if (tls_) {
      boost::asio::async_write(*tls_, buffers, std::forward<Handler>(handler));
    } else {
      boost::asio::async_write(socket_, buffers, std::forward<Handler>(handler));
    }
  }

  bool tls() const { return tls_ != nullptr; }
  // The TLS connection's OpenSSL object (SNI, verification parameters); null without TLS.
  SSL* native_tls_handle() { return tls_ ? tls_->native_handle() : nullptr; }

  void Close() {
    boost::system::error_code ignored;
    if (socket_.is_open()) socket_.shutdown(tcp::socket::shutdown_both, ignored);
    socket_.close(ignored);
  }

  bool is_open() const { return socket_.is_open(); }

 private:
  // The concrete strand executor type (not the type-erased any_io_executor) matters: each
  // operation copies the socket's executor, and erasing a strand costs a heap allocation per
  // read and per write.
  using Socket = boost::asio::basic_stream_socket<tcp, Strand>;
  using TlsStream = boost::asio::ssl::stream<Socket&>;
  Socket socket_;
  // TLS only. The context outlives the stream (declared first, destroyed last).
  std::shared_ptr<boost::asio::ssl::context> tls_context_;
  std::unique_ptr<TlsStream> tls_;
  std::string peer_name_;
  bool handshake_started_ = false;
};

}  // namespace mqtt2s3::mqtt
