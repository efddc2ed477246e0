#include "core/ingest/systemd_notify.h"

#include <algorithm>
#include <cstdlib>

#include <systemd/sd-daemon.h>

namespace iotctl::ingest {

namespace {
std::string one_line(std::string text) {
    for (char& c : text)
        if (c == '\n') c = ' ';
    return text;
}
}  // namespace

SystemdNotifier::SystemdNotifier() {
    const char* socket = std::getenv("NOTIFY_SOCKET");
    enabled_ = socket != nullptr && *socket != '\0';
    uint64_t usec = 0;
    if (enabled_ && sd_watchdog_enabled(0, &usec) > 0 && usec > 0)
        watchdog_period_ = std::chrono::milliseconds(std::max<uint64_t>(usec / 2000, 1));
}

void SystemdNotifier::send(const std::string& state) {
    if (enabled_) (void)sd_notify(0, state.c_str());
}

void SystemdNotifier::ready(const std::string& status) {
    send("READY=1\nSTATUS=" + one_line(status));
}

void SystemdNotifier::watchdog() {
    send("WATCHDOG=1");
}

void SystemdNotifier::status(const std::string& text) {
    send("STATUS=" + one_line(text));
}

void SystemdNotifier::stopping(const std::string& status) {
    send("STOPPING=1\nSTATUS=" + one_line(status));
}

}  // namespace iotctl::ingest
