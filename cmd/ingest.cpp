#include "cmd/ingest.h"

#include <csignal>
#include <memory>

#include <fmt/format.h>
#include <unistd.h>

#include "cmd/cli_common.h"
#include "core/base/topic.h"
#include "core/ingest/metrics_server.h"
#include "core/ingest/runner.h"
#include "core/sinks/influx_sink.h"
#include "core/sinks/sql_open.h"
#include "core/sinks/url_parts.h"

namespace iotctl::cli {

namespace {
void add_monitoring_flags(CLI::App& app, IngestOptions& o) {
    const auto* g = "Monitoring";
    app.add_option("--metrics-listen", o.metrics_listen,
                   "Serve /metrics (Prometheus) and /healthz on HOST:PORT (port 0: any free)")
        ->group(g);
    app.add_option("--metrics-file", o.metrics_file,
                   "Write the /metrics text here every --stats-interval (node_exporter textfile)")
        ->group(g);
    app.add_option("--max-silence", o.max_silence,
                   "Report when no message arrives on any filter for S seconds, then subscribe "
                   "again")
        ->group(g);
    app.add_flag("--max-silence-exit", o.max_silence_exit,
                 "With --max-silence: exit 1 instead (for Restart=on-failure)")
        ->group(g);
}

base::Status check_monitoring_options(const IngestOptions& o) {
    if (o.max_silence < 0) return base::usage_error("--max-silence must be 0 or more seconds");
    if (o.max_silence_exit && !(o.max_silence > 0))
        return base::usage_error("--max-silence-exit needs --max-silence S");
    if (!o.metrics_listen.empty())
        if (auto a = ingest::parse_listen_address(o.metrics_listen); !a) return a.error();
    return {};
}

void add_ingest_flags(CLI::App& app, IngestOptions& o) {
    auto* g = "Sinks";
    app.add_option("--influx", o.influx,
                   "InfluxDB URL, e.g. http://127.0.0.1:8086 (repeatable; a URL may carry its "
                   "own ?db= or ?org=&bucket=)")
        ->group(g);
    app.add_option("--influx-db", o.influx_db, "InfluxDB 1.x database")->group(g);
    app.add_option("--influx-org", o.influx_org,
                   "InfluxDB 2.x organisation (token in INFLUX_TOKEN)")
        ->group(g);
    app.add_option("--influx-bucket", o.influx_bucket, "InfluxDB 2.x bucket")->group(g);
    app.add_option("--influx-token", o.influx_token)->group("");  // from INFLUX_TOKEN, never shown
    app.add_option("--mysql", o.mysql, "mysql://user[:pass]@host[:port]/db")->group(g);
    app.add_option("--sqlite", o.sqlite, "SQLite file (the default sink: ./iotctl.db)")->group(g);
    g = "Mapping";
    app.add_option("--preset", o.presets, "Built-in mapping (repeatable: rules in that order)")
        ->check(CLI::IsMember({"hexaboard", "tasmota", "generic"}))
        ->group(g);
    app.add_option("--map", o.map_file, "Mapping file (TOML or JSON)")->group(g);
    app.add_option("--payload-timezone", o.payload_timezone,
                   "IANA zone of payload times without one (default: the machine's; UTC)")
        ->group(g);
    app.add_option("-t,--topic", o.topics, "Topic filter, replacing the mapping's own (repeatable)")
        ->group(g);
    app.add_option("--dead-letter", o.dead_letter,
                   "Append what cannot be stored here as JSON lines")
        ->group(g);
    g = "Delivery";
    app.add_option("-q,--qos", o.qos, "QoS of the subscription")->capture_default_str()->group(g);
    app.add_option("--batch-size", o.batch_size, "Messages per database write at most")
        ->capture_default_str()
        ->group(g);
    app.add_option("--flush-interval", o.flush_interval,
                   "Seconds before a partial batch is written")
        ->capture_default_str()
        ->group(g);
    app.add_option("--share", o.share,
                   "Shared subscription group ($share/GROUP/filter) for scale-out")
        ->group(g);
    app.add_option(
           "--state-dir", o.state_dir,
           "Spool and checkpoints (default $XDG_STATE_HOME/iotctl, one subdir per client id)")
        ->group(g);
    app.add_option("--fsync-interval", o.fsync_interval,
                   "Seconds between fsyncs of the spool (0: every message)")
        ->capture_default_str()
        ->group(g);
    app.add_option("--spool-max-bytes", o.spool_max_bytes, "Disk bound of the spool (e.g. 512MiB)")
        ->capture_default_str()
        ->group(g);
    app.add_option("--drain-timeout", o.drain_timeout,
                   "Seconds to keep writing after SIGTERM/SIGINT")
        ->capture_default_str()
        ->group(g);
    g = "Monitoring";
    app.add_option("--stats-interval", o.stats_interval, "Log a one-line summary every S seconds")
        ->group(g);
    app.add_option("--log-file", o.log_file, "Log here instead of stderr (reopened on SIGHUP)")
        ->group(g);
    add_monitoring_flags(app, o);
}

base::Status check_ingest_options(IngestOptions& o) {
    if (auto s = check_monitoring_options(o); !s) return s;
    if (auto s = check_qos(o.qos, "-q"); !s) return s;
    if (o.batch_size < 1) return base::usage_error("--batch-size must be 1 or more");
    if (!(o.flush_interval > 0))
        return base::usage_error("--flush-interval must be above 0 seconds");
    if (o.fsync_interval < 0)
        return base::usage_error("--fsync-interval must be 0 or more seconds");
    if (o.stats_interval < 0)
        return base::usage_error("--stats-interval must be 0 or more seconds");
    if (o.drain_timeout < 0) return base::usage_error("--drain-timeout must be 0 or more seconds");
    if (!o.presets.empty() && !o.map_file.empty())
        return base::usage_error("give --preset or --map, not both");
    if (auto zone = base::TimeZone::locate(o.payload_timezone); !zone)
        return base::usage_error("--payload-timezone: " + zone.error().message);
    if (o.share.find_first_of("/+#") != std::string::npos)
        return base::usage_error(
            fmt::format("invalid --share group '{}': no '/', '+' or '#'", o.share));
    for (const auto& t : o.topics)
        if (auto s = base::validate_topic_filter(t); !s) return s;
    bool v2 = !o.influx_org.empty() || !o.influx_bucket.empty();
    if (o.influx.empty() && (v2 || !o.influx_db.empty()))
        return base::usage_error("--influx-db/--influx-org/--influx-bucket need --influx URL");
    auto spool_max = parse_byte_size(o.spool_max_bytes, "--spool-max-bytes");
    if (!spool_max) return spool_max.error();
    if (*spool_max < (1u << 20))
        return base::usage_error("--spool-max-bytes must be at least 1MiB");
    std::string url_topic;
    if (auto s = resolve_connection(o.conn, &url_topic); !s) return s;
    if (!url_topic.empty()) o.topics.push_back(url_topic);
    return {};
}

std::unique_ptr<mapping::Mapper> make_mapper(const IngestOptions& o) {
    base::TimeZone zone = base::TimeZone::locate(o.payload_timezone).take();
    if (!o.map_file.empty()) return mapping::load_mapping_file(o.map_file, zone).take();
    return mapping::make_preset_mapper(
               o.presets.empty() ? std::vector<std::string>{"generic"} : o.presets, zone)
        .take();
}

/// Builds every sink named on the command line (SQLite ./iotctl.db when none is); exit 1 on errors.
std::vector<ingest::PipelineSink> make_sinks(const IngestOptions& o, std::string& described) {
    std::vector<ingest::PipelineSink> sinks;
    auto add = [&](base::Result<std::unique_ptr<sinks::Sink>> sink, const std::string& what) {
        sinks.push_back({sink.take(), make_mapper(o)});
        sinks.back().sink->check_access().check();  // bad credentials end the run at start
        described += (described.empty() ? "" : ", ") + what;
    };
    for (const auto& url : o.influx) {
        sinks::InfluxSinkOptions io;
        io.url = url;
        io.db = o.influx_db;
        io.org = o.influx_org;
        io.bucket = o.influx_bucket;
        io.token = o.influx_token;
        add(sinks::make_influx_sink(io), "influx " + sinks::url_for_log(url));
    }
    if (!o.mysql.empty())
        add(sinks::make_mysql_sink(o.mysql), "mysql " + sinks::url_for_log(o.mysql));
    if (!o.sqlite.empty() || sinks.empty()) {
        std::string path = o.sqlite.empty() ? "./iotctl.db" : o.sqlite;
        add(sinks::make_sqlite_sink(path), "sqlite " + path);
    }
    return sinks;
}

}  // namespace

RunFn setup_ingest(CLI::App& app) {
    auto opts = std::make_shared<IngestOptions>();
    add_settings_flags(app);
    add_conn_flags(app, opts->conn);
    add_ingest_flags(app, *opts);
    add_max_json_bytes_flag(app);
    add_where_flag(app, opts->where);
    RunFn status = setup_ingest_status(app, opts->state_dir);
    RunFn forget = setup_ingest_forget(app, *opts);
    return [opts, status, forget, &app] {
        if (app.got_subcommand("status")) return status();
        if (app.got_subcommand("forget")) return forget();
        return run_ingest(*opts);
    };
}

int run_ingest(IngestOptions& o) {
    check_ingest_options(o).check();
    base::WhereFilter where = compile_where(o.where);
    auto log = ingest::IngestLog::open(o.log_file).take();
    auto dead = ingest::DeadLetterFile::open(o.dead_letter).take();
    ingest::RunOptions r;
    auto sinks = make_sinks(o, r.sinks_described);
    r.filters = o.topics.empty() ? sinks.front().mapper->filters() : o.topics;
    if (r.filters.empty())
        throw base::Failure(base::usage_error("the mapping subscribes to nothing: give -t FILTER"));
    r.conn = o.conn;
    r.share = o.share;
    r.qos = o.qos;
    r.state_root = o.state_dir;
    r.where = std::move(where);
    r.monitor.stats_interval = o.stats_interval;
    r.monitor.metrics_listen = o.metrics_listen;
    r.monitor.metrics_file = o.metrics_file;
    r.monitor.max_silence = o.max_silence;
    r.monitor.max_silence_exit = o.max_silence_exit;
    const uint64_t spool_max = *parse_byte_size(o.spool_max_bytes, "--spool-max-bytes");
    r.pipeline.spool.max_bytes = spool_max;
    r.pipeline.spool.segment_bytes = std::clamp<uint64_t>(spool_max / 16, 64u << 10, 64u << 20);
    r.pipeline.batcher.batch_size = static_cast<size_t>(o.batch_size);
    r.pipeline.batcher.flush_interval =
        std::chrono::milliseconds(static_cast<int64_t>(o.flush_interval * 1000));
    r.pipeline.fsync_interval =
        std::chrono::milliseconds(static_cast<int64_t>(o.fsync_interval * 1000));
    r.pipeline.drain_time = std::chrono::milliseconds(static_cast<int64_t>(o.drain_timeout * 1000));
    return ingest::run(std::move(r), std::move(sinks), *log, *dead).take();
}

}  // namespace iotctl::cli
