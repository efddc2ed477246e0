#include "cmd/simulate_hexaboard.h"

#include <iostream>
#include <random>

#include <fmt/format.h>

#include "cmd/cli_common.h"
#include "core/base/error.h"
#include "core/sim/fleet.h"
#include "core/sim/limits.h"
#include "core/sim/process_shards.h"
#include "core/sim/socket_drop.h"

namespace iotctl::cli {

RunFn setup_simulate_hexaboard(CLI::App& app) {
    auto opts = std::make_shared<SimulateOptions>();
    add_settings_flags(app);
    add_conn_flags(app, opts->conn);
    app.add_option("--boards", opts->boards, "Comma-separated device names, e.g. A,B,C");
    app.add_option("--count", opts->count,
                   "Number of devices (named A, B, ... or gw-1, gw-2, ...; default 3)");
    app.add_option("--interval", opts->interval, "Seconds between a device's readings")
        ->capture_default_str();
    app.add_option("--jitter", opts->jitter, "Vary each interval by up to this fraction (0 to <1)")
        ->capture_default_str();
    app.add_option("--duration", opts->duration, "Stop after this many seconds");
    app.add_option("--messages", opts->messages, "Stop after this many readings in total");
    app.add_option("--seed", opts->seed,
                   "Seed: the same seed gives the same readings (default: random)");
    app.add_option(
        "--start-time", opts->start_time,
        "Unix seconds of the first reading; timestamps then follow the timetable, not the clock");
    app.add_option("--topic-prefix", opts->topic_prefix,
                   "Put this before every topic, e.g. ci/run42");
    app.add_option("-q,--qos", opts->qos, "QoS of readings")->capture_default_str();
    app.add_option("--profile", opts->profile, "hexaboard, or tasmota (Zigbee gateways)")
        ->capture_default_str();
    app.add_option("--faults", opts->faults,
                   "Share (0-1) of readings sent as broken JSON, and of slots where the device "
                   "drops its connection without DISCONNECT (its Last Will fires) and reconnects");
    app.add_option("--max-connecting", opts->max_connecting, "Connects in flight at once")
        ->capture_default_str();
    return [opts] { return run_simulate_hexaboard(*opts); };
}

namespace {

base::Result<uint64_t> parse_u64(const std::string& text, const char* flag) {
    try {
        size_t used = 0;
        if (text.empty() || text[0] == '-') throw std::invalid_argument("");
        uint64_t v = std::stoull(text, &used, 0);
        if (used != text.size()) throw std::invalid_argument("");
        return v;
    } catch (const std::exception&) {
        return base::usage_error(
            fmt::format("invalid {} '{}': expected a non-negative whole number", flag, text));
    }
}

base::Status check_options(SimulateOptions& o) {
    if (auto s = resolve_connection(o.conn); !s) return s;
    if (o.profile != "hexaboard" && o.profile != "tasmota")
        return base::usage_error(
            fmt::format("invalid --profile '{}': expected hexaboard or tasmota", o.profile));
    if (!o.boards.empty() && o.count > 0)
        return base::usage_error("give --boards or --count, not both");
    if (o.count < 0) return base::usage_error("--count must be 1 or more");
    if (!(o.interval > 0) || o.interval > 86400)
        return base::usage_error("--interval must be more than 0 seconds (at most 86400)");
    if (!(o.jitter >= 0 && o.jitter < 1))
        return base::usage_error("--jitter must be a fraction from 0 to below 1");
    if (o.duration < 0) return base::usage_error("--duration must not be negative");
    if (o.messages < 0) return base::usage_error("--messages must not be negative");
    if (!(o.faults >= 0 && o.faults <= 1))
        return base::usage_error("--faults must be a share from 0 to 1");
    if (o.max_connecting < 1) return base::usage_error("--max-connecting must be 1 or more");
    if (o.topic_prefix.find_first_of("+#") != std::string::npos)
        return base::usage_error("--topic-prefix must not contain '+' or '#'");
    if (auto s = check_qos(o.qos, "-q"); !s) return s;
    return {};
}

void print_summary(const sim::FleetStats& s, uint64_t seed, double intended_rate) {
    std::cerr << fmt::format(
        "iotctl: simulate-hexaboard: {} devices ({} online at the end), {} messages sent in {:.1f} "
        "s "
        "({:.0f}/s, intended {:.0f}/s), {} broken on purpose, {} dropped on purpose, {} "
        "reconnects, "
        "{} slots missed while offline, {} control commands ({} ignored), {} replies, {} errors, "
        "max lag {:.3f} s, ramp-up {:.2f} s, seed {}\n",
        s.devices, s.connected, s.messages, s.seconds, s.seconds > 0 ? s.messages / s.seconds : 0.0,
        intended_rate, s.broken, s.drops, s.reconnects, s.missed, s.commands, s.bad_commands,
        s.replies, s.errors, s.max_lag, s.ramp_up, seed);
}

}  // namespace

int run_simulate_hexaboard(SimulateOptions& o) {
    check_options(o).check();
    sim::SimProfile profile =
        o.profile == "tasmota" ? sim::SimProfile::tasmota : sim::SimProfile::hexaboard;
    std::vector<std::string> names =
        !o.boards.empty() ? sim::parse_device_names(o.boards).take()
                          : sim::default_device_names(profile, o.count ? o.count : 3);
    uint64_t seed = o.seed.empty()
                        ? std::random_device{}() * 0x100000000ULL + std::random_device{}()
                        : parse_u64(o.seed, "--seed").take();
    sim::FleetOptions fo;
    fo.interval = o.interval;
    fo.jitter = o.jitter;
    fo.duration = o.duration;
    fo.messages = static_cast<uint64_t>(o.messages);
    fo.seed = seed;
    if (!o.start_time.empty())
        fo.start_time = static_cast<int64_t>(parse_u64(o.start_time, "--start-time").take());
    fo.faults = o.faults;
    fo.max_connecting = static_cast<size_t>(o.max_connecting);
    fo.connect_timeout = o.conn.connect_timeout;
    // One socket per device, plus Paho's and our own descriptors.
    sim::ensure_open_files(names.size() + 64,
                           fmt::format("{} simulated devices", names.size()).c_str())
        .take();

    sim::SimLinkOptions link_opts;
    link_opts.conn = o.conn;
    link_opts.client_id_base =
        o.conn.client_id.empty() ? broker::random_client_id("sim") : o.conn.client_id;
    link_opts.qos = o.qos;
    fo.mqtt_host = o.conn.host;
    fo.mqtt_port = broker::effective_port(o.conn);
    fo.mqtt_user = o.conn.username;
    fo.client_id_base = link_opts.client_id_base;
    // Past k_devices_per_process devices, slices of the fleet run in child processes (forked
    // here, before any MQTT client exists); each builds only its own devices.
    const size_t slices =
        (names.size() + sim::k_devices_per_process - 1) / sim::k_devices_per_process;
    auto run_slice = [&](size_t begin, size_t end) -> base::Result<sim::FleetStats> {
        sim::FleetOptions slice_opts = fo;
        if (slices > 1) {
            slice_opts.report_progress = false;
            // --messages is a total: each slice sends its share (the remainder to the last).
            if (fo.messages > 0)
                slice_opts.messages =
                    end == names.size()
                        ? fo.messages - fo.messages * begin / names.size()
                        : fo.messages * end / names.size() - fo.messages * begin / names.size();
        }
        if (o.faults > 0) sim::track_paho_sockets();  // drops need each device's socket
        std::vector<std::unique_ptr<sim::SimDevice>> devices;
        for (size_t i = begin; i < end; ++i)
            devices.push_back(sim::make_sim_device(profile, names[i], seed, o.topic_prefix));
        sim::SimFleet fleet(
            slice_opts, std::move(devices),
            [&](const sim::SimDevice& d, sim::SimLinkEvents ev) -> std::unique_ptr<sim::SimLink> {
                return std::make_unique<sim::PahoSimLink>(link_opts, d, std::move(ev));
            },
            std::cerr);
        if (base::Status s = fleet.run(); !s) return s.error();
        return fleet.stats();
    };
    const sim::FleetStats stats =
        sim::run_in_slices(names.size(), sim::k_devices_per_process, run_slice).take();
    double per_cycle =
        profile == sim::SimProfile::tasmota ? 2.2 : 1.0;  // tasmota: 2 SENSOR + STATE every 5th
    print_summary(stats, seed, per_cycle * static_cast<double>(names.size()) / o.interval);
    if (stats.messages == 0 && stats.errors > 0)
        throw base::Failure(base::runtime_error("no message could be published"));
    return 0;
}

}  // namespace iotctl::cli
