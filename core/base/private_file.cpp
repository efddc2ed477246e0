#include "core/base/private_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include <fmt/format.h>

namespace iotctl::base {

namespace {
std::error_code last_error() {
    return {errno, std::generic_category()};
}
}  // namespace

int open_private_file(const std::string& path, int flags) {
    int fd;
    do fd = ::open(path.c_str(), flags | O_CREAT, k_private_file_mode);
    while (fd < 0 && errno == EINTR);
    return fd;
}

Result<int> open_private_append(const std::string& path, std::string_view what) {
    int fd = open_private_file(path, O_WRONLY | O_APPEND | O_CLOEXEC);
    if (fd < 0)
        return runtime_error(
            fmt::format("cannot open {} {}: {}", what, path, std::strerror(errno)));
    return fd;
}

std::error_code create_private_file(const std::string& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) == 0) return {};
    int fd = open_private_file(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) return last_error();
    ::close(fd);
    return {};
}

std::error_code create_private_dirs(const std::string& path) {
    std::filesystem::path whole(path);
    std::filesystem::path part;
    for (const auto& element : whole) {
        part /= element;
        if (element.empty() || element == "/" || element == "." || element == "..") continue;
        if (::mkdir(part.c_str(), k_private_dir_mode) == 0) continue;
        if (errno != EEXIST) return last_error();
        struct stat st {};
        if (::stat(part.c_str(), &st) != 0) return last_error();
        if (!S_ISDIR(st.st_mode)) return std::make_error_code(std::errc::not_a_directory);
    }
    return {};
}

}  // namespace iotctl::base
