// The event time the converter gave a stored message, read back from its payload: the route's
// time_field parsed with its time_format and time_zone, the payload inflated first when the
// route's payloads may be compressed. `mqtt2s3 serve` hands it to Reader::Query
// (QueryOptions::payload_event_time) so a device is read through the group directory, HEAD +
// one ranged GET per object, and still charted at each message's own time.
//
//   auto factory = PayloadEventTimeOfRoute(cfg.routes[0]);   // error: the route has no time_field
//   QueryOptions::PayloadEventTime time_of = (*factory)();   // per worker: keeps buffers
//   std::optional<int64_t> ms = time_of(payload);
//
// nullopt when the payload has no such field, it does not parse, does not inflate, or lies
// before the route's earliest_event_time: the converter then stored the receive time, which
// only the index holds. (A time more than max_event_ahead past its receive time cannot be
// told apart here; Reader::Query still sends the object to its index when such a time falls
// outside its group's range, which is where it usually falls.)
//
// Thread-safety: the factory is thread-safe; each function it returns is for one thread.
#pragma once

#include "common/status.h"
#include "mqtt2s3/reader.h"
#include "route/route_options.h"

namespace mqtt2s3::serve {

StatusOr<std::function<QueryOptions::PayloadEventTime()>> PayloadEventTimeOfRoute(
    const route::RouteOptions& route);

}  // namespace mqtt2s3::serve
