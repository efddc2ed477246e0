// `iotctl csv-export`: a capture (or a live subscription) as RFC 4180 CSV
// (docs/commands.md#csv-export).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "cmd/subcommands.h"
#include "core/base/message.h"
#include "core/broker/conn_options.h"
#include "core/capture/csv_export.h"
#include "core/capture/output_writer.h"

namespace iotctl::cli {

/// Everything `csv-export` is told on the command line.
struct CsvExportCliOptions {
    broker::ConnOptions conn;
    std::string capture, output, fields, time_format = "iso", from, to;
    std::vector<std::string> topics;
    std::vector<std::string> headers;  // --header NAME=LABEL
    bool no_topic = false, live = false, crlf = false, lf = false;
    int count = 0;                   // --live -C: stop after this many messages
    double timeout = 0;              // --live -W: stop after this many seconds
    int qos = 0;                     // --live: subscription QoS
    std::vector<std::string> where;  // --where EXPR (all must hold)
    std::string every, agg;          // --every 1m, --agg mean,max
};

/// Adds csv-export's flags to `app` and returns what runs it.
RunFn setup_csv_export(CLI::App& app);

/// Runs `csv-export`; returns the exit code.
int run_csv_export(CsvExportCliOptions& opts);

/// `--live`: subscribes and hands each message (on Paho's thread: `each` must be quick; it returns
/// true when the message was selected, which counts for -C) until -C/-W/SIGINT; returns the exit
/// code to end with (0; 5 when -C was not reached within -W; 130). `idle`, when given, is called
/// on this thread about every 50 ms while it waits.
int run_live_subscription(CsvExportCliOptions& opts,
                          const std::function<bool(base::Message&&)>& each,
                          const std::function<void()>& idle = {});

/// `--live`: subscribes and writes CSV to `writer` as `e` asks (--fields rows as they arrive,
/// --every windows on the clock, else a temporary capture exported at the end); the exit code.
int run_csv_live(CsvExportCliOptions& opts, const capture::CsvExportOptions& e,
                 capture::OutputWriter& writer);

/// Says on stderr how many payloads went to the payload column (or gave no --fields row)
/// undecoded because of a JSON limit; nothing when there were none.
void warn_undecoded(uint64_t count, const std::string& first);

}  // namespace iotctl::cli
