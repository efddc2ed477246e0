#include "core/ingest/checkpoint.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include "core/base/private_file.h"

namespace iotctl::ingest {

namespace {
constexpr const char* k_prefix = "checkpoint.";
}

std::string checkpoint_path(const std::string& dir, const std::string& sink) {
    return dir + "/" + k_prefix + sink;
}

base::Result<uint64_t> read_checkpoint(const std::string& path) {
    std::ifstream in(path);
    if (!in) return uint64_t{0};
    std::string text;
    std::getline(in, text);
    try {
        size_t used = 0;
        uint64_t v = std::stoull(text, &used);
        if (used == text.size()) return v;
    } catch (const std::exception&) {
    }
    return base::runtime_error(fmt::format("checkpoint file {} is corrupt: '{}'", path, text));
}

base::Status write_checkpoint(const std::string& path, uint64_t position) {
    std::string tmp = path + ".tmp";
    std::string text = fmt::format("{}\n", position);
    int fd = base::open_private_file(tmp, O_WRONLY | O_TRUNC | O_CLOEXEC);
    if (fd < 0)
        return base::runtime_error(
            fmt::format("cannot write checkpoint {}: {}", tmp, std::strerror(errno)));
    bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
    ::close(fd);
    if (!ok || std::rename(tmp.c_str(), path.c_str()) != 0)
        return base::runtime_error(
            fmt::format("cannot write checkpoint {}: {}", path, std::strerror(errno)));
    return {};
}

uint64_t highest_checkpoint(const std::string& dir) {
    uint64_t best = 0;
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
        auto name = e.path().filename().string();
        if (!name.starts_with(k_prefix) || name.ends_with(".tmp")) continue;
        if (auto v = read_checkpoint(e.path().string()); v) best = std::max(best, *v);
    }
    return best;
}

}  // namespace iotctl::ingest
