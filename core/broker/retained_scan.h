// Which retained messages a subscription delivered, and when the broker is done sending them.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "core/base/error.h"
#include "core/base/message.h"

namespace iotctl::broker {

/// The default quiet period of `retained` (-W): retained messages come in one burst right after
/// SUBACK, so a second without one means the broker has sent them all.
inline constexpr double k_default_retained_quiet_s = 1.0;

/// Collects the retained messages of a subscription (the newest per topic) and tells when a
/// quiet period has passed without one. add() may run on another thread than quiet().
class RetainedScan {
  public:
    /// A scan that is done `quiet_s` seconds after the subscription or the last retained message.
    explicit RetainedScan(double quiet_s) : quiet_ns_(static_cast<int64_t>(quiet_s * 1e9)) {}

    /// The broker acknowledged the subscription at `now_ns`: the quiet period starts.
    void subscribed(int64_t now_ns);
    /// Takes one delivered message (its ts_ns is its arrival time); keeps it when it is retained
    /// and returns true then. A retained message with an empty payload removes the topic's.
    bool add(base::Message&& message);
    /// True once the subscription was acknowledged and `quiet_s` passed with no retained message.
    bool quiet(int64_t now_ns) const;
    /// The retained messages seen, sorted by topic.
    std::vector<base::Message> messages() const;

  private:
    mutable std::mutex mutex_;
    int64_t quiet_ns_;
    int64_t last_ns_ = 0;  // the subscription's acknowledgement or the last retained message
    std::map<std::string, base::Message> by_topic_;
};

/// Checks the filters of `retained`: each a valid filter, none a shared subscription (it gets no
/// retained messages); for clear, one that matches every topic (`#`, `+/#`) needs `yes`.
/// A usage error (exit 2) says which.
base::Status check_retained_filters(const std::vector<std::string>& filters, bool clearing,
                                    bool yes);

/// True when the filter has a wildcard (`+` or `#`).
bool has_wildcard(const std::string& filter);

}  // namespace iotctl::broker
