#include "mqtt/broker_rotation.h"

namespace mqtt2s3::mqtt {

bool BrokerRotation::Advance() {
  if (count_ > 1) {
    current_ = (current_ + 1) % count_;
    ++switches_;
  }
  if (++failures_in_round_ < count_) return false;
  // Every broker failed in this round: back off, then start the next round where the rotation
  // now stands (the broker after the one that failed last), so no broker is favoured.
  failures_in_round_ = 0;
  ++failed_rounds_;
  return true;
}

}  // namespace mqtt2s3::mqtt
