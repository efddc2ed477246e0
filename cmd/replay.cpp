#include "cmd/replay.h"

#include <unistd.h>
#include <cmath>
#include <iostream>

#include <fmt/format.h>

#include "cmd/cli_common.h"
#include "core/base/message_json.h"
#include "core/base/payload.h"
#include "core/base/stop_signal.h"
#include "core/base/timestamps.h"
#include "core/base/topic.h"
#include "core/broker/publisher.h"
#include "core/capture/output_writer.h"
#include "core/capture/progress_meter.h"
#include "core/capture/reader.h"
#include "core/capture/replay_runner.h"

namespace iotctl::cli {

namespace {
constexpr double k_max_loop_gap_s = 86400;  // a day; also keeps the nanoseconds in range
constexpr double k_min_speed = 1e-6;        // --speed: a gap of 1 s takes 11.6 days
}  // namespace

RunFn setup_replay(CLI::App& app) {
    auto opts = std::make_shared<ReplayCliOptions>();
    add_settings_flags(app);
    add_conn_flags(app, opts->conn);
    app.add_option("CAPTURE", opts->capture,
                   "Capture file: SQLite (sub --record) or JSON lines (sub --json)")
        ->required();
    app.add_option("--speed", opts->speed,
                   "Scale of the recorded timing: 1 original, 2 twice as fast, 0 no waiting")
        ->capture_default_str();
    app.add_option("--loop", opts->loops, "Play the capture this many times (0: until interrupted)")
        ->capture_default_str();
    app.add_option("--loop-gap", opts->loop_gap,
                   "Seconds from the last message of a --loop pass to the first of the next")
        ->capture_default_str();
    app.add_option("-t,--topic", opts->topics,
                   "Replay only topics matching this filter (repeatable)");
    app.add_option("--from", opts->from,
                   "Start at this recorded time (ISO-8601, Unix seconds, or -90m, -24h, -7d)");
    app.add_option("--to", opts->to, "End at this recorded time (same forms as --from)");
    app.add_option("--topic-rewrite", opts->rewrites,
                   "FROM=TO: a topic starting with FROM starts with TO instead (repeatable)");
    app.add_option("--rate", opts->rate,
                   "At most this many messages per second (N, N/s, N/m, N/h)");
    app.add_flag("--dry-run", opts->dry_run,
                 "Print the messages (sub --json lines) instead of publishing them");
    app.add_option("-q,--qos", opts->qos, "Publish with this QoS (default: as recorded)");
    app.add_flag("-r,--retain", opts->retain,
                 "Publish every message retained (default: as recorded)");
    app.add_flag("--no-retain", opts->no_retain,
                 "Publish no message retained (default: as recorded)");
    app.add_option("--reconnect-timeout", opts->reconnect_timeout,
                   "Seconds to keep reconnecting after losing the broker, then exit 1 (0: at once)")
        ->check(CLI::NonNegativeNumber)
        ->capture_default_str();
    app.add_option("--window", opts->window,
                   "Publishes in flight before waiting for acknowledgements")
        ->capture_default_str();
    add_max_json_bytes_flag(app);
    add_where_flag(app, opts->where);
    return [opts, &app] {
        opts->version_given = app.get_option("--protocol-version")->count() > 0;
        return run_replay_command(*opts);
    };
}

namespace {

class SessionPublisher : public capture::Publisher {
  public:
    explicit SessionPublisher(broker::Publisher& s) : session_(s) {}
    base::Status publish(const base::Message& m) override { return session_.publish(m); }
    base::Status publish(base::Message&& m) override { return session_.publish(std::move(m)); }
    base::Status flush() override { return session_.flush(); }

  private:
    broker::Publisher& session_;
};

// --dry-run: what would be published, as `sub --json` lines on stdout.
class PrintPublisher : public capture::Publisher {
  public:
    base::Status publish(const base::Message& m) override {
        line_.clear();
        base::append_message_json(m, line_);
        line_ += '\n';
        writer_.append(std::move(line_));
        return {};
    }
    base::Status flush() override {
        writer_.close();
        return writer_.check("stdout");
    }

