// Nagle's algorithm off for a library's TCP connections that the library gives no option for.
#pragma once

namespace iotctl::broker {

/// Sets TCP_NODELAY on every TCP socket of this process connected to remote port `port` (Paho C
/// leaves Nagle on: a small publish then waits for the ACK of the previous one, up to the 40 ms
/// delayed-ACK timer). Returns how many sockets were changed.
int set_tcp_no_delay_to_port(int port);

}  // namespace iotctl::broker
