#include "tests/integration/services.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <sstream>

#include "core/sinks/http_client.h"

namespace iotctl::testing {

Service::Service(const std::string& name, const std::string& args) : name_(name), args_(args) {
    char pattern[] = "/tmp/iotctl-it-XXXXXX";
    if (mkdtemp(pattern) == nullptr) return;
    dir_ = pattern;
    ok_ = run("start");
}

Service::~Service() {
    if (dir_.empty()) return;
    stop();
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
}

std::string Service::operator[](const std::string& key) const {
    auto it = env_.find(key);
    return it == env_.end() ? "" : it->second;
}

void Service::stop() {
    run("stop");
}

bool Service::restart() {
    return ok_ = run("restart");
}

bool Service::run(const std::string& command) {
    const std::string line = std::string(IOTCTL_SOURCE_DIR) + "/scripts/services/" + name_ + " " +
                             command + " " + dir_ + " " + (command == "start" ? args_ : "") +
                             " 2>>" + dir_ + "/service-stderr.log";
    FILE* pipe = popen(line.c_str(), "r");
    if (pipe == nullptr) return false;
    std::array<char, 512> buffer{};
    std::string out;
    while (fgets(buffer.data(), buffer.size(), pipe) != nullptr) out += buffer.data();
    const int status = pclose(pipe);
    std::istringstream lines(out);
    for (std::string l; std::getline(lines, l);)
        if (auto eq = l.find('='); eq != std::string::npos)
            env_[l.substr(0, eq)] = l.substr(eq + 1);
    return status == 0;
}

bool have_program(const std::string& program) {
    return std::system(("command -v " + program + " >/dev/null 2>&1").c_str()) == 0;
}

Service* shared_service(const std::string& name, const std::string& program,
                        const std::string& args) {
    static std::map<std::string, std::unique_ptr<Service>> services;
    const std::string key = name + " " + args;
    auto it = services.find(key);
    if (it == services.end()) {
        std::unique_ptr<Service> started;
        if (have_program(program)) started = std::make_unique<Service>(name, args);
        it = services.emplace(key, std::move(started)).first;
    }
    return it->second && it->second->ok() ? it->second.get() : nullptr;
}

Blackhole::Blackhole() {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    if (bind(fd_, reinterpret_cast<sockaddr*>(&address), length) == 0 && listen(fd_, 16) == 0 &&
        getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length) == 0)
        port_ = ntohs(address.sin_port);
}

Blackhole::~Blackhole() {
    if (fd_ >= 0) close(fd_);
}

std::string http_post_form(const std::string& url, const std::string& form) {
    sinks::HttpRequest request;
    request.url = url;
    request.body = form;
    request.content_type = "application/x-www-form-urlencoded";
    request.timeout_s = 30;
    sinks::HttpResponse response = sinks::make_curl_http_client()->post(request);
    return response.body;
}

}  // namespace iotctl::testing
