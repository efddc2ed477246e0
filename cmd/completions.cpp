#include "cmd/completions.h"

#include <iostream>
#include <memory>

#include "cmd/app.h"
#include "cmd/completion_scripts.h"
#include "core/base/error.h"

namespace iotctl::cli {

base::Result<std::string> completion_script(const std::string& shell) {
    // A fresh definition of the whole CLI: the same one `iotctl` parses its arguments with.
    CompletionModel model = describe_app(*build_app());
    if (shell == "bash") return bash_completion_script(model);
    if (shell == "zsh") return zsh_completion_script(model);
    if (shell == "fish") return fish_completion_script(model);
    return base::usage_error("unknown shell '" + shell + "': expected bash, zsh or fish");
}

RunFn setup_completions(CLI::App& app) {
    auto shell = std::make_shared<std::string>();
    app.add_option("shell", *shell, "The shell to print the script for")
        ->required()
        ->check(CLI::IsMember({"bash", "zsh", "fish"}));
    app.footer(
        "Examples:\n"
        "  iotctl completions bash > ~/.local/share/bash-completion/completions/iotctl\n"
        "  iotctl completions zsh > ~/.zfunc/_iotctl     # a directory in $fpath\n"
        "  iotctl completions fish > ~/.config/fish/completions/iotctl.fish");
    return [shell]() -> int {
        std::cout << completion_script(*shell).take();
        std::cout.flush();
        return std::cout ? 0 : static_cast<int>(base::ExitCode::runtime);
    };
}

}  // namespace iotctl::cli
