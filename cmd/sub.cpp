#include "cmd/sub.h"

#include <unistd.h>
#include <atomic>
#include <iostream>
#include <memory>

#include "cmd/cli_common.h"
#include "cmd/live_subscription.h"
#include "core/base/stop_signal.h"
#include "core/base/timestamps.h"
#include "core/base/topic.h"
#include "core/capture/output_format.h"
#include "core/capture/output_writer.h"
#include "core/capture/recorder.h"

namespace iotctl::cli {

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
    app.add_flag("-N,--no-eol", opts->no_eol, "Do not print a newline after each message");
    app.add_option("-C,--count", opts->count, "Exit after this many messages");
    app.add_option("-W,--timeout", opts->timeout, "Exit with code 5 after this many seconds");
    app.add_flag("-R,--no-stale", opts->skip_retained, "Do not print retained (stale) messages");
    app.add_flag("--retained-only", opts->retained_only, "Print only retained messages, then exit");
    app.add_flag("-c,--persistent", opts->persistent, "Persistent session (needs -i)");
    app.add_option("-x,--session-expiry", opts->session_expiry,
                   "MQTT 5 session expiry interval, seconds");
    app.add_option("--record", opts->record, "Append every message to this capture file (SQLite)");
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
    if (o.topics.empty())
        return base::usage_error("no topic given: use -t TOPIC (or a topic in -L URL)");
    for (const auto& t : o.topics)
        if (auto s = base::validate_topic_filter(t); !s) return s;
    for (const auto& t : o.filter_out)
        if (auto s = base::validate_topic_filter(t); !s) return s;
    if (auto s = check_qos(o.qos, "-q"); !s) return s;
    if (o.count < 0) return base::usage_error("-C must be 1 or more");
    if (o.timeout < 0) return base::usage_error("-W must be a positive number of seconds");
    if (o.json && !o.format.empty())
        return base::usage_error("--json and -F cannot be used together");
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
    capture::OutputFormat format = o.json ? capture::OutputFormat::json_lines()
                                   : !o.format.empty()
                                       ? capture::OutputFormat::parse(o.format).take()
                                       : capture::OutputFormat::plain(o.verbose);
    format.set_newline(!o.no_eol || o.json);
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
    LiveSpec spec{"sub", o.topics, o.qos, o.count, o.timeout};
    LiveEnd end = run_subscription(o.conn, spec, handle, quiet_after_retained);
    writer.close();
    if (recorder) recorder->close().check();  // commits the last batch, also on SIGINT/SIGTERM
    if (end.interrupted) return static_cast<int>(base::ExitCode::interrupted);
    if (end.timed_out) return static_cast<int>(base::ExitCode::timed_out);
    return 0;
}

}  // namespace iotctl::cli
