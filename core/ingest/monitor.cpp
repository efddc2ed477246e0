#include "core/ingest/monitor.h"

#include <algorithm>

#include <fmt/format.h>

#include "core/base/private_file.h"
#include "core/base/timestamps.h"
#include "core/ingest/metrics_file.h"
#include "core/ingest/metrics_text.h"

namespace iotctl::ingest {

namespace {
constexpr int64_t k_status_every_ns = 1'000'000'000;
constexpr int64_t k_systemd_status_every_ns = 5'000'000'000;

int64_t to_ns(double seconds) {
    return static_cast<int64_t>(seconds * 1e9);
}
}  // namespace

RunMonitor::RunMonitor(MonitorOptions options, const IngestPipeline& pipeline, RunStats& run,
                       IngestLog& log, RunIdentity identity)
    : options_(std::move(options)),
      pipeline_(pipeline),
      run_(run),
      log_(log),
      identity_(std::move(identity)),
      status_path_(identity_.state_dir + "/" + k_status_file_name) {}

RunMonitor::~RunMonitor() = default;

MetricsSnapshot RunMonitor::snapshot(int64_t now_ns) const {
    return take_snapshot(pipeline_, run_, now_ns);
}

base::Status RunMonitor::start() {
    if (!options_.metrics_listen.empty()) {
        auto address = parse_listen_address(options_.metrics_listen);
        if (!address) return address.error();
        const auto* self = this;
        MetricsHandlers handlers{[self] { return render_metrics(self->snapshot(base::now_ns())); },
                                 [self] { return health_problem(self->snapshot(base::now_ns())); }};
        auto server = MetricsServer::start(*address, std::move(handlers));
        if (!server) return server.error();
        server_ = std::move(*server);
        const bool v6 = address->host.find(':') != std::string::npos;
        log_.info(fmt::format("metrics: listening on {}{}{}:{} (/metrics, /healthz)", v6 ? "[" : "",
                              address->host, v6 ? "]" : "", server_->port()));
    }
    return {};
}

void RunMonitor::subscribed(int64_t now_ns) {
    quiet_from_ns_ = now_ns;
    const MetricsSnapshot s = snapshot(now_ns);
    write_status(s, false);
    systemd_.ready(pipeline_.summary());
    if (systemd_.enabled())
        log_.info(fmt::format(
            "systemd: READY=1 sent{}",
            systemd_.watchdog_period().count() > 0
                ? fmt::format(", WATCHDOG=1 every {} ms", systemd_.watchdog_period().count())
                : ""));
}

bool RunMonitor::sinks_alive(const MetricsSnapshot& s) const {
    return std::all_of(s.sinks.begin(), s.sinks.end(),
                       [](const SinkSnapshot& k) { return k.running; });
}

MonitorAction RunMonitor::tick(int64_t now_ns) {
    const MetricsSnapshot s = snapshot(now_ns);
    if (options_.stats_interval > 0 && now_ns >= next_stats_ns_) {
        if (next_stats_ns_ != 0) log_.info(pipeline_.summary());
        next_stats_ns_ = now_ns + to_ns(options_.stats_interval);
    }
    if (!options_.metrics_file.empty() && now_ns >= next_file_ns_) {
        auto written = replace_file(options_.metrics_file, render_metrics(s));
        if (!written && !file_failing_) log_.error("--metrics-file: " + written.error().message);
        if (written && file_failing_) log_.info("--metrics-file: written again");
        file_failing_ = !written;
        next_file_ns_ =
            now_ns + to_ns(options_.stats_interval > 0 ? options_.stats_interval
                                                       : k_default_metrics_file_interval_s);
    }
    if (now_ns >= next_status_ns_) {
        write_status(s, false);
        next_status_ns_ = now_ns + k_status_every_ns;
    }
    if (systemd_.enabled()) {
        const int64_t period = systemd_.watchdog_period().count() * 1'000'000;
        if (period > 0 && now_ns >= next_watchdog_ns_ && sinks_alive(s)) {
            systemd_.watchdog();
            next_watchdog_ns_ = now_ns + period;
        }
        if (now_ns >= next_systemd_status_ns_) {
            systemd_.status(pipeline_.summary());
            next_systemd_status_ns_ = now_ns + k_systemd_status_every_ns;
        }
    }
    if (options_.max_silence > 0) {
        const int64_t quiet_from = std::max(quiet_from_ns_, s.last_message_ns);
        if (quiet_from > 0 && now_ns - quiet_from >= to_ns(options_.max_silence)) {
            run_.silences.fetch_add(1, std::memory_order_relaxed);
            quiet_from_ns_ = now_ns;
            log_.warn(fmt::format("no message on any filter for {:.0f} s (--max-silence){}",
                                  options_.max_silence,
                                  options_.max_silence_exit ? ": exiting (--max-silence-exit)"
                                                            : ": subscribing again"));
            return options_.max_silence_exit ? MonitorAction::exit_silent
                                             : MonitorAction::resubscribe;
        }
    }
    return MonitorAction::none;
}

void RunMonitor::write_status(const MetricsSnapshot& s, bool stopped) {
    auto doc = status_document(identity_, s, stopped ? "" : health_problem(s), stopped);
    auto written = replace_file(status_path_, doc.dump() + "\n", base::k_private_file_mode);
    if (!written && !status_failing_) log_.error(written.error().message);
    status_failing_ = !written;
}

void RunMonitor::finish(int64_t now_ns) {
    const MetricsSnapshot s = snapshot(now_ns);
    if (!options_.metrics_file.empty())
        if (auto w = replace_file(options_.metrics_file, render_metrics(s)); !w)
            log_.error("--metrics-file: " + w.error().message);
    write_status(s, true);
    systemd_.stopping(pipeline_.summary());
}

}  // namespace iotctl::ingest
