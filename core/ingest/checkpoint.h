// Per-sink checkpoints: the spool position up to which a sink has everything, in a small file
// replaced atomically (write a temporary file, fdatasync it, then rename it over the old one).
#pragma once

#include <cstdint>
#include <string>

#include "core/base/error.h"
#include "core/ingest/spool_disk.h"

namespace iotctl::ingest {

/// The checkpoint file of sink `sink` in state directory `dir`.
std::string checkpoint_path(const std::string& dir, const std::string& sink);

/// Reads a checkpoint; 0 when the file does not exist, an error when it is unreadable.
base::Result<uint64_t> read_checkpoint(const std::string& path);

/// Writes a checkpoint atomically: `path.tmp` is written and synced, then renamed over `path`.
/// When any step fails (disk full) the temporary file is removed and the old checkpoint stays.
base::Status write_checkpoint(const std::string& path, uint64_t position,
                              SpoolDisk& disk = posix_disk());

/// The highest checkpoint of any sink in `dir` (where an empty spool must start), or 0;
/// `*.tmp` files (left by a crash mid-write) are not checkpoints and are ignored.
uint64_t highest_checkpoint(const std::string& dir);

/// Deletes the `checkpoint.*.tmp` files a crash mid-write left in `dir`.
void remove_stray_checkpoint_files(const std::string& dir);

}  // namespace iotctl::ingest
