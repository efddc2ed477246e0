#include "cmd/expect.h"

#include <unistd.h>
#include <iostream>
#include <mutex>

#include <fmt/format.h>

#include "cmd/cli_common.h"
#include "cmd/live_subscription.h"
#include "core/base/payload.h"
#include "core/base/stop_signal.h"
#include "core/base/topic.h"
#include "core/capture/expect_tracker.h"
#include "core/capture/output_format.h"
#include "core/capture/output_writer.h"

namespace iotctl::cli {

namespace {
constexpr size_t k_shown_payload_bytes = 200;
}  // namespace

RunFn setup_expect(CLI::App& app) {
    auto opts = std::make_shared<ExpectOptions>();
    add_settings_flags(app);
    add_conn_flags(app, opts->conn);
    app.add_option("-t,--topic", opts->topics, "Topic filter to subscribe to (repeatable)");
    app.add_option("--payload", opts->payload, "A match has exactly this payload");
    add_where_flag(app, opts->where);
    app.add_option("-C,--count", opts->count, "Wait for this many matching messages (default 1)");
    app.add_option("--distinct-topics", opts->distinct_topics,
                   "Wait for a match on each of this many different topics");
    app.add_option("-W,--timeout", opts->timeout,
                   "Give up after this many seconds (exit 5; with --absent: how long to watch)");
    app.add_flag("--absent", opts->absent,
                 "Succeed only if nothing matches within -W (exit 1 on a match)");
    app.add_flag("-R,--no-stale", opts->skip_retained, "Ignore retained (stale) messages");
    app.add_option("-q,--qos", opts->qos, "QoS of the subscription")->capture_default_str();
    app.add_flag("-v,--verbose", opts->verbose, "Print the topic before the payload");
    app.add_option("-F,--format", opts->format, "Output format, as sub -F");
    app.add_flag("--json", opts->json, "One JSON object per line, as sub --json");
    app.add_flag("-N,--no-eol", opts->no_eol, "Do not print a newline after each message");
    add_max_json_bytes_flag(app);
    return [opts, &app] {
        opts->payload_given = app.get_option("--payload")->count() > 0;
        return run_expect(*opts);
    };
}

namespace {

base::Status check_expect_options(ExpectOptions& o) {
    std::string url_topic;
    if (auto s = resolve_connection(o.conn, &url_topic); !s) return s;
    if (!url_topic.empty()) o.topics.push_back(url_topic);
    if (o.topics.empty())
        return base::usage_error("no topic given: use -t TOPIC (or a topic in -L URL)");
    for (const auto& t : o.topics)
        if (auto s = base::validate_topic_filter(t); !s) return s;
    if (auto s = check_qos(o.qos, "-q"); !s) return s;
    if (o.count < 0) return base::usage_error("--count must be 1 or more");
    if (o.distinct_topics < 0) return base::usage_error("--distinct-topics must be 1 or more");
    if (o.count > 0 && o.distinct_topics > 0)
        return base::usage_error("give --count or --distinct-topics, not both");
    if (o.timeout < 0) return base::usage_error("-W must be a positive number of seconds");
    if (o.absent && o.timeout <= 0)
        return base::usage_error("--absent needs -W SECONDS: how long nothing may match");
    if (o.absent && (o.count > 0 || o.distinct_topics > 0))
        return base::usage_error(
            "--absent waits for no match: --count and --distinct-topics "
            "do not apply");
    if (o.json && !o.format.empty())
        return base::usage_error("--json and -F cannot be used together");
    return {};
}

}  // namespace

int run_expect(ExpectOptions& o) {
    check_expect_options(o).check();
    const base::WhereFilter where = compile_where(o.where);
    capture::OutputFormat format =
        capture::OutputFormat::from_flags(o.json, o.format, o.verbose, o.no_eol).take();

    capture::ExpectTracker tracker(
        capture::ExpectGoal{o.count > 0 ? o.count : 1, o.distinct_topics});
    capture::OutputWriter writer(STDOUT_FILENO);
    std::mutex mutex;
    bool finished = false;
    std::string offending;  // --absent: the first match, for the error line
    auto handle = [&](base::Message&& m) {
        if (o.skip_retained && m.retain) return false;
        const bool matched = (!o.payload_given || m.payload == o.payload) && where.matches(m);
        std::lock_guard lock(mutex);
        if (finished) return false;
        tracker.seen(m.topic, m.payload, matched);
        if (!matched) return false;
        std::string line;
        format.render(m, line);
        writer.append(std::move(line));
        if (o.absent)
            offending = fmt::format("{} {}", base::printable(m.topic, k_shown_payload_bytes),
                                    base::printable(m.payload, k_shown_payload_bytes));
        if (o.absent || tracker.satisfied()) {
            finished = true;
            base::request_stop();
        }
        return false;
    };
    LiveSpec spec{.command = "expect", .topics = o.topics, .qos = o.qos, .timeout = o.timeout};
    LiveEnd end = run_subscription(o.conn, spec, handle);
    writer.close();

    std::lock_guard lock(mutex);
    const std::string seconds = fmt::format("{:g} s", o.timeout);
    if (o.absent) {
        if (!offending.empty() || finished) {
            std::cerr << "iotctl: expect: --absent, but a message matched: " << offending << "\n";
            return static_cast<int>(base::ExitCode::runtime);
        }
        if (end.interrupted) return static_cast<int>(base::ExitCode::interrupted);
        std::cerr << fmt::format("iotctl: expect: nothing matched in {} ({} message{} on {})\n",
                                 seconds, tracker.messages(), tracker.messages() == 1 ? "" : "s",
                                 fmt::join(o.topics, ", "));
        return 0;
    }
    if (finished) return 0;
    if (end.interrupted) return static_cast<int>(base::ExitCode::interrupted);
    std::cerr << "iotctl: expect: timed out after " << seconds << ": " << tracker.summary(o.topics)
              << "\n";
    return static_cast<int>(base::ExitCode::timed_out);
}

}  // namespace iotctl::cli
