#include "core/ingest/runner.h"

#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <future>
#include <memory>
#include <thread>

#include <fmt/format.h>

#include "core/base/stop_signal.h"
#include "core/base/timestamps.h"
#include "core/broker/receive_clock.h"
#include "core/broker/session.h"
#include "core/broker/takeover_watch.h"
#include "core/ingest/run_stats.h"
#include "core/ingest/stale_sessions.h"
#include "core/ingest/state_dir.h"

namespace iotctl::ingest {

namespace {
constexpr uint32_t k_session_expiry_s = 7 * 24 * 3600;  // MQTT 5: the broker keeps it a week

/// Closes the MQTT session on a helper thread; false when that did not end in time (a callback
/// holding Paho's lock): the thread still uses the session, so the caller must std::_Exit.
bool disconnect_within(broker::MqttSession& session) {
    auto done = std::make_shared<std::promise<void>>();
    auto finished = done->get_future();
    std::thread([&session, done] {
        (void)session.disconnect(2.0);
        done->set_value();
    }).detach();
    return finished.wait_for(std::chrono::seconds(5)) == std::future_status::ready;
}

std::string local_host_name() {
    char name[256] = {};
    ::gethostname(name, sizeof name - 1);
    return name;
}
}  // namespace

base::Result<int> run(RunOptions o, std::vector<PipelineSink> sinks, IngestLog& log,
                      DeadLetterFile& dead) {
    std::vector<std::string> filters = o.filters;
    if (!o.share.empty())
        for (auto& f : filters) f = fmt::format("$share/{}/{}", o.share, f);

    const bool derived_id = o.conn.client_id.empty();
    const std::string root = o.state_root.empty() ? default_state_root() : o.state_root;
    std::string id = o.conn.client_id;
    if (derived_id) {
        const ClientIdInputs inputs{
            local_host_name(), fmt::format("{}:{}", o.conn.host, broker::effective_port(o.conn)),
            filters,           o.share,
            o.sinks_described, root};
        id = derive_client_id(inputs);
        // A state directory made before the id took the sinks and state root in keeps its id:
        // its spool may hold unwritten messages and the broker queues for that session.
        const std::string legacy = derive_legacy_client_id(inputs);
        std::error_code ec;
        if (!std::filesystem::exists(root + "/" + id, ec) &&
            std::filesystem::is_directory(root + "/" + legacy, ec)) {
            log.info(fmt::format("keeping client id {} of the existing state directory {}/{}",
                                 legacy, root, legacy));
            id = legacy;
        }
    }
    auto state = StateDir::claim(root, id, derived_id && !o.share.empty());
    if (!state) return state.error();
    StateDir& dir = **state;
    const std::string broker_address =
        fmt::format("{}:{}", o.conn.host, broker::effective_port(o.conn));
    if (derived_id)
        for (const auto& stale :
             stale_sessions(root, dir.client_id(), broker_address, filters, base::now_ns()))
            log.warn(stale_session_warning(stale));
    o.conn.client_id = dir.client_id();
    o.conn.clean_session = false;  // persistent session: the broker queues while we are away
    if (o.conn.session_expiry == 0) o.conn.session_expiry = k_session_expiry_s;

    o.pipeline.state_dir = dir.path();
    const double drain_s = o.pipeline.drain_time.count() / 1000.0;
    auto opened = IngestPipeline::open(std::move(o.pipeline), std::move(sinks), dead, log);
    if (!opened) return opened.error();
    IngestPipeline& pipeline = **opened;

    base::on_hangup([&] {
        if (auto s = log.reopen(); !s) log.error(s.error().message);
        if (auto s = dead.reopen(); !s) log.error(s.error().message);
        log.info("reopened log and dead-letter files (SIGHUP)");
    });

    RunStats run_stats(o.filters, base::now_ns());
    RunIdentity identity{static_cast<int>(::getpid()),
                         dir.client_id(),
                         dir.path(),
                         broker_address,
                         filters,
                         o.sinks_described};
    RunMonitor monitor(o.monitor, pipeline, run_stats, log, std::move(identity));
    if (auto s = monitor.start(); !s) return s.error();

    broker::MqttSession session(o.conn, "ingest");
    session.enable_auto_reconnect(true);
    // Unique receive times: two messages of one series never collapse into one point, not even
    // across the processes of a share group.
    broker::ReceiveClock clock(
        broker::receive_lane(dir.client_id(), dir.slot(), derived_id && !o.share.empty()));
    session.on_message([&](base::Message&& m) {
        run_stats.on_message(m.topic, m.ts_ns);  // every arrival counts, --where or not
        if (!o.where.matches(m)) {
            pipeline.stats().skipped.fetch_add(1, std::memory_order_relaxed);
            return;
        }
        m.ts_ns = clock.next(m.ts_ns);
        pipeline.accept(m);
    });
    broker::TakeoverWatch takeovers;
    std::atomic<bool> taken_over{false};
    session.on_connection_lost([&](const std::string& why) {
        run_stats.on_lost(base::now_ns());
        if (takeovers.lost(base::now_ns(), session.taken_over()) < 2) {
            log.warn(fmt::format("lost the broker ({}); reconnecting", why));
            return;
        }
        taken_over = true;
        base::request_stop();
    });
    session.on_reconnected([&](const std::string&) {
        takeovers.connected(base::now_ns());
        pipeline.new_connection();
        run_stats.on_connected(base::now_ns(), true);
        log.info("reconnected to the broker");
    });
    // Sink threads first: a resumed session streams its backlog from CONNACK on, and the
    // SUBACK comes only after it, so waiting for subscribe() would leave it all to pile up.
    pipeline.start();
    base::Status started = session.connect();
    broker::SubscribeFlags flags;
    flags.qos = o.qos;
    if (started) {
        run_stats.on_connected(base::now_ns(), false);
        takeovers.connected(base::now_ns());  // a takeover during SUBSCRIBE counts too
        started = session.subscribe(filters, flags);
        if (!started && session.subscribe_cut_off()) {
            // Another client took the id over, or the broker went away: the reconnect sends the
            // SUBSCRIBE again, and the takeover watch decides whether to give up.
            log.warn("the connection was lost during SUBSCRIBE; subscribing again on reconnect");
            started = {};
        }
    }
    if (!started) {
        pipeline.stop();
        return started.error();
    }
    log.info(
        fmt::format("ingest: client id {}, state {}, {} session, QoS {}, filters {}, sinks: {}",
                    dir.client_id(), dir.path(), session.session_present() ? "resumed" : "new",
                    o.qos, fmt::join(filters, " "), o.sinks_described));

    monitor.subscribed(base::now_ns());

    bool silent = false;  // --max-silence-exit ended the run
    while (!silent && !base::wait_for_stop(RunMonitor::k_tick)) {
        switch (monitor.tick(base::now_ns())) {
            case MonitorAction::resubscribe:
                if (auto s = session.subscribe(filters, flags); !s)
                    log.warn("subscribing again failed: " + s.error().message);
                break;
            case MonitorAction::exit_silent:
                silent = true;
                break;
            case MonitorAction::none:
                break;
        }
    }

    const int sig = base::stop_signal();
    const std::string takeover_error = fmt::format(
        "the broker closed the session of client id {} twice just after it connected: another "
        "client is using this id (session taken over), and the two would split one stream; stop "
        "the other one, or give each ingest its own -i ID (a derived id already differs per "
        "state dir and sinks)",
        dir.client_id());
    const std::string silence_error =
        fmt::format("no message on any filter for {} s (--max-silence with --max-silence-exit)",
                    o.monitor.max_silence);
    if (taken_over) log.error(takeover_error);
    log.info(fmt::format("{}: closing the MQTT session, then writing what is spooled (up to {}s)",
                         taken_over      ? "session taken over"
                         : silent        ? "silent for --max-silence"
                         : sig == SIGINT ? "SIGINT"
                                         : "SIGTERM",
                         drain_s));
    // Release a callback waiting for a full spool first: Paho holds its client lock while the
    // callback runs, so disconnecting before would wait for it.
    pipeline.begin_stop();
    const bool must_exit = pipeline.holding_unwritten() || !disconnect_within(session);
    uint64_t left = pipeline.stop();
    log.info("final: " + pipeline.summary());
    monitor.finish(base::now_ns());
    if (left > 0)
        log.warn(fmt::format("{} not yet written stays in the spool for the next start",
                             human_bytes(left)));
    if (must_exit || pipeline.holding_unwritten()) {
        // The MQTT callback holds a message it could not spool and must never return (that would
        // acknowledge it); it also holds Paho's lock, so the session cannot be closed or
        // destroyed: end the process here, with the code this stop would have returned.
        log.warn(
            "the message being received could not be spooled (the spool is still unwritable) and "
            "is not acknowledged: the broker delivers it again");
        std::_Exit(taken_over || silent ? 1
                   : sig == SIGINT      ? static_cast<int>(base::ExitCode::interrupted)
                                        : 0);
    }
    if (taken_over) return base::runtime_error(takeover_error);
    if (silent) return base::runtime_error(silence_error);
    return sig == SIGINT ? static_cast<int>(base::ExitCode::interrupted) : 0;
}

}  // namespace iotctl::ingest
