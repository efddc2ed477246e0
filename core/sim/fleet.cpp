#include "core/sim/fleet.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <thread>

#include <fmt/format.h>

#include "core/base/message.h"
#include "core/base/stop_signal.h"
#include "core/base/timestamps.h"

namespace iotctl::sim {

namespace {

constexpr uint64_t k_log_limit = 10;  // lines per kind before the rest are only counted
constexpr size_t k_disconnect_threads = 32;
constexpr auto k_nudge_every = std::chrono::milliseconds(5);

std::vector<std::string> device_names(const std::vector<std::unique_ptr<SimDevice>>& devices) {
    std::vector<std::string> names;
    for (const auto& d : devices) names.push_back(d->name());
    return names;
}

}  // namespace

struct SimFleet::Board {
    std::unique_ptr<SimDevice> device;
    std::unique_ptr<SimLink> link;
    State state = State::offline;
    SimRandom faults;
    double backoff;
    bool ever_connected = false;
    bool tried = false;  // the first connect attempt has finished (ramp-up bookkeeping)
    Board(std::unique_ptr<SimDevice> d, uint64_t seed, double delay)
        : device(std::move(d)), faults(seed, device->name(), "faults"), backoff(delay) {}
};

SimFleet::SimFleet(FleetOptions opts, std::vector<std::unique_ptr<SimDevice>> devices,
                   SimLinkFactory make_link, std::ostream& log)
    : opts_(opts),
      schedule_(device_names(devices), opts.interval, opts.jitter, opts.seed),
      log_(log) {
    stats_.devices = devices.size();
    for (size_t i = 0; i < devices.size(); ++i) {
        auto board =
            std::make_unique<Board>(std::move(devices[i]), opts_.seed, opts_.reconnect_delay);
        SimLinkEvents events;
        events.on_connected = [this, i] { post(Event{EventKind::connected, i, {}, {}, {}}); };
        events.on_connect_failed = [this, i](base::Error e) {
            post(Event{EventKind::failed, i, e.message, e.code, {}});
        };
        events.on_lost = [this, i] { post(Event{EventKind::lost, i, {}, {}, {}}); };
        events.on_control = [this, i](ControlRequest request) {
            post(Event{EventKind::control, i, {}, {}, std::move(request)});
        };
        board->link = make_link(*board->device, std::move(events));
        boards_.push_back(std::move(board));
    }
}

SimFleet::~SimFleet() = default;

void SimFleet::post(Event e) {
    std::lock_guard lock(events_mutex_);
    events_.push_back(std::move(e));
}

std::vector<SimFleet::Event> SimFleet::take_events() {
    std::lock_guard lock(events_mutex_);
    return std::exchange(events_, {});
}

double SimFleet::elapsed() const {
    return std::chrono::duration<double>(Clock::now() - t0_).count();
}

void SimFleet::log_limited(uint64_t& counter, const std::string& line) {
    if (counter < k_log_limit) log_ << "iotctl: " << line << "\n";
    if (counter == k_log_limit) log_ << "iotctl: (more such messages are only counted)\n";
    ++counter;
}

void SimFleet::queue_connect(size_t device, double delay) {
    boards_[device]->state = State::connecting;
    connects_due_.emplace(Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                             std::chrono::duration<double>(delay)),
                          device);
}

void SimFleet::start_due_connects() {
    auto now = Clock::now();
    while (!connects_due_.empty() && connecting_ < opts_.max_connecting &&
           connects_due_.begin()->first <= now) {
        size_t device = connects_due_.begin()->second;
        connects_due_.erase(connects_due_.begin());
        ++connecting_;
        boards_[device]->link->connect();
    }
}

void SimFleet::nudge_while_connecting() {
    // Connects in flight wait on Paho's receive thread (see PahoSimLink::nudge): wake it every
    // few ms until they are done. Board 0 connected first and is the one that answers.
    if (connecting_ == 0 || boards_[0]->state != State::online) return;
    auto now = Clock::now();
    if (now - last_nudge_ < k_nudge_every) return;
    last_nudge_ = now;
    boards_[0]->link->nudge();
}

