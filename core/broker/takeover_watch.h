// Tells a session taken over by another client with the same client id from an ordinary lost
// connection, so two processes that fight over one id do not silently split a stream.
#pragma once

#include <cstdint>

namespace iotctl::broker {

/// Counts lost connections that look like a takeover: the broker says so (MQTT 5 DISCONNECT
/// reason 0x8E), or (MQTT 3.1.1, where the broker just closes the socket) the connection was
/// closed within `short_life_ns` of being made. A connection that lives longer resets the count.
class TakeoverWatch {
  public:
    /// A connection closed sooner than `short_life_ns` after it was made counts as a takeover.
    explicit TakeoverWatch(int64_t short_life_ns = 10'000'000'000)
        : short_life_ns_(short_life_ns) {}
    /// Records a successful (re)connect at `now_ns`.
    void connected(int64_t now_ns) { connected_ns_ = now_ns; }
    /// Records a lost connection; returns how many losses in a row looked like a takeover.
    int lost(int64_t now_ns, bool broker_said_taken_over) {
        const bool short_lived = connected_ns_ != 0 && now_ns - connected_ns_ < short_life_ns_;
        suspicious_ = broker_said_taken_over || short_lived ? suspicious_ + 1 : 0;
        connected_ns_ = 0;
        return suspicious_;
    }

  private:
    int64_t short_life_ns_;
    int64_t connected_ns_ = 0;
    int suspicious_ = 0;
};

}  // namespace iotctl::broker
