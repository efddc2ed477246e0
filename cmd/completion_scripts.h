// Shell completion scripts (bash, zsh, fish) rendered from a CompletionModel. Pure code.
#pragma once

#include <string>

#include "cmd/completion_model.h"

namespace iotctl::cli {

/// A bash completion script defining `_<program>` and registering it with `complete -F`.
std::string bash_completion_script(const CompletionModel& model);

/// A zsh completion function file (`#compdef`), loadable from $fpath or with `source`.
std::string zsh_completion_script(const CompletionModel& model);

/// A fish completion script of `complete -c <program> ...` lines.
std::string fish_completion_script(const CompletionModel& model);

}  // namespace iotctl::cli
