// Files and directories that hold message data (payloads can say where people are): created
// readable by their owner only. The umask can only take more away; existing ones keep their mode.
#pragma once

#include <sys/types.h>

#include <string>
#include <string_view>
#include <system_error>

#include "core/base/error.h"

namespace iotctl::base {

/// The mode of a new data file: read and write for the owner (then `& ~umask`).
inline constexpr mode_t k_private_file_mode = 0600;

/// The mode of a new data directory: the owner only (then `& ~umask`).
inline constexpr mode_t k_private_dir_mode = 0700;

/// open(2) with `flags | O_CREAT`: a new file gets k_private_file_mode, an existing one keeps
/// its mode. Returns the descriptor, or -1 with errno set.
int open_private_file(const std::string& path, int flags);

/// Opens `path` to append to it (a new file is private); the error names the file as `what`
/// ("log file", "dead-letter file") and says why.
Result<int> open_private_append(const std::string& path, std::string_view what);

/// Creates `path` as an empty private file unless it exists, for a library that opens the file
/// itself (SQLite, whose -wal and -shm files then copy its mode); an existing file is untouched.
std::error_code create_private_file(const std::string& path);

/// Creates the directory and each missing parent with k_private_dir_mode; existing ones are
/// left as they are.
std::error_code create_private_dirs(const std::string& path);

}  // namespace iotctl::base
