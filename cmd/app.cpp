#include "cmd/app.h"

#include <iostream>

#include <fmt/format.h>

#include "cmd/cli_common.h"
#include "cmd/subcommands.h"
#include "core/base/error.h"

namespace iotctl::cli {

namespace {
struct Built {
    std::unique_ptr<CLI::App> app;
    std::vector<std::pair<CLI::App*, RunFn>> runs;
};

Built build() {
    Built b;
    b.app = std::make_unique<CLI::App>(
        "iotctl: MQTT tools for IoT teams: subscribe, publish, ingest into databases, record, "
        "replay and simulate devices.",
        "iotctl");
    auto& app = *b.app;
    app.set_help_flag("--help", "Print this help and exit");
    app.add_flag_callback(
        "--version",
        [] {
            std::cout << "iotctl " << IOTCTL_VERSION << "\n";
            throw CLI::Success();
        },
        "Print the version and exit");
    app.require_subcommand(0, 1);
    app.footer(
        "Exit codes: 0 ok, 1 runtime failure, 2 usage error, 3 could not connect, 4 broker "
        "refused, 5 -W timed out, 130 interrupted.\nRun 'iotctl <command> --help' for a "
        "command's flags; see iotctl(1).");
    for (const auto& spec : subcommand_table()) {
        auto* sub = app.add_subcommand(spec.name, spec.summary);
        sub->set_help_flag("--help", "Print this help and exit");
        b.runs.emplace_back(sub, spec.setup(*sub));
    }
    return b;
}
}  // namespace

std::unique_ptr<CLI::App> build_app() {
    return build().app;
}

int run_app(int argc, char** argv) {
    Built b = build();
    auto& app = *b.app;
    try {
        try {
            app.parse(argc, argv);
        } catch (const CLI::CallForHelp&) {
            std::cout << app.help();  // CLI11 shows the selected subcommand's help
            return 0;
        } catch (const CLI::Success&) {
            return 0;
        } catch (const CLI::ParseError& e) {
            std::string what = e.what();
            std::string sub = app.get_subcommands().empty()
                                  ? ""
                                  : " " + app.get_subcommands().front()->get_name();
            std::cerr << "iotctl: error: " << what << "\n"
                      << "Run 'iotctl" << sub << " --help' for usage.\n";
            return static_cast<int>(base::ExitCode::usage);
        }
        for (auto& [sub, run] : b.runs) {
            if (!sub->parsed()) continue;
            apply_settings_layers(*sub);
            return run();
        }
        std::cout << app.help();
        return static_cast<int>(base::ExitCode::usage);
    } catch (const base::Failure& f) {
        std::cerr << "iotctl: error: " << f.error.message << "\n";
        return static_cast<int>(f.error.code);
    } catch (const std::exception& e) {
        std::cerr << "iotctl: error: " << e.what() << "\n";
        return static_cast<int>(base::ExitCode::runtime);
    }
}

}  // namespace iotctl::cli
