// request_prompt_wakeups: the calling thread gets a timer slack of 1 ns and (on kernels with
// custom slices) a 100 us slice, and the threads it creates afterwards inherit both.
#include <sys/prctl.h>

#include <fstream>
#include <optional>
#include <string>
#include <thread>

#include <doctest/doctest.h>

#include "core/base/prompt_wakeups.h"

namespace {

// The calling thread's scheduler slice in ns, when the kernel shows it (Linux 6.6+).
std::optional<long> slice_ns() {
    std::ifstream sched("/proc/thread-self/sched");
    for (std::string line; std::getline(sched, line);)
        if (line.rfind("se.slice", 0) == 0) return std::stol(line.substr(line.find(':') + 1));
    return std::nullopt;
}

struct Seen {
    long slack = 0;
    std::optional<long> slice;
    long child_slack = 0;
    std::optional<long> child_slice;
};

}  // namespace

TEST_CASE("prompt wake-ups apply to the calling thread and the threads it starts later") {
    Seen seen;
    // In a thread of its own, so that the test runner's other threads keep the defaults.
    std::thread([&] {
        const auto before = slice_ns();
        iotctl::base::request_prompt_wakeups();
        seen.slack = ::prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0);
        seen.slice = slice_ns();
        std::thread([&] {
            seen.child_slack = ::prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0);
            seen.child_slice = slice_ns();
        }).join();
        if (before && *before == 100'000) MESSAGE("the default slice is already 100 us");
    }).join();
    CHECK(seen.slack == 1);
    CHECK(seen.child_slack == 1);
    // Kernels before 6.12 ignore the requested slice (and before 6.6 do not show one).
    if (seen.slice && *seen.slice == 100'000)
        CHECK(seen.child_slice == seen.slice);
    else
        MESSAGE("this kernel keeps its own slice: " << (seen.slice ? *seen.slice : -1));
}
