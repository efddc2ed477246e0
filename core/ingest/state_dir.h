// Where an ingest process keeps its state: a stable client id (so the broker keeps a persistent
// session across restarts) and one locked state directory per client id.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/base/error.h"

namespace iotctl::ingest {

/// What a derived client id is made of: two ingests that differ in any of these (another state
/// root, other sinks) get different ids, so they never take one broker session from each other.
struct ClientIdInputs {
    std::string local_host;            // this machine's name
    std::string broker;                // host:port
    std::vector<std::string> filters;  // order does not matter
    std::string share;                 // shared subscription group, or empty
    std::string sinks;                 // the sinks, as the start line names them
    std::string state_root;            // made absolute, so `st` and `./st` are one root
};

/// `iotctl-ingest-<16 hex>` from `inputs`: the same inputs give the same id on every start.
std::string derive_client_id(ClientIdInputs inputs);

/// The id versions up to 0.1.0 derived (host, broker, share group and filters only). A state
/// directory under that id holds a spool and a broker session of its own, so it keeps the id.
std::string derive_legacy_client_id(ClientIdInputs inputs);

/// `$XDG_STATE_HOME/iotctl`, else `~/.local/state/iotctl`.
std::string default_state_root();

/// An exclusively locked state directory (flock on `DIR/lock`), released on destruction.
class StateDir {
  public:
    ~StateDir();
    StateDir(const StateDir&) = delete;
    StateDir& operator=(const StateDir&) = delete;
    /// The directory path.
    const std::string& path() const { return path_; }
    /// The client id this directory belongs to.
    const std::string& client_id() const { return client_id_; }
    /// 1 for `<id>`, 2 for `<id>-2`...: which slot claim() took.
    int slot() const { return slot_; }

    /// Locks `root/<id>`; when another process holds it and `try_suffixes` is set (scale-out
    /// with a derived id), tries `<id>-2`, `<id>-3`... so each process keeps a stable slot.
    static base::Result<std::unique_ptr<StateDir>> claim(const std::string& root,
                                                         const std::string& id, bool try_suffixes);

  private:
    StateDir(std::string path, std::string id, int slot, int fd)
        : path_(std::move(path)), client_id_(std::move(id)), slot_(slot), fd_(fd) {}
    std::string path_, client_id_;
    int slot_ = 1;
    int fd_ = -1;
};

}  // namespace iotctl::ingest
