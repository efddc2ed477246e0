#include "core/sim/limits.h"

#include <sys/resource.h>

#include <fmt/format.h>

namespace iotctl::sim {

base::Result<uint64_t> ensure_open_files(uint64_t needed, const char* what) {
    rlimit lim{};
    if (getrlimit(RLIMIT_NOFILE, &lim) != 0)
        return base::runtime_error("cannot read the open files limit");
    if (lim.rlim_cur >= needed) return static_cast<uint64_t>(lim.rlim_cur);
    if (lim.rlim_max < needed) {
        // Only a privileged process may raise the hard limit; try, and fall back quietly.
        rlimit more{needed, needed};
        if (setrlimit(RLIMIT_NOFILE, &more) == 0) return static_cast<uint64_t>(needed);
    }
    rlimit raised{lim.rlim_max, lim.rlim_max};
    if (setrlimit(RLIMIT_NOFILE, &raised) == 0) lim = raised;
    if (lim.rlim_cur >= needed) return static_cast<uint64_t>(lim.rlim_cur);
    return base::runtime_error(fmt::format(
        "{} need about {} open files, but this process may open only {} (hard limit {}); "
        "raise it with `ulimit -n {}` (the hard limit needs root or /etc/security/limits.conf), "
        "or simulate fewer devices",
        what, needed, static_cast<uint64_t>(lim.rlim_cur), static_cast<uint64_t>(lim.rlim_max),
        needed));
}

}  // namespace iotctl::sim
