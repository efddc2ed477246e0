#include "cmd/retained.h"

#include <unistd.h>
#include <iostream>
#include <memory>

#include <fmt/format.h>

#include "cmd/cli_common.h"
#include "cmd/mosquitto_flags.h"
#include "core/base/stop_signal.h"
#include "core/broker/retained_ops.h"
#include "core/broker/retained_scan.h"
#include "core/capture/retained_listing.h"

namespace iotctl::cli {

RunFn setup_retained(CLI::App& app) {
    auto opts = std::make_shared<RetainedOptions>();
    add_settings_flags(app);
    add_conn_flags(app, opts->conn);
    app.add_option("action", opts->action, "ls: list retained messages; clear: clear them")
        ->check(CLI::IsMember({"ls", "clear"}))
        ->required();
    app.add_option("filter", opts->filters, "Topic filter(s) to look under");
    app.add_option("-t,--topic", opts->filters, "Topic filter, as a positional one (repeatable)");
    app.add_option("-W,--wait", opts->wait,
                   "Seconds without a retained message after which all are taken as seen")
        ->capture_default_str();
    app.add_flag("--json", opts->json,
                 "One JSON object per line: sub --json's keys plus size and expires_in");
    app.add_flag("--dry-run", opts->dry_run, "clear: list what would be cleared, change nothing");
    app.add_flag("--yes", opts->yes, "clear: allow a filter that matches every topic ('#')");
    return [opts] { return run_retained(*opts); };
}

namespace {

base::Status check_retained_options(RetainedOptions& o) {
    std::string url_topic;
    if (auto s = resolve_connection(o.conn, &url_topic); !s) return s;
    if (!url_topic.empty()) o.filters.push_back(url_topic);
    const bool clearing = o.action == "clear";
    if (!clearing && (o.dry_run || o.yes))
        return base::usage_error("--dry-run and --yes are for retained clear");
    if (!(o.wait > 0)) return base::usage_error("-W must be a number of seconds above 0");
    return broker::check_retained_filters(o.filters, clearing, o.yes);
}

void print(const RetainedOptions& o, const std::vector<base::Message>& messages) {
    std::cout << (o.json ? capture::render_retained_json(messages)
                         : capture::render_retained_text(messages))
              << std::flush;
}

std::string plural(size_t n, const char* what) {
    return fmt::format("{} {}{}", n, what, n == 1 ? "" : "s");
}

// Some brokers (RabbitMQ's MQTT plugin) send retained messages only to exact-topic
// subscriptions: say so when a wildcard filter found none.
void note_empty_wildcards(const RetainedOptions& o, size_t found) {
    if (found > 0 || quiet_requested()) return;
    for (const auto& f : o.filters)
        if (broker::has_wildcard(f)) {
            std::cerr << "iotctl: retained: note: nothing retained under a wildcard filter; some "
                         "brokers (RabbitMQ's MQTT plugin) send retained messages only to "
                         "subscriptions to an exact topic: name the topic there\n";
            return;
        }
}

int run_clear(const RetainedOptions& o, broker::RetainedQuery& query,
              const std::vector<base::Message>& found) {
    const std::string under = fmt::format("'{}'", fmt::join(o.filters, "', '"));
    if (o.dry_run) {
        if (!quiet_requested())
            std::cerr << fmt::format(
                "iotctl: retained: would clear {} under {} (dry run: "
                "nothing changed)\n",
                plural(found.size(), "retained message"), under);
        return 0;
    }
    if (found.empty()) {
        if (!quiet_requested())
            std::cerr << fmt::format(
                "iotctl: retained: nothing retained under {}; nothing to "
                "clear\n",
                under);
        return 0;
    }
    std::vector<std::string> topics;
    for (const auto& m : found) topics.push_back(m.topic);
    base::Status cleared = broker::clear_retained(o.conn, topics, query.properties);
    if (!cleared && (cleared.error().code == base::ExitCode::connect ||
                     cleared.error().code == base::ExitCode::refused ||
                     cleared.error().code == base::ExitCode::interrupted))
        cleared.check();
    // Subscribe again: whatever is still there was not cleared (an ACL refused the write, or
    // someone published again meanwhile).
    std::vector<base::Message> left = broker::list_retained(o.conn, query).take();
    if (!left.empty()) {
        std::cerr << fmt::format(
            "iotctl: retained: clear: {} still under {} after clearing: {}{}\n",
            plural(left.size(), "retained message"), under, capture::topic_list(left),
            cleared ? " (the broker took the empty messages but kept these: an ACL that denies "
                      "the write, or a new publish)"
                    : fmt::format(" ({})", cleared.error().message));
        return static_cast<int>(base::ExitCode::runtime);
    }
    cleared.check();
    if (!quiet_requested())
        std::cerr << fmt::format("iotctl: retained: cleared {} under {}; none left\n",
                                 plural(found.size(), "retained message"), under);
    return 0;
}

}  // namespace

int run_retained(RetainedOptions& o) {
    check_retained_options(o).check();
    broker::RetainedQuery query;
    query.filters = o.filters;
    query.quiet_s = o.wait;
    std::vector<base::Message> found = broker::list_retained(o.conn, query).take();
    print(o, found);
    note_empty_wildcards(o, found.size());
    if (o.action == "ls") return 0;
    return run_clear(o, query, found);
}

}  // namespace iotctl::cli
