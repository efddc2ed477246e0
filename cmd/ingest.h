// `iotctl ingest` (docs/commands.md#ingest): MQTT into InfluxDB, MySQL/MariaDB and SQLite, at least
// once.
#pragma once

#include <string>
#include <vector>

#include "cmd/subcommands.h"
#include "core/broker/conn_options.h"

namespace iotctl::cli {

/// Every flag of `iotctl ingest`.
struct IngestOptions {
    broker::ConnOptions conn;
    std::vector<std::string> influx;  // one sink each; a URL may name its own ?db= / ?org=&bucket=
    std::string influx_db, influx_org, influx_bucket, influx_token;
    std::string mysql, sqlite;
    std::vector<std::string> presets;  // rules of several presets, in the order given
    std::string map_file;
    std::string payload_timezone;  // IANA zone of zone-less payload times; "" = the machine's
    std::vector<std::string> topics;
    int qos = 1;
    int batch_size = 5000;
    double flush_interval = 1.0;
    std::string dead_letter;
    std::string share;
    double stats_interval = 0;
    std::string log_file;
    std::string state_dir;
    double fsync_interval = 1.0;
    std::string spool_max_bytes = "1GiB";
    double drain_timeout = 5.0;
    std::vector<std::string> where;            // --where EXPR (all must hold)
    std::string metrics_listen, metrics_file;  // /metrics + /healthz; node_exporter textfile
    double max_silence = 0;                    // seconds without messages before reporting
    bool max_silence_exit = false;             // exit 1 instead of resubscribing
};

/// Adds ingest's flags to `app` and returns what runs it.
RunFn setup_ingest(CLI::App& app);

/// Adds `ingest status` to `ingest` (`parent_state_dir` is ingest's own --state-dir) and
/// returns what runs it (cmd/ingest_status.cpp).
RunFn setup_ingest_status(CLI::App& ingest, const std::string& parent_state_dir);

/// Adds `ingest forget` to `ingest` (the connection flags and --state-dir are ingest's own,
/// `parent`) and returns what runs it (cmd/ingest_forget.cpp).
RunFn setup_ingest_forget(CLI::App& ingest, IngestOptions& parent);

/// Runs ingest until SIGTERM/SIGINT; returns the exit code (0, or 130 after SIGINT).
int run_ingest(IngestOptions& opts);

}  // namespace iotctl::cli
