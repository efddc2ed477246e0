#include "core/broker/config_layers.h"

#include <cstdlib>
#include <fstream>
#include <iterator>

#include <fmt/format.h>
#include <toml++/toml.h>

#include "core/broker/dotenv.h"

extern char** environ;

namespace iotctl::broker {

const std::map<std::string, std::string>& env_option_names() {
    static const std::map<std::string, std::string> k_names = {
        {"MQTT_BROKER", "host"},   {"MQTT_PORT", "port"},         {"MQTT_URL", "url"},
        {"MQTT_USER", "username"}, {"MQTT_PASSWORD", "password"}, {"INFLUX_TOKEN", "influx-token"},
        {"MQTT_TLS", "tls"},  // true: --tls; false: --no-tls (options_from_variables)
    };
    return k_names;
}

namespace {
std::optional<std::string> scalar_to_string(const toml::node& node) {
    if (auto s = node.as_string()) return s->get();
    if (auto i = node.as_integer()) return std::to_string(i->get());
    if (auto f = node.as_floating_point()) return fmt::format("{}", f->get());
    if (auto b = node.as_boolean()) return b->get() ? "true" : "false";
    return std::nullopt;
}

base::Status add_table(const toml::table& table, const std::string& path, SettingsLayer& out) {
    for (const auto& [key, node] : table) {
        std::string name(key.str());
        if (node.is_table()) continue;  // other subcommands' sections
        std::vector<std::string> values;
        if (auto arr = node.as_array()) {
            for (const auto& item : *arr) {
                auto v = scalar_to_string(item);
                if (!v)
                    return base::usage_error(fmt::format(
                        "config file '{}': '{}' must be a list of plain values", path, name));
                values.push_back(*v);
            }
        } else if (auto v = scalar_to_string(node)) {
            values.push_back(*v);
        } else {
            return base::usage_error(
                fmt::format("config file '{}': unsupported value for '{}'", path, name));
        }
        out[name] = std::move(values);
    }
    return {};
}
}  // namespace

base::Result<SettingsLayer> load_config_file(const std::string& path, const std::string& section) {
    SettingsLayer out;
    toml::table table;
    try {
        table = toml::parse_file(path);
    } catch (const toml::parse_error& e) {
        return base::usage_error(fmt::format("config file '{}' line {}: {}", path,
                                             e.source().begin.line, e.description()));
    }
    if (auto s = add_table(table, path, out); !s) return s.error();
    if (auto sub = table[section].as_table())
        if (auto s = add_table(*sub, path, out); !s) return s.error();
    return out;
}

base::Result<std::map<std::string, std::string>> load_env_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return base::usage_error("cannot read env file '" + path + "'");
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    return parse_dotenv(text, path);
}

SettingsLayer options_from_variables(const std::map<std::string, std::string>& vars) {
    SettingsLayer out;
    for (const auto& [name, value] : vars) {
        auto known = env_option_names().find(name);
        if (name == "MQTT_TLS") {
            std::string v = value;
            for (auto& c : v) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            // Both switches, so that a later layer's MQTT_TLS replaces an earlier one's.
            bool off = v == "false" || v == "0" || v == "no" || v == "off";
            out["no-tls"] = {off ? "true" : "false"};
            out["tls"] = {off ? "false" : value};  // true, 1, yes, on; else --tls's bad value
        } else if (known != env_option_names().end()) {
            out[known->second] = {value};
        } else if (name.starts_with("IOTCTL_") && name.size() > 7) {
            std::string option = name.substr(7);
            for (auto& c : option) c = c == '_' ? '-' : static_cast<char>(std::tolower(c));
            out[option] = {value};
        }
    }
    return out;
}

std::map<std::string, std::string> current_environment() {
    std::map<std::string, std::string> vars;
    for (char** e = environ; e && *e; ++e) {
        std::string entry(*e);
        auto eq = entry.find('=');
        if (eq == std::string::npos) continue;
        std::string name = entry.substr(0, eq);
        if (env_option_names().count(name) || name.starts_with("IOTCTL_"))
            vars[name] = entry.substr(eq + 1);
    }
    return vars;
}

std::string default_config_path() {
    if (const char* xdg = std::getenv("XDG_CONFIG_HOME"); xdg && *xdg)
        return std::string(xdg) + "/iotctl/config.toml";
    if (const char* home = std::getenv("HOME"); home && *home)
        return std::string(home) + "/.config/iotctl/config.toml";
    return "";
}

SettingsLayer merge_layers(SettingsLayer base, const SettingsLayer& over) {
    for (const auto& [k, v] : over) base[k] = v;
    return base;
}

}  // namespace iotctl::broker
