// The two capture readers behind open_capture(): SQLite rows and `sub --json` lines.
#pragma once

#include <memory>
#include <string>

#include "core/capture/reader.h"

namespace iotctl::capture {

/// Reads a SQLite capture's messages in id order; sets `protocol_version` from its meta table.
base::Result<std::unique_ptr<MessageSource>> open_sqlite_capture(const std::string& path,
                                                                 std::string& protocol_version);

/// What reading every message of a SQLite capture would find (count, first and last time, a bad
/// properties record), without reading the messages: for a scan that selects all of them.
base::Result<CaptureScan> scan_sqlite_capture(const std::string& path);

/// Reads `sub --json` lines (blank lines skipped); a bad line is an error naming its number.
base::Result<std::unique_ptr<MessageSource>> open_json_lines_capture(const std::string& path);

}  // namespace iotctl::capture
