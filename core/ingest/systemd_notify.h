// The systemd service protocol for `Type=notify` units (libsystemd's sd_notify): READY=1 once
// ingest is subscribed, WATCHDOG=1 while it is alive, STATUS= with the one-line stats.
#pragma once

#include <chrono>
#include <string>

namespace iotctl::ingest {

/// Talks to the service manager named by $NOTIFY_SOCKET; does nothing when it is unset.
class SystemdNotifier {
  public:
    /// Reads $NOTIFY_SOCKET and $WATCHDOG_USEC (the environment stays as it is).
    SystemdNotifier();
    /// True when a service manager listens.
    bool enabled() const { return enabled_; }
    /// How often to send WATCHDOG=1 (half of WatchdogSec=), or zero when no watchdog is set.
    std::chrono::milliseconds watchdog_period() const { return watchdog_period_; }
    /// READY=1 with a STATUS= line.
    void ready(const std::string& status);
    /// WATCHDOG=1.
    void watchdog();
    /// STATUS=<text> (one line).
    void status(const std::string& text);
    /// STOPPING=1 with a STATUS= line.
    void stopping(const std::string& status);

  private:
    void send(const std::string& state);
    bool enabled_ = false;
    std::chrono::milliseconds watchdog_period_{0};
};

}  // namespace iotctl::ingest