  private:
    capture::OutputWriter writer_{STDOUT_FILENO};
    std::string line_;
};

base::Result<capture::ReplayOptions> check_options(ReplayCliOptions& o) {
    if (!(o.speed >= 0)) return base::usage_error("--speed must be 0 or more");
    // A gap divided by a smaller speed would overflow the clock and not wait at all.
    if (o.speed > 0 && o.speed < k_min_speed)
        return base::usage_error(fmt::format(
            "--speed {} is too slow: 0 (no waiting) or at least {}", o.speed, k_min_speed));
    if (o.loops < 0) return base::usage_error("--loop must be 0 (forever) or more");
    if (!(o.loop_gap >= 0 && o.loop_gap <= k_max_loop_gap_s))
        return base::usage_error(
            fmt::format("--loop-gap must be 0 to {} seconds", k_max_loop_gap_s));
    if (o.window < 1) return base::usage_error("--window must be 1 or more");
    if (o.retain && o.no_retain)
        return base::usage_error("-r and --no-retain contradict each other");
    for (const auto& t : o.topics)
        if (auto s = base::validate_topic_filter(t); !s) return s.error();
    if (!o.dry_run)
        if (auto s = resolve_connection(o.conn); !s) return s.error();
    capture::ReplayOptions r;
    r.timing.speed = o.speed;
    auto rate = parse_rate(o.rate, "--rate");
    if (!rate) return rate.error();
    r.timing.rate = *rate;
    r.timing.loop_gap_ns = static_cast<int64_t>(std::llround(o.loop_gap * 1e9));
    r.loops = o.loops;
    for (const auto& text : o.rewrites) {
        auto rewrite = capture::parse_topic_rewrite(text);
        if (!rewrite) return rewrite.error();
        r.rewrites.push_back(std::move(*rewrite));
    }
    if (o.qos != -1) {
        if (auto s = check_qos(o.qos, "-q"); !s) return s.error();
        r.qos = o.qos;
    }
    if (o.retain) r.retain = true;
    if (o.no_retain) r.retain = false;
    return r;
}

// Time left: recorded time still to play (scaled) when timing matters, else by message rate.
double eta_seconds(const capture::ReplayProgress& p, const capture::CaptureScan& scan,
                   const capture::ReplayOptions& r) {
    if (r.loops == 0) return -1;
    uint64_t total = scan.selected * r.loops;
    double by_rate = p.elapsed_ns > 0 ? (total - p.sent) * (p.elapsed_ns / 1e9) / p.sent : -1;
    if (r.timing.speed <= 0) return by_rate;
    double span = (scan.last_ns - scan.first_ns) / 1e9;
    double this_pass = (scan.last_ns - p.ts_ns) / 1e9;
    double gaps = r.timing.loop_gap_ns / 1e9 * (r.loops - p.pass);
    return std::max(by_rate, (this_pass + span * (r.loops - p.pass)) / r.timing.speed + gaps);
}

}  // namespace

int run_replay_command(ReplayCliOptions& o) {
    capture::ReplayOptions r = check_options(o).take();
    capture::CaptureSelection selection;
    selection.window = base::make_time_window(o.from, o.to, base::now_ns()).take();
    selection.topics = o.topics;
    selection.where = compile_where(o.where);
    // A first pass checks every record and counts, before anything is published.
    std::string recorded_version;
    capture::open_selected(o.capture, selection, &recorded_version).take();
    capture::CaptureScan scan = capture::scan_capture(o.capture, selection, {}).take();

    std::string note;
    if (!o.version_given && (recorded_version == "mqttv5" || recorded_version == "mixed")) {
        o.conn.protocol_version = "mqttv5";  // keep the recorded MQTT 5 properties
        note = " (MQTT 5, as recorded)";
    }
    std::unique_ptr<broker::Publisher> session;
    std::unique_ptr<capture::Publisher> publisher;
    if (o.dry_run) {
        publisher = std::make_unique<PrintPublisher>();
    } else {
        session = broker::make_publisher(o.conn, "replay");
        session->set_publish_window(static_cast<size_t>(o.window));
        session->set_reconnect_timeout(o.reconnect_timeout);
        session->connect().check();
        // Nagle would hold a message until the broker's delayed ACK of the previous one.
        if (r.timing.speed > 0 || r.timing.rate > 0) session->send_without_delay();
        publisher = std::make_unique<SessionPublisher>(*session);
    }
    auto clock = capture::make_steady_clock(r.timing.speed > 0 || r.timing.rate > 0);
    capture::ProgressMeter meter(STDERR_FILENO);
    auto progress = [&](const capture::ReplayProgress& p) {
        if (meter.enabled())
            meter.update(p.sent, r.loops ? scan.selected * r.loops : 0, eta_seconds(p, scan, r),
                         clock->now_ns(), p.elapsed_ns);
    };
    auto open = [&]() -> base::Result<std::unique_ptr<capture::MessageSource>> {
        auto s = capture::open_selected(o.capture, selection);
        if (!s) return s.error();
        return std::unique_ptr<capture::MessageSource>(std::move(*s));
    };
    auto result = capture::run_replay(open, *publisher, *clock, r, progress);
    meter.finish();
    if (session) session->disconnect(5.0);
    capture::ReplayStats stats = result.take();

    double secs = stats.elapsed_ns / 1e9;
    std::string timing = r.timing.speed > 0 || r.timing.rate > 0
                             ? fmt::format(", behind schedule p99 {:.2f} ms, at worst {:.1f} ms",
                                           stats.p99_late_ns / 1e6, stats.max_late_ns / 1e6)
                             : "";
    std::cerr << fmt::format(
        "iotctl: replay: {} {} messages{} in {:.2f} s ({:.0f} msg/s), {} pass{}{}\n",
        o.dry_run ? "printed" : "published", stats.sent, note, secs,
        secs > 0 ? stats.sent / secs : 0.0, stats.passes, stats.passes == 1 ? "" : "es", timing);
    // Stopped by a signal; a stop the output writer asked for (the reader of --dry-run's pipe
    // went away, as `| head` does) is the end of the run, not an interruption.
    if (stats.interrupted && base::stop_signal() != 0)
        return static_cast<int>(base::ExitCode::interrupted);
    if (stats.skipped > 0)
        throw base::Failure(base::runtime_error(fmt::format(
            "{} messages were not replayed: {}", stats.skipped, capture::describe_skipped(stats))));
    return 0;
}

}  // namespace iotctl::cli
