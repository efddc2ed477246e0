#include "cmd/pub.h"

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <functional>
#include <iostream>
#include <iterator>
#include <sstream>
#include <thread>

#include <fmt/format.h>

#include "cmd/cli_common.h"
#include "cmd/mosquitto_flags.h"
#include "core/base/line_reader.h"
#include "core/base/message_json.h"
#include "core/base/payload.h"
#include "core/base/stop_signal.h"
#include "core/base/topic.h"
#include "core/broker/publisher.h"

namespace iotctl::cli {

RunFn setup_pub(CLI::App& app) {
    auto opts = std::make_shared<PubOptions>();
    add_settings_flags(app);
    add_conn_flags(app, opts->conn);
    app.add_option("-t,--topic", opts->topic, "Topic to publish to");
    app.add_option("-m,--message", opts->message, "Message payload");
    app.add_option("-f,--file", opts->file, "Send the whole file as one message");
    app.add_flag("-s,--stdin-file", opts->stdin_whole, "Send all of stdin as one message");
    app.add_flag("-l,--stdin-line", opts->stdin_lines, "Send each line of stdin as a message");
    app.add_flag("-n,--null-message", opts->null_message, "Send a zero-length message");
    app.add_flag(
        "--jsonl", opts->jsonl,
        "Each stdin line is {\"topic\",\"payload\",\"qos\",\"retain\"} (what sub --json writes)");
    app.add_flag("-r,--retain", opts->retain, "Retain the message");
    app.add_option("-q,--qos", opts->qos, "QoS")->capture_default_str();
    app.add_option("--repeat", opts->repeat, "Publish the message this many times")
        ->capture_default_str();
    app.add_option("--repeat-delay", opts->repeat_delay, "Seconds between repeats");
    app.add_option("--rate", opts->rate,
                   "At most this many messages per second (N, N/s, N/m, N/h)");
    app.add_flag("-c,--disable-clean-session", opts->persistent,
                 "Persistent session: keep QoS 1/2 messages in flight across runs (needs -i)");
    app.add_option("-x,--session-expiry", opts->session_expiry,
                   "MQTT 5 session expiry interval, seconds");
    add_mosquitto_flags(app, opts->conn, opts->mosquitto);
    app.add_option("--window", opts->window,
                   "Publishes in flight before waiting for acknowledgements")
        ->capture_default_str();
    app.add_option("--reconnect-timeout", opts->reconnect_timeout,
                   "Seconds to keep reconnecting after losing the broker, then exit 1 (0: at once)")
        ->check(CLI::NonNegativeNumber)
        ->capture_default_str();
    return [opts] { return run_pub(*opts); };
}

namespace {

base::Status check_pub_options(PubOptions& o) {
    std::string url_topic;
    if (auto s = resolve_connection(o.conn, &url_topic); !s) return s;
    if (o.topic.empty()) o.topic = url_topic;
    int sources = o.message.has_value() + !o.file.empty() + o.stdin_whole + o.stdin_lines +
                  o.null_message + o.jsonl;
    if (sources == 0)
        return base::usage_error("nothing to publish: give one of -m, -f, -s, -l, -n or --jsonl");
    if (sources > 1) return base::usage_error("give only one of -m, -f, -s, -l, -n and --jsonl");
    if (!o.jsonl) {
        if (o.topic.empty()) return base::usage_error("no topic given: use -t TOPIC");
        if (auto s = base::validate_topic_name(o.topic); !s) return s;
    }
    if (auto s = check_qos(o.qos, "-q"); !s) return s;
    if (auto rate = parse_rate(o.rate, "--rate"); !rate) return rate.error();
    if (o.repeat < 1) return base::usage_error("--repeat must be 1 or more");
    if (o.repeat_delay < 0) return base::usage_error("--repeat-delay must not be negative");
    if (o.persistent && o.conn.client_id.empty() && o.conn.id_prefix.empty())
        return base::usage_error("-c (persistent session) needs a client id: give -i ID");
    if (o.session_expiry < -1) return base::usage_error("-x must be 0 or more seconds");
    return {};
}

// One `--jsonl` line (as `sub --json` writes it) as a message; the error says what is wrong.
base::Result<base::Message> jsonl_message(std::string_view line) {
    auto msg = base::message_from_json_line(line);
    if (!msg) return msg.error();
    if (auto s = base::validate_topic_name(msg->topic); !s) return s.error();
    return msg;
}

// Paces publishes against the start time, so the rate does not drift.
class Pacer {
  public:
    explicit Pacer(double per_second) : interval_(per_second > 0 ? 1.0 / per_second : 0) {}
    // Waits until the next message is due; false when SIGINT/SIGTERM came first (a long wait
    // watches for them, a short one sleeps to the microsecond).
    bool wait() {
        using namespace std::chrono_literals;
        if (interval_ <= 0) return !base::stop_requested();
        auto due = start_ + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                std::chrono::duration<double>(interval_ * sent_++));
        for (auto left = due - std::chrono::steady_clock::now(); left > 50ms;
             left = due - std::chrono::steady_clock::now())
            if (base::wait_for_stop(std::chrono::duration_cast<std::chrono::milliseconds>(left) -
                                    20ms))
                return false;
        std::this_thread::sleep_until(due);
        return !base::stop_requested();
    }

