// The one table of subcommands: name, summary, and the function that defines its flags.
#pragma once

#include <functional>
#include <vector>

#include <CLI/CLI.hpp>

namespace iotctl::cli {

/// What a configured subcommand runs after parsing; returns the exit code.
using RunFn = std::function<int()>;

/// One row of the table.
struct SubcommandSpec {
    const char* name;
    const char* summary;
    RunFn (*setup)(CLI::App& sub);  // adds the flags to `sub`, returns what runs it
};

/// Every subcommand, in the order `iotctl --help` lists them.
const std::vector<SubcommandSpec>& subcommand_table();

}  // namespace iotctl::cli
