// Real servers for the sink integration tests, started through scripts/services/<name>.
#pragma once

#include <map>
#include <memory>
#include <string>

/// Ends the current test case with a MESSAGE when `service` (a Service*) is null.
#define IOTCTL_SKIP_WITHOUT(service, program)                              \
    if ((service) == nullptr) {                                            \
        MESSAGE("skipped: " program " is not installed or did not start"); \
        return;                                                            \
    }

namespace iotctl::testing {

/// One server from scripts/services in its own temporary directory; stopped when destroyed.
class Service {
  public:
    /// Starts `name` (extra arguments appended); check ok() before use.
    explicit Service(const std::string& name, const std::string& args = "");
    ~Service();
    /// True when the server is running and its KEY=VALUE lines were read.
    bool ok() const { return ok_; }
    /// A value the service script printed, e.g. "PORT" or "URL".
    std::string operator[](const std::string& key) const;
    /// Stops the server (data and ports kept for restart()).
    void stop();
    /// Starts it again on the same ports with the same data.
    bool restart();

  private:
    bool run(const std::string& command);
    std::string name_, args_, dir_;
    std::map<std::string, std::string> env_;
    bool ok_ = false;
};

/// True when `program` is on PATH (servers are skipped with a MESSAGE when missing).
bool have_program(const std::string& program);

/// A shared server, started on first use and stopped at exit; nullptr when it cannot start.
Service* shared_service(const std::string& name, const std::string& program,
                        const std::string& args = "");

/// A 127.0.0.1 port that accepts TCP connections but never answers (for timeout tests).
class Blackhole {
  public:
    Blackhole();
    ~Blackhole();
    int port() const { return port_; }

  private:
    int fd_ = -1;
    int port_ = 0;
};

/// POSTs a form body and returns the response body ("" on failure).
std::string http_post_form(const std::string& url, const std::string& form);

}  // namespace iotctl::testing
