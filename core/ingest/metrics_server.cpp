#include "core/ingest/metrics_server.h"

#include <cerrno>
#include <charconv>
#include <cstring>

#include <fmt/format.h>
#include <httplib.h>

#include "core/ingest/metrics_text.h"

namespace iotctl::ingest {

namespace {
constexpr size_t k_server_threads = 2;  // scrapes are rare; keep the thread count small
}

base::Result<ListenAddress> parse_listen_address(const std::string& text) {
    const auto colon = text.rfind(':');
    auto bad = [&] {
        return base::usage_error(fmt::format(
            "--metrics-listen '{}': expected HOST:PORT, e.g. 127.0.0.1:9108 or [::1]:9108", text));
    };
    if (colon == std::string::npos || colon == 0 || colon + 1 == text.size()) return bad();
    ListenAddress a;
    a.host = text.substr(0, colon);
    if (a.host.front() == '[') {
        if (a.host.size() < 3 || a.host.back() != ']') return bad();
        a.host = a.host.substr(1, a.host.size() - 2);
    } else if (a.host.find(':') != std::string::npos) {
        return bad();  // an IPv6 address needs brackets
    }
    const char* first = text.data() + colon + 1;
    const char* last = text.data() + text.size();
    auto [end, ec] = std::from_chars(first, last, a.port);
    if (ec != std::errc() || end != last || a.port < 0 || a.port > 65535) return bad();
    return a;
}

base::Result<std::unique_ptr<MetricsServer>> MetricsServer::start(const ListenAddress& address,
                                                                  MetricsHandlers handlers) {
    std::unique_ptr<MetricsServer> s(new MetricsServer());
    s->server_ = std::make_unique<httplib::Server>();
    auto& server = *s->server_;
    server.new_task_queue = [] { return new httplib::ThreadPool(k_server_threads); };
    server.Get("/metrics", [h = handlers](const httplib::Request&, httplib::Response& res) {
        res.set_content(h.metrics(), k_metrics_content_type);
    });
    server.Get("/healthz", [h = handlers](const httplib::Request&, httplib::Response& res) {
        const std::string problem = h.problem();
        res.status = problem.empty() ? 200 : 503;
        res.set_content(problem.empty() ? "ok\n" : problem + "\n", "text/plain; charset=utf-8");
    });
    if (address.port == 0) {
        s->port_ = server.bind_to_any_port(address.host);
        if (s->port_ < 0) s->port_ = 0;
    } else if (server.bind_to_port(address.host, address.port)) {
        s->port_ = address.port;
    }
    if (s->port_ <= 0)
        return base::runtime_error(fmt::format("--metrics-listen: cannot listen on {}:{}: {}",
                                               address.host, address.port, std::strerror(errno)));
    s->thread_ = std::thread([&server] { server.listen_after_bind(); });
    return s;
}

MetricsServer::~MetricsServer() {
    if (server_) server_->stop();
    if (thread_.joinable()) thread_.join();
}

}  // namespace iotctl::ingest
