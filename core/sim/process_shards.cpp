#include "core/sim/process_shards.h"

#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "core/base/stop_signal.h"

namespace iotctl::sim {

namespace {

// What a child writes to its pipe when its slice ends: the summary, or an error.
struct SliceRecord {
    FleetStats stats;
    int exit_code = 0;  // base::ExitCode of the error; 0: stats are valid
    size_t message_size = 0;
};

struct Child {
    pid_t pid = -1;
    int fd = -1;
    size_t begin = 0, end = 0;
    std::string data;  // what it wrote
    int status = 0;
};

bool write_all(int fd, const void* data, size_t size) {
    const char* p = static_cast<const char*>(data);
    while (size > 0) {
        ssize_t n = write(fd, p, size);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        p += n;
        size -= static_cast<size_t>(n);
    }
    return true;
}

// The child's side: runs its slice and reports through `fd`; never returns.
[[noreturn]] void run_child(int fd, pid_t parent, size_t begin, size_t end,
                            const SliceRunner& run_slice) {
    // A killed parent takes its slices with it, as abruptly as it went (Last Wills fire, as for
    // one process killed with SIGKILL).
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(1);  // it died before prctl()
    base::install_signal_handling();    // the parent's signal thread did not come along
    SliceRecord record;
    std::string message;
    try {
        auto result = run_slice(begin, end);
        if (result) {
            record.stats = *result;
        } else {
            record.exit_code = static_cast<int>(result.error().code);
            message = result.error().message;
        }
    } catch (const base::Failure& f) {
        record.exit_code = static_cast<int>(f.error.code);
        message = f.error.message;
    } catch (const std::exception& e) {
        record.exit_code = static_cast<int>(base::ExitCode::runtime);
        message = e.what();
    }
    record.message_size = message.size();
    std::cout.flush();
    bool ok =
        write_all(fd, &record, sizeof record) && write_all(fd, message.data(), message.size());
    _exit(ok ? 0 : 1);
}

void read_available(Child& c) {
    char buffer[4096];
    while (true) {
        ssize_t n = read(c.fd, buffer, sizeof buffer);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return;
        c.data.append(buffer, static_cast<size_t>(n));
    }
}

base::Result<FleetStats> slice_result(const Child& c) {
    const std::string devices = fmt::format("devices {}-{}", c.begin + 1, c.end);
    if (c.data.size() < sizeof(SliceRecord)) {
        std::string how = WIFSIGNALED(c.status)
                              ? fmt::format("was killed by signal {}", WTERMSIG(c.status))
                              : fmt::format("exited {} without a summary", WEXITSTATUS(c.status));
        return base::runtime_error(fmt::format("the simulator process for {} {}", devices, how));
    }
    SliceRecord record;
    std::memcpy(&record, c.data.data(), sizeof record);
    if (record.exit_code == 0) return record.stats;
    std::string message = c.data.substr(sizeof record, record.message_size);
    return base::Error{static_cast<base::ExitCode>(record.exit_code), message};
}

// Waits for every child, passing a stop request on to them; a slice that ends in an error (or
// dies) stops the others, as one process would have stopped. Returns the index of the first
// slice that failed, or the number of children when none did.
size_t wait_for_children(std::vector<Child>& children) {
    size_t first_failed = children.size();
    bool forwarded = false;
    size_t running = children.size();
    while (running > 0) {
        if (!forwarded && base::stop_requested()) {
            for (const auto& c : children)
                if (c.pid > 0) kill(c.pid, SIGTERM);
            forwarded = true;
        }
        for (auto& c : children) {
            if (c.pid <= 0) continue;
            if (waitpid(c.pid, &c.status, WNOHANG) == c.pid) {
                read_available(c);  // it has exited: everything it wrote is in the pipe
                close(c.fd);
                c.pid = 0;
                --running;
                if (first_failed == children.size() && !slice_result(c).ok()) {
                    first_failed = static_cast<size_t>(&c - children.data());
                    base::request_stop();
                }
            }
        }
        if (running == 0) break;
        if (forwarded)
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        else
            base::wait_for_stop(std::chrono::milliseconds(50));
    }
    return first_failed;
}

}  // namespace

FleetStats add_stats(const FleetStats& a, const FleetStats& b) {
    FleetStats s = a;
    s.devices += b.devices;
    s.connected += b.connected;
    s.messages += b.messages;
    s.broken += b.broken;
    s.drops += b.drops;
    s.reconnects += b.reconnects;
    s.missed += b.missed;
    s.commands += b.commands;
    s.bad_commands += b.bad_commands;
    s.replies += b.replies;
    s.errors += b.errors;
    s.seconds = std::max(a.seconds, b.seconds);
    s.max_lag = std::max(a.max_lag, b.max_lag);
    s.ramp_up = std::max(a.ramp_up, b.ramp_up);
    return s;
}

base::Result<FleetStats> run_in_slices(size_t devices, size_t per_process,
                                       const SliceRunner& run_slice) {
    if (per_process == 0 || devices <= per_process) return run_slice(0, devices);
    const size_t slices = (devices + per_process - 1) / per_process;
    std::vector<Child> children;
    std::cout.flush();
    std::cerr.flush();
    const pid_t parent = getpid();
    // A pipe or fork that fails: the slices already started are stopped and waited for.
    auto give_up = [&children](const char* what) -> base::Result<FleetStats> {
        const int err = errno;
        for (const auto& started : children) kill(started.pid, SIGTERM);
        base::request_stop();
        wait_for_children(children);
        return base::runtime_error(fmt::format("{}: {}", what, std::strerror(err)));
    };
    for (size_t i = 0; i < slices; ++i) {
        Child c;
        c.begin = devices * i / slices;  // even slices
        c.end = devices * (i + 1) / slices;
        int fds[2];
        if (pipe(fds) != 0) return give_up("cannot make a pipe");
        pid_t pid = fork();
        if (pid == 0) {
            close(fds[0]);
            for (const auto& other : children) close(other.fd);
            run_child(fds[1], parent, c.begin, c.end, run_slice);
        }
        close(fds[1]);
        if (pid < 0) {
            auto failed = give_up("cannot start a simulator process");
            close(fds[0]);
            return failed;
        }
        c.pid = pid;
        c.fd = fds[0];
        children.push_back(std::move(c));
    }
    const size_t failed = wait_for_children(children);
    if (failed < children.size()) return slice_result(children[failed]).error();
    FleetStats total;
    for (const auto& c : children) {
        auto r = slice_result(c);
        if (!r) return r.error();
        total = add_stats(total, *r);
    }
    return total;
}

}  // namespace iotctl::sim
