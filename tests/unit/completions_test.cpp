// The completion model read from the real CLI definition, and the scripts rendered from it.
#include <doctest/doctest.h>

#include <algorithm>

#include "cmd/app.h"
#include "cmd/completion_scripts.h"
#include "cmd/completions.h"

using namespace iotctl;
using namespace iotctl::cli;

namespace {
const CompletionCommand& command(const CompletionModel& m, const std::string& name) {
    auto it = std::find_if(m.subcommands.begin(), m.subcommands.end(),
                           [&](const auto& c) { return c.name == name; });
    REQUIRE(it != m.subcommands.end());
    return *it;
}

const CompletionOption& option(const CompletionCommand& c, const std::string& long_name) {
    auto it = std::find_if(c.options.begin(), c.options.end(), [&](const auto& o) {
        return std::find(o.long_names.begin(), o.long_names.end(), long_name) != o.long_names.end();
    });
    REQUIRE_MESSAGE(it != c.options.end(), c.name << " has no --" << long_name);
    return *it;
}
}  // namespace

TEST_CASE("the completion model lists every subcommand with its options") {
    CompletionModel m = describe_app(*build_app());
    CHECK(m.program == "iotctl");
    for (const char* name :
         {"sub", "pub", "ingest", "replay", "csv-export", "simulate-hexaboard", "completions"})
        CHECK_FALSE(command(m, name).description.empty());
    const auto& topic = option(command(m, "sub"), "topic");
    CHECK(topic.short_names == std::vector<std::string>{"t"});
    CHECK(topic.kind == ValueKind::text);
    CHECK(topic.repeatable);
    CHECK(option(command(m, "sub"), "verbose").kind == ValueKind::none);
    CHECK(option(command(m, "sub"), "help").kind == ValueKind::none);
    CHECK(option_words(topic) == std::vector<std::string>{"-t", "--topic"});
}

TEST_CASE("file options complete file names, -V and completions offer their values") {
    CompletionModel m = describe_app(*build_app());
    for (const char* name :
         {"config", "env-file", "cafile", "cert", "key", "password-file", "record"})
        CHECK_MESSAGE(option(command(m, "sub"), name).kind == ValueKind::file, name);
    CHECK(option(command(m, "pub"), "file").kind == ValueKind::file);
    CHECK(option(command(m, "sub"), "capath").kind == ValueKind::directory);
    const auto& version = option(command(m, "pub"), "protocol-version");
    CHECK(version.kind == ValueKind::choice);
    CHECK(version.choices == std::vector<std::string>{"mqttv311", "mqttv5", "mqttv31"});
    const auto& shell = command(m, "completions").positionals;
    REQUIRE(shell.size() == 1);
    CHECK(shell[0].choices == std::vector<std::string>{"bash", "zsh", "fish"});
}

TEST_CASE("options named *-dir complete directories, IsMember options their values") {
    CLI::App app("test", "tool");
    auto* run = app.add_subcommand("run", "Run");
    std::string dir, mode;
    run->add_option("--state-dir", dir, "Where state goes");
    run->add_option("--mode", mode, "Mode")->check(CLI::IsMember({"fast", "slow"}));
    CompletionModel m = describe_app(app);
    REQUIRE(m.subcommands.size() == 1);
    CHECK(option(m.subcommands[0], "state-dir").kind == ValueKind::directory);
    const auto& mode_option = option(m.subcommands[0], "mode");
    CHECK(mode_option.kind == ValueKind::choice);
    CHECK(mode_option.choices == std::vector<std::string>{"fast", "slow"});
}

TEST_CASE("completion_script renders each shell and refuses others with a usage error") {
    auto bash = completion_script("bash");
    REQUIRE(bash.ok());
    CHECK(bash->find("complete -F _iotctl iotctl") != std::string::npos);
    auto zsh = completion_script("zsh");
    REQUIRE(zsh.ok());
    CHECK(zsh->starts_with("#compdef iotctl\n"));
    auto fish = completion_script("fish");
    REQUIRE(fish.ok());
    CHECK(fish->find("-s t -l topic") != std::string::npos);
    auto bad = completion_script("tcsh");
    REQUIRE_FALSE(bad.ok());
    CHECK(bad.error().code == base::ExitCode::usage);
    CHECK(bad.error().message.find("tcsh") != std::string::npos);
}

TEST_CASE("descriptions with quotes and brackets are escaped for each shell") {
    CompletionModel m;
    m.program = "tool";
    CompletionCommand c;
    c.name = "run";
    c.description = "it's [here]";
    CompletionOption o;
    o.long_names = {"name"};
    o.description = "a 'quoted' [x] \\ value";
    o.kind = ValueKind::text;
    c.options.push_back(o);
    m.subcommands.push_back(c);
    CHECK(zsh_completion_script(m).find(
              R"('(--name)--name=[a '\''quoted'\'' \[x\] \\ value]:name:( )')") !=
          std::string::npos);
    CHECK(fish_completion_script(m).find(R"(-d 'a \'quoted\' [x] \\ value')") != std::string::npos);
    CHECK(bash_completion_script(m).find("--name) return ;;") != std::string::npos);
}