void SimFleet::handle(Event& e) {
    Board& b = *boards_[e.device];
    const std::string& name = b.device->name();
    switch (e.kind) {
        case EventKind::connected:
            --connecting_;
            if (b.ever_connected) ++stats_.reconnects;
            if (!std::exchange(b.tried, true) && initial_pending_ > 0) --initial_pending_;
            b.ever_connected = true;
            b.backoff = opts_.reconnect_delay;
            b.state = State::online;
            break;
        case EventKind::failed:
            --connecting_;
            ++stats_.errors;
            if (!std::exchange(b.tried, true) && initial_pending_ > 0) --initial_pending_;
            log_limited(logged_errors_,
                        fmt::format("{}: {} (retrying in {:g} s)", name, e.text, b.backoff));
            queue_connect(e.device, b.backoff);
            b.backoff = std::min(b.backoff * 2, 30.0);
            break;
        case EventKind::lost:
            if (b.state != State::online) break;
            ++stats_.errors;
            log_limited(logged_errors_, fmt::format("{}: connection lost, reconnecting", name));
            queue_connect(e.device, opts_.reconnect_delay);
            break;
        case EventKind::control:
            handle_control(e.device, e.request);
            break;
    }
}

void SimFleet::handle_control(size_t device, const ControlRequest& request) {
    Board& b = *boards_[device];
    const std::string& name = b.device->name();
    ControlCommand cmd = b.device->parse_command(request);
    for (const auto& p : cmd.problems) {
        ++stats_.bad_commands;
        log_limited(logged_commands_, fmt::format("{}: ignored control message: {}", name, p));
    }
    if (cmd.led) b.device->set_led(*cmd.led);
    if (cmd.interval) schedule_.set_interval(device, *cmd.interval, std::max(0.0, elapsed()));
    if (cmd.led || cmd.interval || cmd.get || cmd.status) ++stats_.commands;
    SimAnswerContext ctx{unix_now(std::max(0.0, elapsed())),
                         schedule_.interval(device),
                         opts_.mqtt_host,
                         opts_.mqtt_port,
                         opts_.client_id_base + "-" + name,
                         opts_.mqtt_user};
    for (const auto& reply : b.device->answer(request, cmd, ctx)) {
        if (base::Status s = b.link->publish_reply(reply); s) {
            ++stats_.replies;
        } else {
            ++stats_.errors;
            log_limited(logged_errors_, fmt::format("{}: {}", name, s.error().message));
        }
    }
}

int64_t SimFleet::unix_now(double at) const {
    return opts_.start_time ? *opts_.start_time + static_cast<int64_t>(std::floor(at))
                            : base::now_ns() / 1000000000;
}

void SimFleet::run_slot(const SimSlot& slot, double now) {
    Board& b = *boards_[slot.device];
    if (b.state != State::online) {
        ++stats_.missed;
        return;
    }
    stats_.max_lag = std::max(stats_.max_lag, now - slot.at);
    if (opts_.faults > 0 && b.faults.chance(opts_.faults)) {
        if (b.link->drop()) {
            ++stats_.drops;
            queue_connect(slot.device, opts_.reconnect_delay);
            return;
        }
        if (!warned_no_drop_)
            log_ << "iotctl: warning: cannot drop this connection abruptly; only broken JSON is "
                    "injected\n";
        warned_no_drop_ = true;
    }
    int64_t ts = unix_now(slot.at);
    for (auto& [topic, payload] : b.device->tick(ts)) {
        if (opts_.messages && stats_.messages >= opts_.messages) return;
        if (opts_.faults > 0 && b.faults.chance(opts_.faults)) {
            payload = break_json(payload, b.faults);
            ++stats_.broken;
        }
        if (base::Status s = b.link->publish(topic, payload); s) {
            ++stats_.messages;
        } else {
            ++stats_.errors;
            log_limited(logged_errors_, fmt::format("{}: {}", b.device->name(), s.error().message));
        }
    }
}

