// SessionStream: the byte stream under one session connection. Plain TCP today; TLS slots in
// here later (an asio::ssl::stream over this socket: AsyncConnect adds the handshake, and the
// read/write templates forward to the TLS layer), so the session code above does not change.
//
// Lifecycle: one per connection attempt; Close() is idempotent. Thread-safety: like an Asio
// socket: use from the session's strand only.
#pragma once

#include <utility>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>

namespace mqtt2s3::mqtt {

using Strand = boost::asio::strand<boost::asio::io_context::executor_type>;

class SessionStream {
 public:
  using tcp = boost::asio::ip::tcp;

  explicit SessionStream(const Strand& strand) : socket_(strand) {}

  // handler(error_code). Disables Nagle: acks are small and latency-sensitive.
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
          h(ec);
        });
  }

  // handler(error_code, size_t)
  template <typename Buffers, typename Handler>
  void AsyncReadSome(const Buffers& buffers, Handler&& handler) {
    socket_.async_read_some(buffers, std::forward<Handler>(handler));
  }

  // handler(error_code, size_t); writes everything or fails.
  template <typename Buffers, typename Handler>
  void AsyncWrite(const Buffers& buffers, Handler&& handler) {
    boost::asio::async_write(socket_, buffers, std::forward<Handler>(handler));
  }

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
  boost::asio::basic_stream_socket<tcp, Strand> socket_;
};

}  // namespace mqtt2s3::mqtt
