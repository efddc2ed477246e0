// `ingest --metrics-file PATH`: the exposition text for node_exporter's textfile collector,
// replaced whole (a temporary file beside it, then rename) so a reader never sees half of it.
#pragma once

#include <string>

#include <sys/types.h>

#include "core/base/error.h"

namespace iotctl::ingest {

/// Writes `text` to `path.tmp` and renames it over `path`; on failure `path` is unchanged.
/// `mode`: the textfile is 0644 (node_exporter reads it as another user, and it holds only
/// counts); what lies in the state directory is private (0600).
base::Status replace_file(const std::string& path, const std::string& text, mode_t mode = 0644);

}  // namespace iotctl::ingest
