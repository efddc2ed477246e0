// `iotctl ingest forget CLIENT_ID [--state-dir D] [--force]`: ends the broker session an ingest
// left behind (its filters changed, so its derived client id did) and removes its state dir.
#include <iostream>
#include <memory>

#include "cmd/cli_common.h"
#include "cmd/ingest.h"
#include "core/ingest/stale_sessions.h"
#include "core/ingest/state_dir.h"

namespace iotctl::cli {

namespace {
struct ForgetOptions {
    std::string client_id, state_dir;
    bool force = false;
};
}  // namespace

RunFn setup_ingest_forget(CLI::App& ingest, IngestOptions& parent) {
    auto o = std::make_shared<ForgetOptions>();
    auto* sub = ingest.add_subcommand(
        "forget",
        "End the broker session of an old client id (clean session) and remove its state dir");
    sub->set_help_flag("--help", "Print this help and exit");
    sub->fallthrough();  // the connection flags are ingest's: -p, -u, TLS... before or after
    sub->add_option("client_id", o->client_id, "The client id, as `ingest status` names it")
        ->required();
    sub->add_option("--state-dir", o->state_dir,
                    "The state root holding its directory (default $XDG_STATE_HOME/iotctl)");
    sub->add_flag("--force", o->force, "Remove it even when its spool holds unwritten messages");
    return [o, &parent] {
        std::string ignored_topic;
        resolve_connection(parent.conn, &ignored_topic).check();
        const std::string root = !o->state_dir.empty()       ? o->state_dir
                                 : !parent.state_dir.empty() ? parent.state_dir
                                                             : ingest::default_state_root();
        ingest::forget_session(parent.conn, root, o->client_id, o->force).check();
        std::cerr << "forgot client id " << o->client_id
                  << ": its broker session is ended and its state directory removed\n";
        return 0;
    };
}

}  // namespace iotctl::cli
