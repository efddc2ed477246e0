// Per-sink checkpoints: the spool position up to which a sink has everything, in a small file
// replaced atomically (write a temporary file, then rename over the old one).
#pragma once

#include <cstdint>
#include <string>

#include "core/base/error.h"

namespace iotctl::ingest {

/// The checkpoint file of sink `sink` in state directory `dir`.
std::string checkpoint_path(const std::string& dir, const std::string& sink);

/// Reads a checkpoint; 0 when the file does not exist, an error when it is unreadable.
base::Result<uint64_t> read_checkpoint(const std::string& path);

/// Writes a checkpoint atomically (rename), so a crash leaves the old or the new value.
base::Status write_checkpoint(const std::string& path, uint64_t position);

/// The highest checkpoint of any sink in `dir` (where an empty spool must start), or 0.
uint64_t highest_checkpoint(const std::string& dir);

}  // namespace iotctl::ingest
