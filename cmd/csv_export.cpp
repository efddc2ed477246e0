#include "cmd/csv_export.h"

#include <fcntl.h>
#include <unistd.h>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <iostream>

#include <fmt/format.h>

#include "cmd/cli_common.h"
#include "core/base/payload.h"
#include "core/base/private_file.h"
#include "core/base/timestamps.h"
#include "core/base/topic.h"
#include "core/capture/csv_export.h"
#include "core/capture/output_writer.h"

namespace iotctl::cli {

RunFn setup_csv_export(CLI::App& app) {
    auto opts = std::make_shared<CsvExportCliOptions>();
    add_settings_flags(app);
    add_conn_flags(app, opts->conn);
    app.add_option("CAPTURE", opts->capture,
                   "Capture file: SQLite (sub --record) or JSON lines (sub --json)");
    app.add_option("-o,--output", opts->output, "Write the CSV to this file (default: stdout)");
    app.add_option("--fields", opts->fields,
                   "Columns after timestamp,topic: JSON paths a,b.c (x.*.y: a row per key of x); "
                   "default: every JSON leaf key seen");
    app.add_option("--time-format", opts->time_format,
                   "timestamp column: iso, unix, unix-ms, local or a strftime pattern (zone: TZ)")
        ->capture_default_str();
    app.add_option("--header", opts->headers, "Rename a column: NAME=LABEL (repeatable)");
    auto* crlf = app.add_flag("--crlf", opts->crlf, "End lines with CRLF (RFC 4180; the default)");
    app.add_flag("--lf", opts->lf, "End lines with LF")->excludes(crlf);
    app.add_option("-t,--topic", opts->topics,
                   "Only topics matching this filter (repeatable; with --live: subscribe)");
    app.add_option("--from", opts->from,
                   "Start at this time (ISO-8601, Unix seconds, or -90m, -24h, -7d)");
    app.add_option("--to", opts->to, "End at this time (same forms as --from)");
    app.add_flag("--no-topic", opts->no_topic, "Leave out the topic column");
    app.add_flag("--live", opts->live, "Read a live subscription (-t) instead of a capture file");
    app.add_option("-C,--count", opts->count, "--live: stop after this many messages");
    app.add_option("-W,--timeout", opts->timeout, "--live: stop after this many seconds");
    app.add_option("-q,--qos", opts->qos, "--live: QoS of the subscription")->capture_default_str();
    app.add_option("--every", opts->every,
                   "One row per topic and time window (10s, 1m, 1h; aligned to the clock) with "
                   "the aggregates of each column");
    app.add_option("--agg", opts->agg,
                   "--every: aggregates to write, of mean,min,max,count,last (default: all)");
    add_max_json_bytes_flag(app);
    add_where_flag(app, opts->where);
    return [opts] { return run_csv_export(*opts); };
}

namespace {

base::Result<capture::CsvExportOptions> check_options(CsvExportCliOptions& o) {
    if (o.live && !o.capture.empty())
        return base::usage_error("give either a CAPTURE file or --live, not both");
    if (!o.live && o.capture.empty())
        return base::usage_error("no capture given: csv-export CAPTURE (or --live -t TOPIC)");
    if (!o.live && (o.count || o.timeout)) return base::usage_error("-C and -W need --live");
    if (o.live && o.topics.empty()) return base::usage_error("--live needs a topic: -t TOPIC");
    if (o.count < 0) return base::usage_error("-C must be 1 or more");
    if (o.timeout < 0) return base::usage_error("-W must be a positive number of seconds");
    if (auto s = check_qos(o.qos, "-q"); !s) return s.error();
    if (o.live)
        if (auto s = resolve_connection(o.conn); !s) return s.error();
    capture::CsvExportOptions e;
    for (const auto& t : o.topics)
        if (auto s = base::validate_topic_filter(t); !s) return s.error();
    e.selection.topics = o.topics;
    e.selection.where = compile_where(o.where);
    auto window = base::make_time_window(o.from, o.to, base::now_ns());
    if (!window) return window.error();
    e.selection.window = *window;
    if (!o.fields.empty()) {
        auto fields = base::parse_field_list(o.fields);
        if (!fields) return fields.error();
        e.fields = std::move(*fields);
    }
    auto time_format = capture::parse_time_format(o.time_format);
    if (!time_format) return time_format.error();
    e.style.time = *time_format;
    for (const auto& h : o.headers)
        if (auto s = capture::add_header_label(h, e.style); !s) return s.error();
    if (o.lf) e.style.eol = "\n";
    e.with_topic = !o.no_topic;
    if (!o.agg.empty() && o.every.empty()) return base::usage_error("--agg needs --every");
    if (!o.every.empty()) {
        auto every = capture::parse_every(o.every);
        if (!every) return every.error();
        e.every_ns = *every;
    }
    if (!o.agg.empty()) {
        auto aggs = capture::parse_agg_list(o.agg);
        if (!aggs) return aggs.error();
        e.aggs = std::move(*aggs);
    }
    return e;
}

// The -o file, opened (and truncated) before any work so an unwritable path fails at once.
int open_output(const std::string& path) {
    if (path.empty() || path == "-") return STDOUT_FILENO;
    int fd = base::open_private_file(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
    if (fd < 0)
        throw base::Failure(
            base::runtime_error(fmt::format("cannot write '{}': {}", path, std::strerror(errno))));
    return fd;
}

}  // namespace

void warn_undecoded(uint64_t count, const std::string& first) {
    if (count == 0) return;
    std::cerr << fmt::format(
        "iotctl: warning: {} payload{} not decoded as JSON (first: {}); shown as text in the "
        "payload column (no row with --fields)\n",
        count, count == 1 ? " was" : "s were", first);
}

int run_csv_export(CsvExportCliOptions& o) {
    capture::CsvExportOptions e = check_options(o).take();
    if (!o.live)  // a bad capture is reported before -o is touched
        capture::detect_capture_kind(o.capture).take();
    const int fd = open_output(o.output);
    int code = 0;
    base::Status status;
    {
        capture::OutputWriter writer(fd);
        try {
            if (!o.live) {
                auto stats = capture::export_capture_csv(o.capture, e, [&](std::string_view c) {
                                 writer.append(c);
                             }).take();
                warn_undecoded(stats.undecoded, stats.first_undecoded);
            } else {
                code = run_csv_live(o, e, writer);
            }
        } catch (const base::Failure& f) {
            status = f.error;
        }
        writer.close();
        if (status.ok())
            status =
                writer.check(o.output.empty() || o.output == "-" ? "stdout" : "'" + o.output + "'");
    }
    if (fd != STDOUT_FILENO) {
        ::close(fd);
        std::error_code ec;
        // Nothing was exported: leave no empty file behind.
        if (!status.ok() && std::filesystem::file_size(o.output, ec) == 0)
            std::filesystem::remove(o.output, ec);
    }
    status.check();
    return code;
}

}  // namespace iotctl::cli