  private:
    double interval_;
    uint64_t sent_ = 0;
    std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

}  // namespace

int run_pub(PubOptions& o) {
    check_pub_options(o).check();
    auto props =
        resolve_mosquitto_flags(o.conn, o.mosquitto, {"connect", "publish", "disconnect", "will"})
            .take();
    o.conn.clean_session = !o.persistent;
    if (o.session_expiry >= 0)
        o.conn.session_expiry = o.session_expiry;
    else if (o.persistent)
        o.conn.session_expiry = 0xFFFFFFFF / 2;
    if (o.conn.max_inflight > 0) o.window = static_cast<size_t>(o.conn.max_inflight);
    base::Message base;
    base.topic = o.topic;
    base.qos = o.qos;
    base.retain = o.retain;
    Pacer pacer(*parse_rate(o.rate, "--rate"));  // checked in check_pub_options

    if (!o.file.empty()) {
        std::ifstream in(o.file, std::ios::binary);
        if (!in)
            throw base::Failure(base::runtime_error(
                fmt::format("cannot read file '{}': {}", o.file, std::strerror(errno))));
        base.payload.assign(std::istreambuf_iterator<char>(in), {});
        if (in.bad()) throw base::Failure(base::runtime_error("cannot read file '" + o.file + "'"));
    } else if (o.stdin_whole) {
        std::ostringstream all;
        all << std::cin.rdbuf();
        base.payload = all.str();
    } else if (o.message) {
        base.payload = *o.message;
    }

    auto publisher = broker::make_publisher(o.conn, "pub");
    broker::Publisher& session = *publisher;
    apply_mosquitto_flags(session, o.mosquitto, std::move(props));
    session.set_publish_window(o.window);
    session.set_reconnect_timeout(o.reconnect_timeout);
    session.connect().check();

    // What is left when publishing gives up, for the error message (formatted only then: per
    // line it cost 2% of `pub -l`'s CPU).
    std::function<std::string()> not_sent;
    auto publish = [&](const base::Message& m) {
        if (!pacer.wait()) return;  // stopped while waiting: this one is not sent
        if (auto s = session.publish(m); !s)
            throw base::Failure(base::runtime_error(s.error().message + not_sent()));
    };
    uint64_t line_number = 0, bad_lines = 0;
    if (o.stdin_lines || o.jsonl) {
        base::LineReader reader(STDIN_FILENO);
        base::Message m = base;
        std::string_view line;
        not_sent = [&] {
            return fmt::format(", line {} and the rest of stdin not sent", line_number);
        };
        while (!base::stop_requested() && reader.next(line)) {
            ++line_number;
            if (o.jsonl) {
                if (line.empty()) continue;
                auto msg = jsonl_message(line);
                if (!msg) {
                    // A broken line must not cost the lines after it: report it and go on.
                    ++bad_lines;
                    if (!quiet_requested())
                        std::cerr << fmt::format("iotctl: warning: stdin line {} skipped: {}\n",
                                                 line_number, msg.error().message);
                    continue;
                }
                publish(*msg);
            } else {
                m.payload.assign(line);
                publish(m);
            }
        }
        if (reader.failed())
            throw base::Failure(base::runtime_error("reading stdin failed: " + reader.error()));
    } else {
        for (int i = 0; i < o.repeat && !base::stop_requested(); ++i) {
            if (i > 0 && o.repeat_delay > 0 &&
                base::wait_for_stop(
                    std::chrono::milliseconds(static_cast<int64_t>(o.repeat_delay * 1000))))
                break;
            not_sent = [&o, i] { return fmt::format(", {} not sent", o.repeat - i); };
            publish(base);
        }
    }
    not_sent = [] { return std::string(", 0 not sent"); };
    base::Status flushed = session.flush();
    session.disconnect(5.0);
    if (!flushed) throw base::Failure(base::runtime_error(flushed.error().message + not_sent()));
    if (bad_lines > 0)
        throw base::Failure(base::runtime_error(
            fmt::format("{} of {} stdin lines were not valid messages and were not published",
                        bad_lines, line_number)));
    if (base::stop_signal() != 0) {
        std::cerr << fmt::format("iotctl: interrupted after {} messages were delivered\n",
                                 session.published());
        return static_cast<int>(base::ExitCode::interrupted);
    }
    return 0;
}

}  // namespace iotctl::cli
