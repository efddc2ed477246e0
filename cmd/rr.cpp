#include "cmd/rr.h"

#include <unistd.h>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <fstream>
#include <iostream>
#include <iterator>
#include <mutex>
#include <sstream>

#include <fmt/format.h>

#include "cmd/cli_common.h"
#include "core/base/prompt_wakeups.h"
#include "core/base/stop_signal.h"
#include "core/base/topic.h"
#include "core/broker/session.h"
#include "core/capture/output_format.h"
#include "core/capture/output_writer.h"
#include "core/capture/rr_exchange.h"
#include "core/capture/rr_latency.h"

namespace iotctl::cli {

RunFn setup_rr(CLI::App& app) {
    auto opts = std::make_shared<RrOptions>();
    add_settings_flags(app);
    add_conn_flags(app, opts->conn);
    app.add_option("-t,--topic", opts->topic, "Topic to publish the request to");
    app.add_option("-e,--response-topic", opts->response_topic,
                   "Topic to wait for the reply on (subscribed before the request is sent)");
    app.add_option("-m,--message", opts->message, "Request payload");
    app.add_option("-f,--file", opts->file, "Send the whole file as the request");
    app.add_flag("-s,--stdin-file", opts->stdin_whole, "Send all of stdin as the request");
    app.add_flag("-n,--null-message", opts->null_message, "Send a zero-length request");
    app.add_option("-q,--qos", opts->qos, "QoS of the request and of the subscription")
        ->capture_default_str();
    app.add_option("-W,--timeout", opts->timeout,
                   "Seconds to wait for each reply, then exit 5 (default: no limit)");
    app.add_option("--count", opts->count,
                   "Send this many requests in turn; print round-trip stats")
        ->capture_default_str();
    app.add_flag("--latency", opts->latency, "Print each round trip in ms on stderr");
    app.add_option(
        "--match-path", opts->match_path,
        "JSON field the request gets a fresh value in and the reply must echo (e.g. id)");
    app.add_flag("-v,--verbose", opts->verbose, "Print the topic before the payload");
    app.add_option("-F,--format", opts->format, "Output format, as sub -F");
    app.add_flag("--json", opts->json, "One JSON object per line, as sub --json");
    app.add_flag("-N,--no-eol", opts->no_eol, "Do not print a newline after each message");
    app.add_flag("--pretty", opts->pretty, "Indent the JSON of --json, %j and %J");
    app.add_flag("-c,--disable-clean-session", opts->persistent, "Persistent session (needs -i)");
    app.add_option("-x,--session-expiry", opts->session_expiry,
                   "MQTT 5 session expiry interval, seconds");
    add_mosquitto_flags(app, opts->conn, opts->mosquitto);
    add_max_json_bytes_flag(app);
    return [opts] { return run_rr(*opts); };
}

namespace {

base::Status check_rr_options(RrOptions& o) {
    std::string url_topic;
    if (auto s = resolve_connection(o.conn, &url_topic); !s) return s;
    if (o.topic.empty()) o.topic = url_topic;
    if (o.topic.empty()) return base::usage_error("no request topic given: use -t TOPIC");
    if (auto s = base::validate_topic_name(o.topic); !s) return s;
    if (o.response_topic.empty()) return base::usage_error("no response topic given: use -e TOPIC");
    if (auto s = base::validate_topic_name(o.response_topic); !s)
        return base::usage_error("-e: " + s.error().message);
    int sources = o.message.has_value() + !o.file.empty() + o.stdin_whole + o.null_message;
    if (sources == 0) return base::usage_error("no request to send: give one of -m, -f, -s or -n");
    if (sources > 1) return base::usage_error("give only one of -m, -f, -s and -n");
    if (auto s = check_qos(o.qos, "-q"); !s) return s;
    if (o.timeout < 0) return base::usage_error("-W must be a positive number of seconds");
    if (o.count < 1) return base::usage_error("--count must be 1 or more");
    if (!o.match_path.empty())
        if (auto s = capture::check_match_path(o.match_path); !s) return s;
    if (o.json && !o.format.empty())
        return base::usage_error("--json and -F cannot be used together");
    if (o.persistent && o.conn.client_id.empty() && o.conn.id_prefix.empty())
        return base::usage_error("-c (persistent session) needs a client id: give -i ID");
    if (o.session_expiry < -1) return base::usage_error("-x must be 0 or more seconds");
    return {};
}

std::string read_request(const RrOptions& o) {
    if (o.message) return *o.message;
    if (o.stdin_whole) {
        std::ostringstream all;
        all << std::cin.rdbuf();
        return all.str();
    }
    if (o.file.empty()) return {};
    std::ifstream in(o.file, std::ios::binary);
    if (!in)
        throw base::Failure(base::runtime_error(
            fmt::format("cannot read file '{}': {}", o.file, std::strerror(errno))));
    return std::string(std::istreambuf_iterator<char>(in), {});
}

using Clock = std::chrono::steady_clock;

// What the MQTT thread and the main thread share while a request waits for its reply.
struct Exchange {
    std::mutex mutex;
    std::condition_variable replied;
    const capture::RrRequest* waiting = nullptr;  // the request whose reply is wanted
    std::optional<base::Message> reply;
    Clock::time_point reply_at;
    capture::RrIgnored ignored;
};

}  // namespace

int run_rr(RrOptions& o) {
    check_rr_options(o).check();
    auto props = resolve_mosquitto_flags(
                     o.conn, o.mosquitto,
                     {"connect", "publish", "subscribe", "unsubscribe", "disconnect", "will"})
                     .take();
    if (props.publish.contains(mqtt::property::CORRELATION_DATA) ||
        props.publish.contains(mqtt::property::RESPONSE_TOPIC))
        throw base::Failure(base::usage_error(
            "-D publish: rr sets the correlation-data and response-topic of each request itself"));
    o.conn.clean_session = !o.persistent;
    if (o.session_expiry >= 0) o.conn.session_expiry = o.session_expiry;
    capture::OutputFormat format =
        capture::OutputFormat::from_flags(o.json, o.format, o.verbose, o.no_eol).take();
    format.set_pretty(o.pretty);
    const capture::RrMatchSpec spec{broker::is_mqtt5(o.conn), o.match_path};
    const std::string body = read_request(o);
    // A bad payload for --match-path is a usage error before anything connects.
    (void)capture::make_rr_request(o.topic, o.response_topic, body, spec, "0").take();

    // A round trip is timed on arrival of the reply: on a busy machine Paho's receive thread
    // (created later, it inherits this) must not be woken late.
    base::request_prompt_wakeups();
    Exchange ex;
    broker::MqttSession session(o.conn, "rr");
    apply_mosquitto_flags(session, o.mosquitto, std::move(props));
    session.on_message([&ex, &spec](base::Message&& m) {
        const auto at = Clock::now();
        std::lock_guard lock(ex.mutex);
        auto verdict = m.retain                  ? capture::RrVerdict::retained
                       : ex.waiting && !ex.reply ? capture::judge_reply(m, *ex.waiting, spec)
                                                 : capture::RrVerdict::no_request;
        if (verdict != capture::RrVerdict::reply) {
            ex.ignored.add(verdict);
            return;
        }
        ex.reply = std::move(m);
        ex.reply_at = at;
        ex.replied.notify_all();
    });
    session.connect().check();
    broker::SubscribeFlags flags;
    flags.qos = o.qos;
    session.subscribe({o.response_topic}, flags).check();  // before the request goes out

    capture::OutputWriter writer(STDOUT_FILENO);
    std::vector<double> round_trips;
    int code = 0;
    for (int i = 0; i < o.count && code == 0; ++i) {
        auto request =
            capture::make_rr_request(o.topic, o.response_topic, body, spec, capture::new_rr_token())
                .take();
        base::Message m;
        m.topic = o.topic;
        m.payload = request.payload;
        m.qos = o.qos;
        if (spec.correlation) {
            m.response_topic = o.response_topic;
            m.correlation_data = request.correlation_data;
        }
        {
            std::lock_guard lock(ex.mutex);
            ex.waiting = &request;
            ex.reply.reset();
        }
        const auto sent_at = Clock::now();
        if (auto s = session.publish(m); !s) throw base::Failure(s.error());
        if (auto s = session.flush(); !s) throw base::Failure(s.error());
        const auto deadline = sent_at + std::chrono::duration_cast<Clock::duration>(
                                            std::chrono::duration<double>(o.timeout));
        std::unique_lock lock(ex.mutex);
        while (!ex.reply && !base::stop_requested() && (o.timeout <= 0 || Clock::now() < deadline))
            ex.replied.wait_for(lock, std::chrono::milliseconds(50));
        ex.waiting = nullptr;
        if (!ex.reply) {
            code = static_cast<int>(base::stop_requested() ? base::ExitCode::interrupted
                                                           : base::ExitCode::timed_out);
            if (code == static_cast<int>(base::ExitCode::timed_out))
                std::cerr << fmt::format(
                    "iotctl: rr: timed out after {:g} s: no reply on {}{}{}\n", o.timeout,
                    o.response_topic,
                    o.count > 1 ? fmt::format(" to request {} of {}", i + 1, o.count) : "",
                    ex.ignored.total() > 0 ? "; ignored " + ex.ignored.summary() : "");
            break;
        }
        const double ms = std::chrono::duration<double, std::milli>(ex.reply_at - sent_at).count();
        round_trips.push_back(ms);
        std::string line;
        format.render(*ex.reply, line);
        writer.append(std::move(line));
        if (o.latency) std::cerr << fmt::format("iotctl: rr: round trip {:.2f} ms\n", ms);
    }
    session.disconnect(2.0);
    writer.close();

    std::lock_guard lock(ex.mutex);
    if (code == 0 && ex.ignored.total() > 0 && !quiet_requested())
        std::cerr << fmt::format("iotctl: rr: ignored {} on {}\n", ex.ignored.summary(),
                                 o.response_topic);
    if (o.count > 1 && !round_trips.empty())
        std::cerr << fmt::format(
            "iotctl: rr: {} of {} requests answered: {}\n", round_trips.size(), o.count,
            capture::format_latency_summary(capture::summarize_latencies(round_trips)));
    return code;
}

}  // namespace iotctl::cli
