// crash_subscriber: a subscriber process for the crash test. It connects with a persistent
// session, prints "SUBSCRIBED" once its SUBACK arrived, then one line per message
// ("MSG <seq> dup=<0|1>") and never releases an ack, until it is killed (the test sends
// SIGKILL) or --max-seconds pass (exit 3). Output is flushed per line.
//
//   crash_subscriber --host 127.0.0.1 --port 1883 --client-id c --filter t/# --qos 1 --version 5
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "mqtt/session.h"

namespace {

int Usage() {
  std::fprintf(stderr,
               "usage: crash_subscriber --port P --client-id ID --filter F [--host H] [--qos N]"
               " [--version 5|311] [--max-seconds S]\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace mqtt2s3::mqtt;
  SessionOptions o;
  int max_seconds = 120;
  QoS qos = QoS::kAtLeastOnce;
  std::string filter;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string k = argv[i];
    const std::string v = argv[i + 1];
    if (k == "--host") o.host = v;
    else if (k == "--port") o.port = static_cast<uint16_t>(std::atoi(v.c_str()));
    else if (k == "--client-id") o.client_id = v;
    else if (k == "--filter") filter = v;
    else if (k == "--qos") qos = static_cast<QoS>(std::atoi(v.c_str()));
    else if (k == "--version") o.version = v == "311" ? ProtocolVersion::kV311 : ProtocolVersion::kV5;
    else if (k == "--max-seconds") max_seconds = std::atoi(v.c_str());
    else return Usage();
  }
  o.clean_start = false;
  o.session_expiry_s = 600;
  o.subscriptions = {{filter, qos}};
  if (mqtt2s3::Status s = o.Validate(); !s.ok()) {
    std::fprintf(stderr, "crash_subscriber: %s\n", s.ToString().c_str());
    return 2;
  }
  boost::asio::io_context io;
  Session session(io, o);
  session.SetMessageHandler([](const InboundMessage& m) {
    // Withhold every ack: the broker must redeliver all of these to the next process.
    std::string payload(m.payload.substr(0, 32));
    int seq = -1;
    if (payload.rfind("seq=", 0) == 0) seq = std::atoi(payload.c_str() + 4);
    std::printf("MSG %d dup=%d\n", seq, m.dup ? 1 : 0);
    std::fflush(stdout);
  });
  session.SetStateHandler([](const SessionEvent& e) {
    if (e.kind == SessionEvent::Kind::kSubscribed) {
      std::printf("SUBSCRIBED\n");
      std::fflush(stdout);
    } else if (e.kind != SessionEvent::Kind::kConnected) {
      std::fprintf(stderr, "crash_subscriber: %s: %s\n",
                   std::string(SessionEventKindName(e.kind)).c_str(), e.status.ToString().c_str());
    }
  });
  session.Start();
  boost::asio::steady_timer deadline(io, std::chrono::seconds(max_seconds));
  deadline.async_wait([&](const boost::system::error_code&) { io.stop(); });
  io.run();
  return 3;
}
