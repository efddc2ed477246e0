// `ingest --metrics-file PATH`: the exposition text for node_exporter's textfile collector,
// replaced whole (a temporary file beside it, then rename) so a reader never sees half of it.
#pragma once

#include <string>

#include "core/base/error.h"

namespace iotctl::ingest {

/// Writes `text` to `path.tmp` and renames it over `path`; on failure `path` is unchanged.
base::Status replace_file(const std::string& path, const std::string& text);

}  // namespace iotctl::ingest
