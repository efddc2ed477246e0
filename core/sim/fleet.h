// Runs many simulated devices: connects them, publishes on their timetable, obeys their control
// topics, injects faults, and disconnects them cleanly at the end.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "core/base/error.h"
#include "core/sim/device.h"
#include "core/sim/link.h"
#include "core/sim/schedule.h"

namespace iotctl::sim {

/// How the fleet runs (the simulate-hexaboard flags that are not about one device).
struct FleetOptions {
    double interval = 1.0;              // seconds between a device's reports
    double jitter = 0.0;                // fraction of the interval, [0, 1)
    double duration = 0.0;              // stop after this many seconds (0: no limit)
    uint64_t messages = 0;              // stop after this many readings in total (0: no limit)
    uint64_t seed = 0;                  // seeds readings, timetable and faults
    std::optional<int64_t> start_time;  // Unix seconds of the first slot: deterministic timestamps
    double faults = 0.0;                // share of broken messages, and of slots that drop the link
    size_t max_connecting = 256;        // connects in flight at once
    double connect_timeout = 10.0;      // seconds to wait for the first device
    double reconnect_delay = 1.0;       // seconds before a dropped device reconnects
    std::string mqtt_host;              // the broker, as devices report it in answers (Status 6)
    int mqtt_port = 1883;
    std::string mqtt_user;
    std::string client_id_base;   // a device's client id is `<base>-<name>`
    bool report_progress = true;  // log "connecting: N of M devices tried" while ramping up
};

/// What happened, for the summary on exit.
struct FleetStats {
    size_t devices = 0;
    size_t connected = 0;       // devices online at the end of the run
    uint64_t messages = 0;      // readings published (broken ones included)
    uint64_t broken = 0;        // readings sent as broken JSON on purpose
    uint64_t drops = 0;         // connections dropped on purpose (Last Will fired)
    uint64_t reconnects = 0;    // successful connects after the first
    uint64_t missed = 0;        // slots skipped because the device was offline
    uint64_t commands = 0;      // control messages applied
    uint64_t bad_commands = 0;  // control messages (or parts) ignored
    uint64_t replies = 0;       // answers published to requests ({"get":"reading"}, Status)
    uint64_t errors = 0;        // failed connects, publishes, lost connections
    double seconds = 0;         // from the first slot to the end
    double max_lag = 0;         // worst lateness of a slot, seconds
    double ramp_up = 0;         // seconds from the start until every device had tried to connect
};

/// Makes the link of one device.
using SimLinkFactory = std::function<std::unique_ptr<SimLink>(const SimDevice&, SimLinkEvents)>;

/// The fleet. run() blocks until the duration or message count is reached or a stop is requested.
class SimFleet {
  public:
    /// Takes the devices; `log` receives diagnostics (stderr in the CLI).
    SimFleet(FleetOptions opts, std::vector<std::unique_ptr<SimDevice>> devices,
             SimLinkFactory make_link, std::ostream& log);
    ~SimFleet();
    SimFleet(const SimFleet&) = delete;
    SimFleet& operator=(const SimFleet&) = delete;

    /// Runs the simulation. Fails (exit 3/4) only when the first device cannot connect at all.
    base::Status run();
    /// Counters so far.
    const FleetStats& stats() const { return stats_; }

  private:
    enum class State { offline, connecting, online };
    enum class EventKind { connected, failed, lost, control };
    using Clock = std::chrono::steady_clock;
    struct Event {
        EventKind kind;
        size_t device;
        std::string text;                               // error message
        base::ExitCode code = base::ExitCode::connect;  // a failed connect's exit code
        ControlRequest request;                         // a control message
    };
    struct Board;

    void post(Event e);
    std::vector<Event> take_events();
    void handle(Event& e);
    void run_slot(const SimSlot& slot, double now);
    void handle_control(size_t device, const ControlRequest& request);
    int64_t unix_now(double at) const;
    void queue_connect(size_t device, double delay);
    void start_due_connects();
    void nudge_while_connecting();
    base::Status connect_first();
    void ramp_up();
    void shut_down();
    void log_limited(uint64_t& counter, const std::string& line);
    double elapsed() const;

    FleetOptions opts_;
    std::vector<std::unique_ptr<Board>> boards_;
    SimSchedule schedule_;
    std::ostream& log_;
    FleetStats stats_;
    std::chrono::steady_clock::time_point t0_;
    uint64_t initial_pending_ = 0;
    uint64_t logged_errors_ = 0, logged_commands_ = 0;
    bool warned_no_drop_ = false;

    std::mutex events_mutex_;
    std::vector<Event> events_;

    std::multimap<Clock::time_point, size_t> connects_due_;  // devices waiting to (re)connect
    Clock::time_point last_nudge_{};                         // see nudge_while_connecting()
    size_t connecting_ = 0;                                  // connects in flight
};

}  // namespace iotctl::sim
