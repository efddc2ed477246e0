// The HTTP side of `ingest --metrics-listen ADDR:PORT` (cpp-httplib): /metrics in the
// Prometheus text format and /healthz (200, or 503 with a one-line reason).
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "core/base/error.h"

namespace httplib {
class Server;
}

namespace iotctl::ingest {

/// Where to listen: the host exactly as given (brackets of an IPv6 address removed), a port.
struct ListenAddress {
    std::string host;
    int port = 0;  // 0: any free port
};

/// Parses `HOST:PORT` (`127.0.0.1:9108`, `[::1]:0`, `0.0.0.0:9108`); a usage error otherwise.
base::Result<ListenAddress> parse_listen_address(const std::string& text);

/// What the server answers with; both are called on the server's threads.
struct MetricsHandlers {
    std::function<std::string()> metrics;  // the exposition text
    std::function<std::string()> problem;  // why unhealthy, or empty when healthy
};

/// A running HTTP server on its own thread; stopped and joined on destruction.
class MetricsServer {
  public:
    /// Binds `address` (an error when it cannot) and starts serving.
    static base::Result<std::unique_ptr<MetricsServer>> start(const ListenAddress& address,
                                                              MetricsHandlers handlers);
    ~MetricsServer();
    MetricsServer(const MetricsServer&) = delete;
    MetricsServer& operator=(const MetricsServer&) = delete;
    /// The port it listens on (the chosen one when 0 was asked for).
    int port() const { return port_; }

  private:
    MetricsServer() = default;
    std::unique_ptr<httplib::Server> server_;
    std::thread thread_;
    int port_ = 0;
};

}  // namespace iotctl::ingest
