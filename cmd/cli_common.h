// Flags shared by subcommands: connection options (docs/connection.md), config and .env layers.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "core/base/predicate_eval.h"
#include "core/broker/conn_options.h"

namespace iotctl::cli {

/// Adds `--config` and `--env-file` to a subcommand.
void add_settings_flags(CLI::App& app);

/// Adds every connection flag of docs/connection.md (host, port, URL, auth, TLS, will...) to `app`.
void add_conn_flags(CLI::App& app, broker::ConnOptions& opts);

/// Fills options not given on the command line from env > .env > config file, in that order.
void apply_settings_layers(CLI::App& app);

/// The one way every subcommand resolves its connection options (URL, password file, ranges);
/// the topic a `-L` URL carries, if any, goes to `url_topic`. A usage error on bad values.
base::Status resolve_connection(broker::ConnOptions& opts, std::string* url_topic = nullptr);

/// Checks a QoS flag value: a usage error naming the flag when it is not 0, 1 or 2.
base::Status check_qos(int qos, const char* flag);

/// Parses `N`, `N/s`, `N/m` or `N/h` into messages per second (0 when empty).
base::Result<double> parse_rate(const std::string& text, const char* flag);

/// Parses `1048576`, `512K`, `64MiB`, `1G`... into bytes; a usage error names `flag`.
base::Result<uint64_t> parse_byte_size(const std::string& text, const char* flag);

/// Adds `--max-json-bytes SIZE` (the commands that decode payloads as JSON): larger payloads are
/// carried as opaque bytes (base::set_max_json_bytes); the default is
/// base::k_default_max_json_bytes.
void add_max_json_bytes_flag(CLI::App& app);

/// Adds `--where EXPR` (repeatable: every one must hold; docs/where.md), kept in `expressions`.
void add_where_flag(CLI::App& app, std::vector<std::string>& expressions);

/// Compiles the `--where` expressions before anything connects or reads; throws Failure (a usage
/// error showing the expression and a caret under the first bad character).
base::WhereFilter compile_where(const std::vector<std::string>& expressions);

}  // namespace iotctl::cli
