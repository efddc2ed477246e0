// `iotctl ingest status [--state-dir D] [--json]`: reads the state directories (no broker) and
// tells, per ingest, whether it runs and how its sinks keep up; exit 0 when all are healthy.
#include <iostream>
#include <memory>

#include "cmd/ingest.h"
#include "core/base/timestamps.h"
#include "core/ingest/state_dir.h"
#include "core/ingest/status_report.h"

namespace iotctl::cli {

namespace {
struct StatusOptions {
    std::string state_dir;
    bool json = false;
};
}  // namespace

RunFn setup_ingest_status(CLI::App& ingest, const std::string& parent_state_dir) {
    auto o = std::make_shared<StatusOptions>();
    auto* sub = ingest.add_subcommand(
        "status",
        "Tell from the state directories (no broker) whether each ingest runs and keeps up");
    sub->set_help_flag("--help", "Print this help and exit");
    sub->add_option("--state-dir", o->state_dir,
                    "A state root, or one ingest's state directory (default "
                    "$XDG_STATE_HOME/iotctl)");
    sub->add_flag("--json", o->json, "Print a JSON array, one object per state directory");
    return [o, &parent_state_dir] {
        std::string root = !o->state_dir.empty()       ? o->state_dir
                           : !parent_state_dir.empty() ? parent_state_dir
                                                       : ingest::default_state_root();
        const int64_t now = base::now_ns();
        const auto states = ingest::read_ingest_states(root, now);
        if (o->json)
            std::cout << ingest::render_status_json(states).dump(2) << "\n";
        else
            std::cout << ingest::render_status_text(states, now);
        if (states.empty()) {
            std::cerr << "iotctl: error: no ingest state directory in " << root << "\n";
            return 1;
        }
        for (const auto& s : states)
            if (!s.problem.empty()) return 1;
        return 0;
    };
}

}  // namespace iotctl::cli
