// Builds the CLI11 application from the subcommand table and runs the chosen subcommand.
#pragma once

#include <memory>

#include <CLI/CLI.hpp>

namespace iotctl::cli {

/// Builds the whole command-line definition (used by run_app, completions and tests).
std::unique_ptr<CLI::App> build_app();

/// Parses argv, applies config/.env/environment layers, runs; returns the process exit code.
int run_app(int argc, char** argv);

}  // namespace iotctl::cli
