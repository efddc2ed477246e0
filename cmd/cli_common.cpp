#include "cmd/cli_common.h"

#include <charconv>
#include <filesystem>
#include <iostream>

#include <fmt/format.h>

#include "core/base/error.h"
#include "core/base/payload.h"
#include "core/broker/config_layers.h"

namespace iotctl::cli {

void add_settings_flags(CLI::App& app) {
    app.add_option("--config", "TOML config file (default $XDG_CONFIG_HOME/iotctl/config.toml)")
        ->type_name("FILE");
    app.add_option("--env-file", "KEY=VALUE file to load (default ./.env if it exists)")
        ->type_name("FILE");
}

namespace {
// `-p`: a value that is not a port number is named as such (CLI11 would say "Could not convert").
void add_port_flag(CLI::App& app, broker::ConnOptions& o, const char* group) {
    app.add_option_function<std::string>(
           "-p,--port",
           [&o](const std::string& text) {
               int port = 0;
               auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), port);
               if (ec != std::errc() || end != text.data() + text.size() || port < 1 ||
                   port > 65535)
                   throw CLI::ValidationError(
                       fmt::format("-p/--port: '{}' is not a port number (1-65535)", text));
               o.port = port;
           },
           "Broker port (default 1883, 8883 with TLS; 8883 turns TLS on; env MQTT_PORT)")
        ->type_name("PORT")
        ->group(group);
}

// `--tls`, `--tls-use-os-certs`, `--no-tls`: TLS with the OS trust store, or plain on 8883.
void add_tls_switches(CLI::App& app, broker::ConnOptions& o, const char* group) {
    app.add_flag("--tls", o.tls_requested,
                 "TLS, verified with the system's CA certificates (env MQTT_TLS=true)")
        ->group(group);
    app.add_flag("--tls-use-os-certs", o.tls_requested,
                 "Same as --tls (mosquitto's name): TLS with the system's CA certificates")
        ->group(group);
    app.add_flag("--no-tls", o.no_tls, "Plain MQTT, also on port 8883 (env MQTT_TLS=false)")
        ->group(group);
}
}  // namespace

void add_conn_flags(CLI::App& app, broker::ConnOptions& o) {
    auto* g = "Connection";
    app.add_option("-h,--host", o.host, "Broker host (env MQTT_BROKER)")
        ->group(g)
        ->capture_default_str();
    add_port_flag(app, o, g);
    app.add_option("-L,--url", o.url, "mqtt[s]://[user[:pass]@]host[:port][/topic] (env MQTT_URL)")
        ->group(g);
    app.add_option("-u,--username", o.username, "User name (env MQTT_USER)")->group(g);
    app.add_option("-P,--password", o.password, "Password (env MQTT_PASSWORD)")->group(g);
    app.add_option("--password-file", o.password_file, "Read the password from this file")
        ->group(g);
    app.add_option("-i,--id", o.client_id, "Client id (default iotctl-<cmd>-<random>)")->group(g);
    app.add_option("-k,--keepalive", o.keepalive, "Keepalive in seconds")
        ->group(g)
        ->capture_default_str();
    app.add_option("-V,--protocol-version", o.protocol_version, "mqttv5, mqttv311 or mqttv31")
        ->group(g)
        ->capture_default_str();
    app.add_option("--connect-timeout", o.connect_timeout, "Seconds to wait for the broker")
        ->group(g)
        ->capture_default_str();
    app.add_option("--cafile", o.cafile, "CA certificates file (enables TLS)")->group(g);
    app.add_option("--capath", o.capath, "Directory of CA certificates (enables TLS)")->group(g);
    app.add_option("--cert", o.cert, "Client certificate (PEM)")->group(g);
    app.add_option("--key", o.key, "Client private key (PEM)")->group(g);
    app.add_flag("--insecure", o.insecure, "Do not verify the server certificate or host name")
        ->group(g);
    add_tls_switches(app, o, g);
    app.add_option("--tls-version", o.tls_version,
                   "Pin tlsv1.1 or tlsv1.2 (default: negotiate, TLS 1.3 included)")
        ->group(g);
    app.add_option("--will-topic", o.will_topic, "Last Will topic")->group(g);
    app.add_option("--will-payload", o.will_payload, "Last Will payload")->group(g);
    app.add_option("--will-qos", o.will_qos, "Last Will QoS")->group(g);
    app.add_flag("--will-retain", o.will_retain, "Retain the Last Will")->group(g);
}

namespace {

// True when the optional file `path` is there; when that cannot be told (a folder on the way
// may not be searched), says so on stderr and goes on without it.
bool optional_file_present(const std::string& path, const char* what) {
    std::error_code ec;
    bool there = std::filesystem::exists(path, ec);
    if (ec)
        std::cerr << fmt::format("iotctl: warning: the {} '{}' is not read: {}\n", what, path,
                                 ec.message());
    return there && !ec;
}

}  // namespace

