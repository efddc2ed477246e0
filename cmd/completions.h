// `iotctl completions bash|zsh|fish`: prints a completion script generated from the CLI itself.
#pragma once

#include <string>

#include "cmd/subcommands.h"
#include "core/base/error.h"

namespace iotctl::cli {

/// Adds completions's argument (the shell) to `app` and returns what runs it.
RunFn setup_completions(CLI::App& app);

/// The completion script for `shell` (bash, zsh or fish); a usage error for any other name.
base::Result<std::string> completion_script(const std::string& shell);

}  // namespace iotctl::cli
