#include <fmt/format.h>

#include "cmd/completion_scripts.h"

namespace iotctl::cli {

namespace {

// An _arguments explanation: brackets and backslashes escaped.
std::string explanation(const std::string& text) {
    std::string out;
    for (char c : text) {
        if (c == '[' || c == ']' || c == '\\') out += '\\';
        out += c;
    }
    return out;
}

std::string function_name(const std::string& program, const std::string& command) {
    std::string out = "_" + program + "_" + command;
    for (char& c : out)
        if (c == '-') c = '_';
    return out;
}

// The ":message:action" part of an option or positional spec.
std::string value_spec(const CompletionOption& opt) {
    std::string message = !opt.long_names.empty()        ? opt.long_names.front()
                          : !opt.positional_name.empty() ? opt.positional_name
                                                         : "value";
    switch (opt.kind) {
        case ValueKind::none:
            return "";
        case ValueKind::text:
            return ":" + message + ":( )";
        case ValueKind::file:
            return ":" + message + ":_files";
        case ValueKind::directory:
            return ":" + message + ":_files -/";
        case ValueKind::choice:
            return ":" + message + ":(" + join_words(opt.choices) + ")";
    }
    return "";
}

// One _arguments spec per spelling of the option, all excluding each other unless repeatable.
std::string option_specs(const CompletionOption& opt) {
    std::vector<std::string> words = option_words(opt);
    std::string exclusion;
    if (opt.repeatable) {
        exclusion = "*";
    } else {
        for (const auto& w : words) exclusion += (exclusion.empty() ? "(" : " ") + w;
        exclusion += ")";
    }
    std::string out;
    for (const auto& w : words) {
        std::string suffix;
        if (opt.kind != ValueKind::none) suffix = w.starts_with("--") ? "=" : "+";
        std::string spec =
            exclusion + w + suffix + "[" + explanation(opt.description) + "]" + value_spec(opt);
        out += "        " + single_quote(spec) + " \\\n";
    }
    return out;
}

// A `_describe` function offering subcommands with their descriptions.
std::string commands_function(const std::string& name, const std::string& tag,
                              const std::vector<CompletionCommand>& commands) {
    std::string out = fmt::format("{}() {{\n    local -a commands=(\n", name);
    for (const auto& sub : commands)
        out += "        " + single_quote(sub.name + ":" + sub.description) + "\n";
    return out +
           fmt::format("    )\n    _describe -t commands {} commands\n}}\n\n", single_quote(tag));
}

// The `case $words[1]` arms calling each subcommand's function.
std::string dispatch_arms(const std::string& program, const std::string& prefix,
                          const std::vector<CompletionCommand>& commands) {
    std::string out;
    for (const auto& sub : commands)
        out += fmt::format("            {}) {} && ret=0 ;;\n", sub.name,
                           function_name(program, prefix + sub.name));
    return out;
}

// The function completing one command (`path` is its name, or "parent_child" when nested),
// and those of its own subcommands.
std::string command_function(const std::string& program, const CompletionCommand& cmd,
                             const std::string& path) {
    std::string out;
    for (const auto& child : cmd.children)
        out += command_function(program, child, path + "_" + child.name);
    if (!cmd.children.empty())
        out += commands_function(function_name(program, path) + "_commands",
                                 program + " " + cmd.name + " command", cmd.children);
    out += fmt::format("{}() {{\n", function_name(program, path));
    if (!cmd.children.empty())
        out +=
            "    local curcontext=$curcontext state state_descr line ret=1\n"
            "    typeset -A opt_args\n";
    out += cmd.children.empty() ? "    _arguments -s -S : \\\n" : "    _arguments -s -S -C : \\\n";
    for (const auto& opt : cmd.options) out += option_specs(opt);
    for (const auto& pos : cmd.positionals)
        out += "        " + single_quote(value_spec(pos)) + " \\\n";
    if (cmd.children.empty()) {
        out.resize(out.size() - 3);  // the last " \\\n"
        return out + "\n}\n\n";
    }
    out += fmt::format(
        "        '1: :{}_commands' \\\n"
        "        '*:: :->args' && ret=0\n"
        "    if [[ $state == args ]]; then\n"
        "        case $words[1] in\n"
        "{}"
        "        esac\n"
        "    fi\n"
        "    return ret\n"
        "}}\n\n",
        function_name(program, path), dispatch_arms(program, path + "_", cmd.children));
    return out;
}

}  // namespace

std::string zsh_completion_script(const CompletionModel& model) {
    const std::string& p = model.program;
    std::string out = fmt::format(
        "#compdef {0}\n"
        "# zsh completion for {0}. Generated by `{0} completions zsh` from the command-line\n"
        "# definition; do not edit. Install: copy to a directory in $fpath as _{0}\n"
        "# (e.g. /usr/local/share/zsh/site-functions/_{0}) and run compinit, or `source` it\n"
        "# after compinit.\n\n",
        p);
    for (const auto& sub : model.subcommands) out += command_function(p, sub, sub.name);
    out += commands_function("_" + p + "_commands", p + " command", model.subcommands);

    out += fmt::format(
        "_{0}() {{\n"
        "    local curcontext=$curcontext state state_descr line ret=1\n"
        "    typeset -A opt_args\n"
        "    _arguments -C : \\\n",
        p);
    for (const auto& opt : model.root.options) out += option_specs(opt);
    out += fmt::format(
        "        '1: :_{0}_commands' \\\n"
        "        '*:: :->args' && ret=0\n"
        "    if [[ $state == args ]]; then\n"
        "        curcontext=${{curcontext%:*:*}}:{0}-$words[1]:\n"
        "        case $words[1] in\n",
        p);
    out += dispatch_arms(p, "", model.subcommands);
    out += fmt::format(
        "        esac\n"
        "    fi\n"
        "    return ret\n"
        "}}\n\n"
        "if [[ $zsh_eval_context[-1] == loadautofunc ]]; then\n"
        "    _{0} \"$@\"\n"
        "else\n"
        "    compdef _{0} {0}\n"
        "fi\n",
        p);
    return out;
}

}  // namespace iotctl::cli
