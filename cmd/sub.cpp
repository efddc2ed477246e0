#include "cmd/sub.h"

#include <unistd.h>
#include <atomic>
#include <iostream>
#include <memory>

#include <fmt/format.h>

#include "cmd/cli_common.h"
#include "cmd/live_subscription.h"
#include "core/base/prompt_wakeups.h"
#include "core/base/stop_signal.h"
#include "core/base/timestamps.h"
#include "core/base/topic.h"
#include "core/capture/output_format.h"
#include "core/capture/output_writer.h"
#include "core/capture/recorder.h"
#include "core/capture/rolling_means.h"

namespace iotctl::cli {

namespace {
// mosquitto_sub's flags that iotctl had not: -U, -E, --remove-retained, --pretty, and the client
// flags both mosquitto clients have (-D, -d, --quiet, -I, -M, --nodelay, -A).
void add_mosquitto_sub_flags(CLI::App& app, SubOptions& o) {
    app.add_option("-U,--unsubscribe", o.unsubscribe,
                   "Unsubscribe from this filter after subscribing (repeatable)");
    app.add_flag("-E", o.exit_after_subscribe,
                 "Exit once the broker acknowledged the subscriptions (with -c: set up a session)");
    app.add_flag("--remove-retained", o.remove_retained,
                 "Clear each retained message received (publish an empty retained message)");
    app.add_flag("--pretty", o.pretty, "Indent the JSON of --json, %j and %J");
    add_mosquitto_flags(app, o.conn, o.mosquitto);
}

// mosquitto_sub's limits: -C and -W take 1 or more; `-W` was given when it is not 0.
base::Status check_count_and_timeout(const SubOptions& o) {
    const bool count_given = o.count_option && o.count_option->count() > 0;
    const bool timeout_given = o.timeout_option && o.timeout_option->count() > 0;
    if (o.count < 0 || (count_given && o.count == 0))
        return base::usage_error(
            fmt::format("invalid message count '{}' for -C: expected 1 or more", o.count));
    if (o.timeout < 0 || (timeout_given && o.timeout < 1))
        return base::usage_error(
            fmt::format("invalid timeout '{}' for -W: expected 1 or more seconds", o.timeout));
    return {};
}
}  // namespace

RunFn setup_sub(CLI::App& app) {
    auto opts = std::make_shared<SubOptions>();
    add_settings_flags(app);
    add_conn_flags(app, opts->conn);
    app.add_option("-t,--topic", opts->topics, "Topic filter to subscribe to (repeatable)");
    app.add_option("-T,--filter-out", opts->filter_out,
                   "Do not print topics matching this filter (repeatable)");
    app.add_option("-q,--qos", opts->qos, "QoS of the subscription")->capture_default_str();
    app.add_flag("-v,--verbose", opts->verbose, "Print the topic before the payload");
    app.add_option("-F,--format", opts->format,
                   "Output format (mosquitto_sub's %t %p %q %r %l %m %I %U %j %J %x ...)");
    app.add_flag("--json", opts->json, "One JSON object per line: ts, topic, qos, retain, payload");
    opts->rolling_option = app.add_option("--rolling", opts->rolling,
                                          "--json: add \"rolling\": the mean of the last N numeric "
                                          "readings of each field, per topic");
    app.add_flag("-N,--no-eol", opts->no_eol, "Do not print a newline after each message");
    opts->count_option = app.add_option("-C,--count", opts->count, "Exit after this many messages");
    opts->timeout_option =
        app.add_option("-W,--timeout", opts->timeout,
                       "Exit with code 5 after this many seconds (1 or more), printing Timed out");
    app.add_flag("-R,--no-stale", opts->skip_retained, "Do not print retained (stale) messages");
    app.add_flag("--retained-only", opts->retained_only, "Print only retained messages, then exit");
    app.add_flag("-c,--persistent", opts->persistent, "Persistent session (needs -i)");
    app.add_option("-x,--session-expiry", opts->session_expiry,
                   "MQTT 5 session expiry interval, seconds");
    app.add_option("--record", opts->record, "Append every message to this capture file (SQLite)");
    add_mosquitto_sub_flags(app, *opts);
    add_max_json_bytes_flag(app);
    add_where_flag(app, opts->where);
    return [opts] { return run_sub(*opts); };
}

namespace {
// Messages larger than this are printed in pieces instead of rendered into one line first.
constexpr size_t k_large_payload = 1 << 20;

base::Status check_sub_options(SubOptions& o) {
    std::string url_topic;
    if (auto s = resolve_connection(o.conn, &url_topic); !s) return s;
    if (!url_topic.empty()) o.topics.push_back(url_topic);
    if (o.topics.empty() && o.unsubscribe.empty())
        return base::usage_error("no topic given: use -t TOPIC (or a topic in -L URL)");
    for (const auto& t : o.unsubscribe)
        if (auto s = base::validate_topic_filter(t); !s) return s;
    for (const auto& t : o.topics)
        if (auto s = base::validate_topic_filter(t); !s) return s;
    for (const auto& t : o.filter_out)
        if (auto s = base::validate_topic_filter(t); !s) return s;
    if (auto s = check_qos(o.qos, "-q"); !s) return s;
    if (auto s = check_count_and_timeout(o); !s) return s;
    if (o.json && !o.format.empty())
        return base::usage_error("--json and -F cannot be used together");
    if (o.rolling_option && o.rolling_option->count() > 0) {
        if (o.rolling < 1)
            return base::usage_error(
                fmt::format("invalid --rolling '{}': expected 1 or more readings", o.rolling));
        if (!o.json)
            return base::usage_error(
                "--rolling needs --json (it adds a \"rolling\" member to each JSON line)");
    }
    if (o.persistent && o.conn.client_id.empty())
        return base::usage_error("-c (persistent session) needs a client id: give -i ID");
    if (o.skip_retained && o.retained_only)
        return base::usage_error("-R and --retained-only contradict each other");
    return {};
}
}  // namespace

int run_sub(SubOptions& o) {
    check_sub_options(o).check();
    const base::WhereFilter where = compile_where(o.where);
    auto properties =
        resolve_mosquitto_flags(o.conn, o.mosquitto,
                                {"connect", "subscribe", "unsubscribe", "disconnect", "will"})
            .take();
    capture::OutputFormat format =
        capture::OutputFormat::from_flags(o.json, o.format, o.verbose, o.no_eol).take();
    format.set_pretty(o.pretty);
    std::shared_ptr<capture::RollingMeans> rolling;
    if (o.rolling > 0) {
        rolling = std::make_shared<capture::RollingMeans>(static_cast<size_t>(o.rolling));
        format.set_json_extra([rolling](const base::Message& m, std::string& line) {
            rolling->append_to_line(m, line);
        });
    }
    o.conn.clean_session = !o.persistent;
    if (o.session_expiry >= 0)
        o.conn.session_expiry = o.session_expiry;
    else if (o.persistent)
        o.conn.session_expiry = 0xFFFFFFFF / 2;

    std::unique_ptr<capture::CaptureRecorder> recorder;
    if (!o.record.empty())
        recorder = std::make_unique<capture::CaptureRecorder>(
            capture::CaptureStore::open(o.record, broker::is_mqtt5(o.conn) ? "mqttv5" : "mqttv311")
                .take());
    capture::OutputWriter writer(STDOUT_FILENO);
    std::atomic<int64_t> last_message_ns{0};
    auto handle = [&](base::Message&& m) {
        last_message_ns.store(m.ts_ns, std::memory_order_relaxed);
        if (!o.filter_out.empty() && base::any_filter_matches(o.filter_out, m.topic)) return false;
        if (o.skip_retained && m.retain) return false;
        if (o.retained_only && !m.retain) {
            base::request_stop();
            return false;
        }
        if (!where.matches(m)) return false;
        if (m.payload.size() > k_large_payload) {
            // In pieces: Paho still holds two copies of a huge payload while this runs.
            format.render_pieces(m, [&](std::string_view piece) { writer.append_piece(piece); });
        } else {
            thread_local std::string line;
            line.clear();
            format.render(m, line);
            writer.append(std::move(line));  // no copy: the writer takes the buffer
        }
        if (recorder) recorder->append(std::move(m));  // queued: the writer thread does the I/O
        return true;
    };
    // Retained messages arrive right after SUBACK; a second of quiet means there are no more.
    int64_t subscribed_ns = 0;
    auto quiet_after_retained = [&] {
        if (!o.retained_only) return false;
        if (subscribed_ns == 0) subscribed_ns = base::now_ns();
        return base::now_ns() - std::max(last_message_ns.load(), subscribed_ns) > 1'000'000'000;
    };
    LiveSpec spec;
    spec.command = "sub";
    spec.topics = o.topics;
    spec.qos = o.qos;
    spec.count = o.count;
    spec.timeout = o.timeout;
    spec.exit_after_subscribe = o.exit_after_subscribe;
    spec.unsubscribe = o.unsubscribe;
    spec.remove_retained = o.remove_retained;
    spec.remove_retained_except = o.filter_out;
    spec.mosquitto = &o.mosquitto;
    spec.properties = std::move(properties);
    // Each message is stamped when it arrives (output, --record): a receive thread woken late on
    // a busy machine stamps late. Paho's threads, created from here on, inherit this; the output
    // and capture writers, created above, keep the default slice (they work in bulk).
    base::request_prompt_wakeups();
    LiveEnd end = run_subscription(o.conn, spec, handle, quiet_after_retained);
    writer.close();
    if (recorder) recorder->close().check();  // commits the last batch, also on SIGINT/SIGTERM
    writer.check("stdout").check();           // a full disk, not `| head` being done
    if (end.interrupted) return static_cast<int>(base::ExitCode::interrupted);
    if (end.timed_out) {
        if (!quiet_requested()) std::cerr << "Timed out\n";  // as mosquitto_sub prints it
        return static_cast<int>(base::ExitCode::timed_out);
    }
    return 0;
}

}  // namespace iotctl::cli