void apply_settings_layers(CLI::App& app) {
    broker::SettingsLayer config;
    auto* config_opt = app.get_option_no_throw("--config");
    std::string config_path = config_opt && config_opt->count() ? config_opt->as<std::string>()
                                                                : broker::default_config_path();
    bool explicit_config = config_opt && config_opt->count();
    if (!config_path.empty() &&
        (explicit_config || optional_file_present(config_path, "default config file")))
        config = broker::load_config_file(config_path, app.get_name()).take();

    std::map<std::string, std::string> dotenv_vars;
    auto* env_opt = app.get_option_no_throw("--env-file");
    if (env_opt && env_opt->count())
        dotenv_vars = broker::load_env_file(env_opt->as<std::string>()).take();
    else if (optional_file_present(".env", "file"))
        dotenv_vars = broker::load_env_file(".env").take();

    broker::SettingsLayer merged =
        broker::merge_layers(config, broker::options_from_variables(dotenv_vars));
    merged = broker::merge_layers(std::move(merged),
                                  broker::options_from_variables(broker::current_environment()));

    for (const auto& [name, values] : merged) {
        if (name == "config" || name == "env-file") continue;
        auto* opt = app.get_option_no_throw("--" + name);
        if (!opt) continue;              // a setting for another subcommand
        if (opt->count() > 0) continue;  // the command line wins
        try {
            for (const auto& v : values) opt->add_result(v);
            opt->run_callback();
        } catch (const CLI::Error& e) {
            throw base::Failure(base::usage_error(
                fmt::format("bad value for --{} from config/environment: {}", name, e.what())));
        }
    }
}

base::Status resolve_connection(broker::ConnOptions& opts, std::string* url_topic) {
    auto topic = broker::resolve_conn_options(opts);
    if (!topic) return topic.error();
    if (url_topic && !topic->empty()) *url_topic = *topic;
    return {};
}

base::Status check_qos(int qos, const char* flag) {
    if (qos < 0 || qos > 2)
        return base::usage_error(
            fmt::format("invalid QoS {} for {}: expected 0, 1 or 2", qos, flag));
    return {};
}

namespace {
constexpr double k_min_rate = 1.0 / 86400;  // messages per second: one a day
}  // namespace

base::Result<double> parse_rate(const std::string& text, const char* flag) {
    if (text.empty()) return 0;
    double per = 1;
    std::string number = text;
    auto slash = text.find('/');
    if (slash != std::string::npos) {
        std::string unit = text.substr(slash + 1);
        number = text.substr(0, slash);
        if (unit == "s")
            per = 1;
        else if (unit == "m")
            per = 60;
        else if (unit == "h")
            per = 3600;
        else
            return base::usage_error(
                fmt::format("invalid rate '{}' for {}: expected N/s, N/m or N/h", text, flag));
    }
    double n = 0;
    auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), n);
    if (ec != std::errc() || end != number.data() + number.size() || !(n > 0))
        return base::usage_error(
            fmt::format("invalid rate '{}' for {}: expected a positive number", text, flag));
    if (n / per < k_min_rate)
        return base::usage_error(fmt::format(
            "invalid rate '{}' for {}: too slow, at most one day between messages", text, flag));
    return n / per;
}

base::Result<uint64_t> parse_byte_size(const std::string& text, const char* flag) {
    size_t used = 0;
    double n = 0;
    try {
        n = std::stod(text, &used);
    } catch (const std::exception&) {
        used = 0;
    }
    std::string unit = text.substr(used);
    double mult = unit.empty() || unit == "B"                   ? 1
                  : unit == "K" || unit == "KiB" || unit == "k" ? 1024.0
                  : unit == "M" || unit == "MiB"                ? 1024.0 * 1024
                  : unit == "G" || unit == "GiB"                ? 1024.0 * 1024 * 1024
                  : unit == "KB"                                ? 1e3
                  : unit == "MB"                                ? 1e6
                  : unit == "GB"                                ? 1e9
                                                                : -1;
    if (used == 0 || mult < 0 || !(n > 0))
        return base::usage_error(fmt::format(
            "invalid size '{}' for {}: expected e.g. 1048576, 512MiB or 1GiB", text, flag));
    return static_cast<uint64_t>(n * mult);
}

void add_max_json_bytes_flag(CLI::App& app) {
    base::set_max_json_bytes(base::k_default_max_json_bytes);
    app.add_option_function<std::string>(
           "--max-json-bytes",
           [](const std::string& text) {
               // A bad size ends the run as a usage error, like every other flag check.
               base::set_max_json_bytes(parse_byte_size(text, "--max-json-bytes").take());
           },
           "Payloads larger than this are not decoded as JSON, but kept as bytes (e.g. 64MiB)")
        ->type_name("SIZE")
        ->default_str("8MiB");
}

void add_where_flag(CLI::App& app, std::vector<std::string>& expressions) {
    app.add_option("--where", expressions,
                   "Only messages for which EXPR holds, e.g. 'temperature > 30' (repeatable: all "
                   "must hold; see docs/where.md)")
        ->type_name("EXPR")
        ->allow_extra_args(false);
}

base::WhereFilter compile_where(const std::vector<std::string>& expressions) {
    return base::WhereFilter::compile(expressions).take();
}

}  // namespace iotctl::cli
