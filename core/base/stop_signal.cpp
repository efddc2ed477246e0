#include "core/base/stop_signal.h"

#include <unistd.h>
#include <condition_variable>
#include <csignal>
#include <mutex>
#include <thread>

namespace iotctl::base {

namespace {
std::mutex g_mutex;
std::condition_variable g_cv;
bool g_stop = false;
int g_signal = 0;
std::function<void()> g_hup;

void signal_loop(sigset_t set) {
    while (true) {
        int sig = 0;
        if (sigwait(&set, &sig) != 0) continue;
        if (sig == SIGHUP) {
            std::function<void()> hup;
            {
                std::lock_guard lock(g_mutex);
                hup = g_hup;
            }
            if (hup) hup();
            continue;
        }
        std::lock_guard lock(g_mutex);
        if (g_signal != 0 && sig == SIGINT) _exit(130);  // a second Ctrl-C: give up at once
        g_signal = sig;
        g_stop = true;
        g_cv.notify_all();
    }
}
}  // namespace

void install_signal_handling() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
    std::signal(SIGPIPE, SIG_IGN);  // a closed pipe is an EPIPE write error, handled where written
    std::thread(signal_loop, set).detach();
}

void request_stop() {
    std::lock_guard lock(g_mutex);
    g_stop = true;
    g_cv.notify_all();
}

bool stop_requested() {
    std::lock_guard lock(g_mutex);
    return g_stop;
}

int stop_signal() {
    std::lock_guard lock(g_mutex);
    return g_signal;
}

bool wait_for_stop(std::chrono::milliseconds timeout) {
    std::unique_lock lock(g_mutex);
    return g_cv.wait_for(lock, timeout, [] { return g_stop; });
}

void on_hangup(std::function<void()> handler) {
    std::lock_guard lock(g_mutex);
    g_hup = std::move(handler);
}

void reset_stop() {
    std::lock_guard lock(g_mutex);
    g_stop = false;
    g_signal = 0;
}

}  // namespace iotctl::base
