// The settings layers below the command line: config file (TOML), `.env` file, environment.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/base/error.h"

namespace iotctl::broker {

/// Option values by long option name (`host`, `batch-size`); a list for repeatable options.
using SettingsLayer = std::map<std::string, std::vector<std::string>>;

/// Environment variable names that map to long option names (MQTT_BROKER -> host, ...).
const std::map<std::string, std::string>& env_option_names();

/// Reads a TOML config: top-level keys, then the `[section]` table, which wins over them.
base::Result<SettingsLayer> load_config_file(const std::string& path, const std::string& section);

/// Reads `KEY=VALUE` lines (comments, `export`, quotes allowed) into a variable map.
base::Result<std::map<std::string, std::string>> load_env_file(const std::string& path);

/// Turns variables into option values: the names in env_option_names(), and IOTCTL_<OPTION>.
SettingsLayer options_from_variables(const std::map<std::string, std::string>& vars);

/// The process environment's variables that options_from_variables() would look at.
std::map<std::string, std::string> current_environment();

/// The default config path: $XDG_CONFIG_HOME/iotctl/config.toml (or ~/.config/...).
std::string default_config_path();

/// Later layers win: merges `over` on top of `base` key by key.
SettingsLayer merge_layers(SettingsLayer base, const SettingsLayer& over);

}  // namespace iotctl::broker
