#include "cmd/completion_model.h"

#include <algorithm>
#include <map>
#include <set>

namespace iotctl::cli {

namespace {

// Options whose value is a file name (docs/connection.md, docs/commands.md), whatever their CLI11
// type name says.
const std::set<std::string> k_file_options = {
    "file",   "config", "env-file", "cafile",      "cert",     "key",    "password-file",
    "record", "sqlite", "map",      "dead-letter", "log-file", "output",
};

const std::set<std::string> k_directory_options = {"capath"};

// Fixed sets of values from docs/commands.md, for options that do not declare them with
// CLI::IsMember.
const std::map<std::string, std::vector<std::string>> k_known_choices = {
    {"protocol-version", {"mqttv311", "mqttv5", "mqttv31"}},
    {"tls-version", {"tlsv1.2", "tlsv1.3"}},
    {"preset", {"hexaboard", "tasmota", "generic"}},
    {"time-format", {"iso", "unix", "unix-ms"}},
};

std::string lower(std::string text) {
    std::transform(text.begin(), text.end(), text.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return text;
}

// The values of a CLI::IsMember validator, which CLI11 shows in the type name as "{a,b,c}".
std::vector<std::string> member_choices(const std::string& type_name) {
    auto open = type_name.find('{');
    auto close = type_name.rfind('}');
    std::vector<std::string> out;
    if (open == std::string::npos || close == std::string::npos || close < open) return out;
    std::string body = type_name.substr(open + 1, close - open - 1);
    size_t start = 0;
    while (start <= body.size()) {
        size_t comma = body.find(',', start);
        std::string item = body.substr(start, comma == std::string::npos ? comma : comma - start);
        item = item.substr(0, item.find("->"));  // a CLI::IsMember map shows "key->value"
        if (!item.empty()) out.push_back(item);
        if (comma == std::string::npos) break;
        start = comma + 1;
    }
    return out;
}

bool names_file(const CLI::Option& opt, const std::string& type_name) {
    for (const auto& name : opt.get_lnames())
        if (k_file_options.count(name)) return true;
    std::string type = lower(type_name);
    if (type.find("file") != std::string::npos || type.find("path") != std::string::npos)
        return true;
    if (!opt.get_positional()) return false;
    std::string pname = lower(opt.get_name(true));
    return pname.find("capture") != std::string::npos || pname.find("file") != std::string::npos;
}

ValueKind value_kind(const CLI::Option& opt, std::vector<std::string>& choices) {
    if (opt.get_items_expected_max() == 0) return ValueKind::none;  // a flag
    std::string type_name = opt.get_type_name();
    choices = member_choices(type_name);
    if (choices.empty()) {
        for (const auto& name : opt.get_lnames())
            if (auto it = k_known_choices.find(name); it != k_known_choices.end())
                choices = it->second;
    }
    if (!choices.empty()) return ValueKind::choice;
    for (const auto& name : opt.get_lnames())
        if (k_directory_options.count(name) || name.ends_with("-dir")) return ValueKind::directory;
    if (lower(type_name).find("dir") != std::string::npos) return ValueKind::directory;
    return names_file(opt, type_name) ? ValueKind::file : ValueKind::text;
}

CompletionOption describe_option(const CLI::Option& opt) {
    CompletionOption out;
    out.long_names = opt.get_lnames();
    out.short_names = opt.get_snames();
    if (opt.get_positional()) out.positional_name = opt.get_name(true);
    out.description = opt.get_description();
    out.kind = value_kind(opt, out.choices);
    out.repeatable = out.kind != ValueKind::none && opt.get_expected_max() > 1;
    return out;
}

CompletionCommand describe_command(const CLI::App& app) {
    CompletionCommand cmd;
    cmd.name = app.get_name();
    cmd.description = app.get_description();
    for (const CLI::Option* opt : app.get_options()) {
        if (opt->get_group().empty()) continue;  // hidden
        if (opt->nonpositional())
            cmd.options.push_back(describe_option(*opt));
        else if (opt->get_positional())
            cmd.positionals.push_back(describe_option(*opt));
    }
    for (const CLI::App* sub :
         app.get_subcommands([](const CLI::App* s) { return !s->get_group().empty(); }))
        cmd.children.push_back(describe_command(*sub));
    return cmd;
}

}  // namespace

CompletionModel describe_app(const CLI::App& app) {
    CompletionModel model;
    model.program = app.get_name();
    model.root = describe_command(app);
    model.subcommands = std::move(model.root.children);
    model.root.children.clear();
    return model;
}

std::vector<std::string> child_names(const CompletionCommand& command) {
    std::vector<std::string> names;
    for (const auto& child : command.children) names.push_back(child.name);
    return names;
}

std::vector<std::string> option_words(const CompletionOption& option) {
    std::vector<std::string> words;
    for (const auto& s : option.short_names) words.push_back("-" + s);
    for (const auto& l : option.long_names) words.push_back("--" + l);
    return words;
}

std::string join_words(const std::vector<std::string>& words) {
    std::string out;
    for (const auto& w : words) out += (out.empty() ? "" : " ") + w;
    return out;
}

std::string single_quote(const std::string& text) {
    std::string out = "'";
    for (char c : text) {
        if (c == '\'')
            out += "'\\''";
        else
            out += c;
    }
    return out + "'";
}

}  // namespace iotctl::cli
