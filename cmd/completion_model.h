// What shell completions need to know about the CLI, read from the CLI11 definition.
#pragma once

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace iotctl::cli {

/// What kind of value an option (or positional argument) takes, for completion.
enum class ValueKind { none, text, file, directory, choice };

/// One option or positional argument of a command.
struct CompletionOption {
    std::vector<std::string> long_names;   // without the leading "--"
    std::vector<std::string> short_names;  // single characters, without the "-"
    std::string positional_name;           // set only for positional arguments
    std::string description;
    ValueKind kind = ValueKind::none;
    std::vector<std::string> choices;  // for ValueKind::choice
    bool repeatable = false;           // may be given more than once
};

/// One command: the top level (empty name) or a subcommand.
struct CompletionCommand {
    std::string name;
    std::string description;
    std::vector<CompletionOption> options;      // named options and flags, in definition order
    std::vector<CompletionOption> positionals;  // positional arguments, in order
    std::vector<CompletionCommand> children;    // its own subcommands (`ingest status`), in order
};

/// The whole command line: the program, its own options, and its subcommands.
struct CompletionModel {
    std::string program;
    CompletionCommand root;
    std::vector<CompletionCommand> subcommands;
};

/// Walks a CLI11 app (as built by build_app()) into a completion model.
CompletionModel describe_app(const CLI::App& app);

/// The names of a command's own subcommands, in order.
std::vector<std::string> child_names(const CompletionCommand& command);

/// Every option name of a command as typed on the command line ("-t", "--topic", ...).
std::vector<std::string> option_words(const CompletionOption& option);

/// The words separated by single spaces.
std::string join_words(const std::vector<std::string>& words);

/// The text in POSIX shell single quotes ('it'\''s'), also valid in zsh.
std::string single_quote(const std::string& text);

}  // namespace iotctl::cli
