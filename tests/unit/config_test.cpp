// Settings layers: .env parsing, TOML config with sections, variables to options, merge order.
#include <doctest/doctest.h>

#include <unistd.h>
#include <filesystem>
#include <fstream>

#include "core/broker/config_layers.h"

using namespace iotctl;

namespace {
std::string write_temp(const std::string& name, const std::string& text) {
    auto path = std::filesystem::temp_directory_path() /
                ("iotctl-config-test-" + std::to_string(getpid()) + "-" + name);
    std::ofstream(path) << text;
    return path.string();
}
}  // namespace

TEST_CASE(".env parsing: comments, export, quotes, spaces, CRLF") {
    auto path = write_temp("a.env",
                           "# a comment\n"
                           "\n"
                           "MQTT_BROKER=broker.lan\n"
                           "export MQTT_PORT = 1884\r\n"
                           "  MQTT_USER=\"alice smith\"\n"
                           "MQTT_PASSWORD='p#ss word'\n"
                           "IOTCTL_KEEPALIVE=30 # trailing comment\n"
                           "EMPTY=\n"
                           "URL=a=b\n");
    auto vars = broker::load_env_file(path);
    REQUIRE(vars.ok());
    CHECK(vars->at("MQTT_BROKER") == "broker.lan");
    CHECK(vars->at("MQTT_PORT") == "1884");
    CHECK(vars->at("MQTT_USER") == "alice smith");
    CHECK(vars->at("MQTT_PASSWORD") == "p#ss word");
    CHECK(vars->at("IOTCTL_KEEPALIVE") == "30");
    CHECK(vars->at("EMPTY") == "");
    CHECK(vars->at("URL") == "a=b");
    std::filesystem::remove(path);
}

TEST_CASE(".env errors name the file and line") {
    auto path = write_temp("bad.env", "A=1\nnot a pair\n");
    CHECK(broker::load_env_file(path).error().message ==
          "env file '" + path + "' line 2: expected KEY=VALUE");
    std::filesystem::remove(path);
    CHECK(broker::load_env_file("/nonexistent/.env").error().message ==
          "cannot read env file '/nonexistent/.env'");
}

TEST_CASE("variables become options") {
    auto layer = broker::options_from_variables({{"MQTT_BROKER", "h"},
                                                 {"MQTT_PORT", "1"},
                                                 {"MQTT_URL", "mqtt://x"},
                                                 {"MQTT_USER", "u"},
                                                 {"MQTT_PASSWORD", "p"},
                                                 {"IOTCTL_BATCH_SIZE", "500"},
                                                 {"IOTCTL_", "ignored"},
                                                 {"HOME", "/root"}});
    CHECK(layer.at("host") == std::vector<std::string>{"h"});
    CHECK(layer.at("port") == std::vector<std::string>{"1"});
    CHECK(layer.at("url") == std::vector<std::string>{"mqtt://x"});
    CHECK(layer.at("username") == std::vector<std::string>{"u"});
    CHECK(layer.at("password") == std::vector<std::string>{"p"});
    CHECK(layer.at("batch-size") == std::vector<std::string>{"500"});
    CHECK(layer.size() == 6);
}

TEST_CASE("TOML: top level, then the subcommand's section wins; lists kept") {
    auto path = write_temp("c.toml",
                           "host = \"top\"\n"
                           "port = 1883\n"
                           "insecure = true\n"
                           "keepalive = 2.5\n"
                           "[sub]\n"
                           "port = 1999\n"
                           "topic = [\"a/#\", \"b/+\"]\n"
                           "[pub]\n"
                           "port = 2000\n");
    auto sub = broker::load_config_file(path, "sub");
    REQUIRE(sub.ok());
    CHECK(sub->at("host") == std::vector<std::string>{"top"});
    CHECK(sub->at("port") == std::vector<std::string>{"1999"});
    CHECK(sub->at("insecure") == std::vector<std::string>{"true"});
    CHECK(sub->at("keepalive") == std::vector<std::string>{"2.5"});
    CHECK(sub->at("topic") == std::vector<std::string>{"a/#", "b/+"});
    auto pub = broker::load_config_file(path, "pub");
    CHECK(pub->at("port") == std::vector<std::string>{"2000"});
    CHECK(pub->count("topic") == 0);
    std::filesystem::remove(path);
}

TEST_CASE("TOML errors name the file and line") {
    auto path = write_temp("bad.toml", "host = \"x\"\nport = = 1\n");
    auto r = broker::load_config_file(path, "sub");
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message.starts_with("config file '" + path + "' line 2: "));
    CHECK(r.error().code == base::ExitCode::usage);
    std::filesystem::remove(path);
    auto nested = write_temp("nested.toml", "topic = [[1]]\n");
    CHECK(broker::load_config_file(nested, "sub").error().message ==
          "config file '" + nested + "': 'topic' must be a list of plain values");
    std::filesystem::remove(nested);
}

TEST_CASE("merge order: later layers win key by key") {
    broker::SettingsLayer config = {
        {"host", {"config-host"}}, {"port", {"1"}}, {"keepalive", {"10"}}};
    broker::SettingsLayer dotenv = {{"port", {"2"}}, {"username", {"env-file-user"}}};
    broker::SettingsLayer environment = {{"username", {"env-user"}}};
    auto merged = broker::merge_layers(broker::merge_layers(config, dotenv), environment);
    CHECK(merged.at("host") == std::vector<std::string>{"config-host"});
    CHECK(merged.at("port") == std::vector<std::string>{"2"});
    CHECK(merged.at("keepalive") == std::vector<std::string>{"10"});
    CHECK(merged.at("username") == std::vector<std::string>{"env-user"});
}

TEST_CASE("default config path follows XDG_CONFIG_HOME, then HOME") {
    const char* old_xdg = getenv("XDG_CONFIG_HOME");
    std::string saved = old_xdg ? old_xdg : "";
    setenv("XDG_CONFIG_HOME", "/x/cfg", 1);
    CHECK(broker::default_config_path() == "/x/cfg/iotctl/config.toml");
    unsetenv("XDG_CONFIG_HOME");
    if (const char* home = getenv("HOME"))
        CHECK(broker::default_config_path() == std::string(home) + "/.config/iotctl/config.toml");
    if (old_xdg) setenv("XDG_CONFIG_HOME", saved.c_str(), 1);
}
