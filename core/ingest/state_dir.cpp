#include "core/ingest/state_dir.h"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/file.h>
#include <unistd.h>

#include "core/base/private_file.h"

namespace iotctl::ingest {

namespace {
constexpr int k_max_slots = 64;

uint64_t fnv1a(const std::string& text) {
    uint64_t h = 1469598103934665603ull;
    for (unsigned char c : text) {
        h ^= c;
        h *= 1099511628211ull;
    }
    return h;
}
}  // namespace

std::string derive_client_id(ClientIdInputs in) {
    std::sort(in.filters.begin(), in.filters.end());
    std::error_code ec;
    auto root = std::filesystem::absolute(in.state_root, ec).lexically_normal().string();
    if (ec) root = in.state_root;
    while (root.size() > 1 && root.back() == '/') root.pop_back();
    std::string key =
        in.local_host + '\n' + in.broker + '\n' + in.share + '\n' + in.sinks + '\n' + root;
    for (const auto& f : in.filters) key += '\n' + f;
    return fmt::format("iotctl-ingest-{:016x}", fnv1a(key));
}

std::string derive_legacy_client_id(ClientIdInputs in) {
    std::sort(in.filters.begin(), in.filters.end());
    std::string key = in.local_host + '\n' + in.broker + '\n' + in.share;
    for (const auto& f : in.filters) key += '\n' + f;
    return fmt::format("iotctl-ingest-{:016x}", fnv1a(key));
}

std::string default_state_root() {
    const char* xdg = std::getenv("XDG_STATE_HOME");
    if (xdg && *xdg) return std::string(xdg) + "/iotctl";
    const char* home = std::getenv("HOME");
    return std::string(home && *home ? home : ".") + "/.local/state/iotctl";
}

StateDir::~StateDir() {
    if (fd_ >= 0) ::close(fd_);  // closing releases the flock
}

base::Result<std::unique_ptr<StateDir>> StateDir::claim(const std::string& root,
                                                        const std::string& id, bool try_suffixes) {
    for (int slot = 1; slot <= (try_suffixes ? k_max_slots : 1); ++slot) {
        std::string slot_id = slot == 1 ? id : fmt::format("{}-{}", id, slot);
        std::string dir = root + "/" + slot_id;
        // Owner only: the spool, checkpoints and lock below hold what devices send.
        std::error_code ec = base::create_private_dirs(dir);
        if (ec)
            return base::runtime_error(
                fmt::format("cannot create state directory {}: {}", dir, ec.message()));
        std::string lock = dir + "/lock";
        int fd = base::open_private_file(lock, O_RDWR | O_CLOEXEC);
        if (fd < 0)
            return base::runtime_error(
                fmt::format("cannot open {}: {}", lock, std::strerror(errno)));
        if (::flock(fd, LOCK_EX | LOCK_NB) == 0) {
            std::string pid = fmt::format("{}\n", ::getpid());
            if (::ftruncate(fd, 0) == 0) [[maybe_unused]]
                auto n = ::write(fd, pid.data(), pid.size());
            return std::unique_ptr<StateDir>(new StateDir(dir, slot_id, slot, fd));
        }
        ::close(fd);
    }
    return base::runtime_error(fmt::format(
        "state directory {}/{} is in use by another ingest process; give it its own -i ID or "
        "--state-dir",
        root, id));
}

}  // namespace iotctl::ingest