base::Status SimFleet::connect_first() {
    // The first device connects alone: an unreachable broker or bad credentials end the run here.
    ++connecting_;
    boards_[0]->link->serve_nudges();
    boards_[0]->link->connect();
    auto deadline = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                       std::chrono::duration<double>(opts_.connect_timeout + 5));
    while (Clock::now() < deadline && !base::stop_requested()) {
        for (auto& e : take_events()) {
            if (e.device == 0 && e.kind == EventKind::failed)  // exit 4 when refused, else 3
                return boards_[0]->link->explain_failure(base::Error{e.code, e.text});
            handle(e);
        }
        if (boards_[0]->state == State::online) return {};
        base::wait_for_stop(std::chrono::milliseconds(2));
    }
    if (base::stop_requested()) return {};
    return base::Error{base::ExitCode::connect,
                       "the broker did not answer the first connect in time"};
}

void SimFleet::ramp_up() {
    // Every device tries once before the timetable starts, so it starts for all at once.
    initial_pending_ = boards_.size() - 1;
    for (size_t i = 1; i < boards_.size(); ++i) queue_connect(i, 0);
    auto last_report = Clock::now();
    while (initial_pending_ > 0 && !base::stop_requested()) {
        for (auto& e : take_events()) handle(e);
        start_due_connects();
        nudge_while_connecting();
        if (opts_.report_progress && Clock::now() - last_report > std::chrono::seconds(5)) {
            log_ << fmt::format("iotctl: connecting: {} of {} devices tried\n",
                                boards_.size() - initial_pending_, boards_.size());
            last_report = Clock::now();
        }
        base::wait_for_stop(std::chrono::milliseconds(2));
    }
}

base::Status SimFleet::run() {
    t0_ = Clock::now();
    const auto started = t0_;
    if (boards_.empty()) return {};
    if (base::Status s = connect_first(); !s) {
        shut_down();
        return s;
    }
    ramp_up();
    stats_.ramp_up = std::chrono::duration<double>(Clock::now() - started).count();
    t0_ = Clock::now();
    while (!base::stop_requested()) {
        for (auto& e : take_events()) handle(e);
        start_due_connects();
        nudge_while_connecting();
        double now = elapsed();
        if (opts_.duration > 0 && now >= opts_.duration) break;
        if (opts_.messages && stats_.messages >= opts_.messages) break;
        int budget = 1000;  // slots per round, so events are still handled when far behind
        while (budget-- > 0 && schedule_.peek().at <= now &&
               !(opts_.messages && stats_.messages >= opts_.messages))
            run_slot(schedule_.pop(), now);
        if (budget <= 0) continue;
        double next = schedule_.peek().at;
        if (opts_.duration > 0) next = std::min(next, opts_.duration);
        double wait = std::clamp(next - elapsed(), 0.0, 0.02);
        if (wait >= 0.001)
            base::wait_for_stop(std::chrono::milliseconds(static_cast<int64_t>(wait * 1e3)));
        else if (wait > 0)
            std::this_thread::sleep_for(
                std::chrono::microseconds(static_cast<int64_t>(wait * 1e6)));
    }
    stats_.seconds = elapsed();
    shut_down();
    return {};
}

void SimFleet::shut_down() {
    for (auto& e : take_events()) handle(e);
    std::atomic<size_t> next{0}, connected{0};
    std::vector<std::thread> pool;
    size_t threads = std::min(k_disconnect_threads, boards_.size());
    for (size_t t = 0; t < threads; ++t)
        pool.emplace_back([&] {
            for (size_t i = next++; i < boards_.size(); i = next++) {
                if (boards_[i]->state == State::online) ++connected;
                boards_[i]->link->disconnect();
            }
        });
    for (auto& t : pool) t.join();
    stats_.connected = connected;
}

}  // namespace iotctl::sim
