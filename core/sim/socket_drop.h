// Abrupt connection drops for fault injection: find the socket Paho opened, shut it down under it.
//
// Paho offers no way to drop a connection without sending DISCONNECT (MQTTAsync_destroy sends
// one too), so the simulator shuts down the TCP socket itself. shutdown(2) rather than close(2):
// the descriptor stays Paho's, so it cannot be reused under Paho's feet; Paho then sees EOF,
// reports the connection lost and closes it; the broker sees the TCP close without DISCONNECT
// and publishes the Last Will.
#pragma once

#include <optional>
#include <string>

namespace iotctl::sim {

/// One socket: its descriptor and inode (the inode tells a reused descriptor apart).
struct SocketId {
    int fd = -1;
    unsigned long inode = 0;
};

/// Starts learning which socket each Paho client opens, from Paho's protocol trace
/// ("<fd> <client id> -> CONNECT ..."). Process-wide; call before the first connect.
void track_paho_sockets();

/// The socket Paho last opened for `client_id`, when track_paho_sockets() saw it.
std::optional<SocketId> socket_of_client(const std::string& client_id);

/// Reads "<fd> <client id> -> CONNECT" out of one Paho trace line; nullopt for other lines.
std::optional<std::pair<int, std::string>> parse_connect_trace(const std::string& line);

/// Shuts the socket down (both ways) if `id.fd` still refers to `id.inode`; true when it did.
bool shutdown_socket(const SocketId& id);

}  // namespace iotctl::sim
