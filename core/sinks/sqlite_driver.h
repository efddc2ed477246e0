// SqlDriver over SQLiteCpp: a local file in WAL mode, synchronous=FULL, 5 s busy timeout. The
// file is checked before each batch and after each commit: deleted or replaced, it is opened
// (created) again and the batch written there.
#pragma once

#include <memory>
#include <string>

#include "core/sinks/sql_driver.h"

namespace iotctl::sinks {

/// A driver writing to the SQLite file at `path` (created on first use).
std::unique_ptr<SqlDriver> make_sqlite_driver(const std::string& path);

}  // namespace iotctl::sinks
