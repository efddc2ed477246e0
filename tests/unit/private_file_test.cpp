// base::open_private_file / create_private_file / create_private_dirs: owner-only modes under
// any umask, never a change to what exists.
#include <doctest/doctest.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <filesystem>
#include <tuple>

#include "core/base/private_file.h"

using namespace iotctl;

namespace {

mode_t mode_of(const std::string& path) {
    struct stat st {};
    REQUIRE(::stat(path.c_str(), &st) == 0);
    return st.st_mode & 07777;
}

// Sets the process umask for the scope of one test.
struct Umask {
    mode_t old;
    explicit Umask(mode_t m) : old(::umask(m)) {}
    ~Umask() { ::umask(old); }
};

std::string fresh_dir() {
    auto dir = std::filesystem::temp_directory_path() /
               ("iotctl-unit-private-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    return dir.string();
}

}  // namespace

TEST_CASE("new files are 0600 and new directories 0700 under umask 022, stricter umasks win") {
    auto dir = fresh_dir();
    for (auto [mask, file_mode, dir_mode] : {std::tuple<mode_t, mode_t, mode_t>{022, 0600, 0700},
                                             {077, 0600, 0700},
                                             {0277, 0400, 0500}}) {
        Umask umask(mask);
        auto tag = std::to_string(mask);
        int fd = base::open_private_file(dir + "/f" + tag, O_WRONLY | O_CLOEXEC);
        REQUIRE(fd >= 0);
        ::close(fd);
        CHECK(mode_of(dir + "/f" + tag) == file_mode);
        CHECK_FALSE(base::create_private_file(dir + "/sqlite" + tag));
        CHECK(mode_of(dir + "/sqlite" + tag) == file_mode);
        CHECK(std::filesystem::file_size(dir + "/sqlite" + tag) == 0);
        CHECK_FALSE(base::create_private_dirs(dir + "/d" + tag + "/a/b/"));
        CHECK(mode_of(dir + "/d" + tag) == dir_mode);
        CHECK(mode_of(dir + "/d" + tag + "/a/b") == dir_mode);
    }
}

TEST_CASE("existing files and directories keep their mode") {
    auto dir = fresh_dir();
    Umask umask(022);
    const std::string file = dir + "/shared.log";
    int fd = ::open(file.c_str(), O_WRONLY | O_CREAT, 0644);
    REQUIRE(fd >= 0);
    REQUIRE(::write(fd, "x", 1) == 1);
    ::close(fd);
    fd = base::open_private_file(file, O_WRONLY | O_APPEND | O_CLOEXEC);
    REQUIRE(fd >= 0);
    ::close(fd);
    CHECK(mode_of(file) == 0644);
    CHECK_FALSE(base::create_private_file(file));
    CHECK(mode_of(file) == 0644);
    CHECK(std::filesystem::file_size(file) == 1);
    REQUIRE(::mkdir((dir + "/open").c_str(), 0755) == 0);
    CHECK_FALSE(base::create_private_dirs(dir + "/open/inner"));
    CHECK(mode_of(dir + "/open") == 0755);
    CHECK(mode_of(dir + "/open/inner") == 0700);
    CHECK(base::create_private_dirs(file + "/below") == std::errc::not_a_directory);
}
