// Paho C opens its sockets itself and has no bind setting, so this file defines connect(): the
// dynamic linker binds the libraries' calls to it (the executable's definition comes first), and
// it binds the socket to the chosen local address before calling the C library's connect().
// With no address chosen it only forwards the call.
#include "core/broker/bind_address.h"

#include <dlfcn.h>
#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <vector>

#include <fmt/format.h>

namespace iotctl::broker {

namespace {

struct LocalAddress {
    sockaddr_storage address{};
    socklen_t length = 0;
};

// Written before any connection is made and read-only while they are: the flag publishes it.
std::vector<LocalAddress> g_local_addresses;
std::atomic<bool> g_binding{false};

using ConnectFn = int (*)(int, const sockaddr*, socklen_t);

ConnectFn system_connect() {
    static const auto fn = reinterpret_cast<ConnectFn>(dlsym(RTLD_NEXT, "connect"));
    return fn;
}

bool is_tcp(int fd) {
    int type = 0;
    socklen_t length = sizeof type;
    return getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &length) == 0 && type == SOCK_STREAM;
}

// Binds `fd` to the chosen address of `family`; true when there is none of that family (the
// connection then goes out as the system chooses, as a name that resolves to both IPv4 and
// IPv6 may need).
bool bind_local(int fd, int family) {
    for (const auto& local : g_local_addresses)
        if (local.address.ss_family == family)
            return bind(fd, reinterpret_cast<const sockaddr*>(&local.address), local.length) == 0;
    return true;
}

}  // namespace

base::Status bind_connections_to(const std::string& address) {
    addrinfo hints{};
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE;
    addrinfo* found = nullptr;
    if (int rc = getaddrinfo(address.c_str(), nullptr, &hints, &found); rc != 0)
        return base::Error{base::ExitCode::connect,
                           fmt::format("-A {}: the local address does not resolve: {}", address,
                                       gai_strerror(rc))};
    std::vector<LocalAddress> usable;
    int last_errno = 0;
    for (addrinfo* ai = found; ai; ai = ai->ai_next) {
        int fd = socket(ai->ai_family, SOCK_STREAM, 0);
        if (fd < 0) continue;
        if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0) {
            LocalAddress local;
            std::memcpy(&local.address, ai->ai_addr, ai->ai_addrlen);
            local.length = ai->ai_addrlen;
            usable.push_back(local);
        } else {
            last_errno = errno;
        }
        close(fd);
    }
    freeaddrinfo(found);
    if (usable.empty())
        return base::Error{base::ExitCode::connect,
                           fmt::format("-A {}: cannot bind to this local address: {}", address,
                                       std::strerror(last_errno))};
    g_binding.store(false);
    g_local_addresses = std::move(usable);
    g_binding.store(true, std::memory_order_release);
    return {};
}

void bind_connections_anywhere() {
    g_binding.store(false);
}

}  // namespace iotctl::broker

/// The process's connect(): binds TCP sockets to the address bind_connections_to() chose, then
/// connects through the C library.
extern "C" int connect(int fd, const sockaddr* address, socklen_t length) {
    using namespace iotctl::broker;
    ConnectFn forward = system_connect();
    if (!forward) {
        errno = ENOSYS;
        return -1;
    }
    if (address && g_binding.load(std::memory_order_acquire) && is_tcp(fd) &&
        !bind_local(fd, address->sa_family))
        return -1;  // errno from bind(): the caller reports it as a failed connect
    return forward(fd, address, length);
}
