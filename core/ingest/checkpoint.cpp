#include "core/ingest/checkpoint.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include <fcntl.h>
#include <fmt/format.h>

#include "core/base/private_file.h"

namespace iotctl::ingest {

namespace {
constexpr const char* k_prefix = "checkpoint.";
constexpr const char* k_tmp_suffix = ".tmp";

bool is_tmp(const std::string& name) {
    return name.starts_with(k_prefix) && name.ends_with(k_tmp_suffix);
}

/// Writes all of `text` to `fd`: 0, or the errno of the failure.
int write_text(SpoolDisk& disk, int fd, const std::string& text) {
    size_t done = 0;
    while (done < text.size()) {
        ssize_t n = disk.write(fd, text.data() + done, text.size() - done);
        if (n > 0) {
            done += static_cast<size_t>(n);
        } else if (n < 0 && errno == EINTR) {
            continue;
        } else {
            return n < 0 ? errno : ENOSPC;
        }
    }
    return 0;
}
}  // namespace

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

base::Status write_checkpoint(const std::string& path, uint64_t position, SpoolDisk& disk) {
    std::string tmp = path + k_tmp_suffix;
    std::string text = fmt::format("{}\n", position);
    int fd = disk.open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        return base::runtime_error(
            fmt::format("cannot write checkpoint {}: {}; the previous one "
                        "stays",
                        tmp, std::strerror(errno)));
    int err = write_text(disk, fd, text);
    // Synced before the rename: after a power cut the name holds the old value or the new one,
    // never an empty file.
    if (err == 0 && disk.sync(fd) != 0) err = errno;
    if (disk.close(fd) != 0 && err == 0) err = errno;
    if (err == 0 && disk.rename(tmp, path) != 0) err = errno;
    if (err == 0) return {};
    disk.remove(tmp);
    return base::runtime_error(fmt::format("cannot write checkpoint {}: {}; the previous one stays",
                                           path, std::strerror(err)));
}

uint64_t highest_checkpoint(const std::string& dir) {
    uint64_t best = 0;
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
        auto name = e.path().filename().string();
        if (!name.starts_with(k_prefix) || is_tmp(name)) continue;
        if (auto v = read_checkpoint(e.path().string()); v) best = std::max(best, *v);
    }
    return best;
}

void remove_stray_checkpoint_files(const std::string& dir) {
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator(dir, ec))
        if (is_tmp(e.path().filename().string())) std::filesystem::remove(e.path(), ec);
}

}  // namespace iotctl::ingest
