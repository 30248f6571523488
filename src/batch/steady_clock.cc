#include "batch/steady_clock.h"

namespace mqtt2s3::batch {
namespace {

class RealSteadyClock final : public SteadyClock {
 public:
  time_point Now() const override { return std::chrono::steady_clock::now(); }
};

}  // namespace

const SteadyClock& SteadyClock::Real() {
  static const RealSteadyClock clock;
  return clock;
}

}  // namespace mqtt2s3::batch
