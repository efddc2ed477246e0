#include "core/sim/socket_drop.h"

#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <mutex>
#include <sstream>
#include <string>
#include <unordered_map>
#include <vector>

#include <MQTTAsync.h>

namespace iotctl::sim {

namespace {

// The inode of a "socket:[12345]" link target, or 0 when the descriptor is not a socket.
unsigned long socket_inode(int fd) {
    char path[64], target[128];
    std::snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    ssize_t n = readlink(path, target, sizeof target - 1);
    if (n <= 0) return 0;
    target[n] = '\0';
    if (std::strncmp(target, "socket:[", 8) != 0) return 0;
    return std::strtoul(target + 8, nullptr, 10);
}

std::mutex g_registry_mutex;
std::unordered_map<std::string, SocketId> g_registry;

// Runs on Paho's threads for every protocol trace line: keep it short.
void on_paho_trace(enum MQTTASYNC_TRACE_LEVELS, char* message) {
    if (!message || !std::strstr(message, "-> CONNECT ")) return;
    auto found = parse_connect_trace(message);
    if (!found) return;
    SocketId id{found->first, socket_inode(found->first)};
    std::lock_guard lock(g_registry_mutex);
    g_registry[found->second] = id;
}

}  // namespace

std::optional<std::pair<int, std::string>> parse_connect_trace(const std::string& line) {
    size_t arrow = line.find(" -> CONNECT ");
    if (arrow == std::string::npos) return std::nullopt;
    std::istringstream words(line.substr(0, arrow));
    std::vector<std::string> tokens;
    for (std::string w; words >> w;) tokens.push_back(w);
    if (tokens.size() < 2) return std::nullopt;
    const std::string& fd_text = tokens[tokens.size() - 2];
    if (fd_text.empty() || fd_text.find_first_not_of("0123456789") != std::string::npos)
        return std::nullopt;
    return std::make_pair(std::atoi(fd_text.c_str()), tokens.back());
}

void track_paho_sockets() {
    MQTTAsync_setTraceCallback(on_paho_trace);
    MQTTAsync_setTraceLevel(MQTTASYNC_TRACE_PROTOCOL);
}

std::optional<SocketId> socket_of_client(const std::string& client_id) {
    std::lock_guard lock(g_registry_mutex);
    auto it = g_registry.find(client_id);
    if (it == g_registry.end()) return std::nullopt;
    return it->second;
}

bool shutdown_socket(const SocketId& id) {
    if (id.fd < 0 || socket_inode(id.fd) != id.inode) return false;
    return ::shutdown(id.fd, SHUT_RDWR) == 0;
}

}  // namespace iotctl::sim
