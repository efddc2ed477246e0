// The SQL sink shared by MySQL/MariaDB and SQLite: plans a batch with sql_schema, evolves the
// tables, and inserts it in one transaction through an SqlDriver.
#pragma once

#include <memory>
#include <string>

#include "core/sinks/sink.h"
#include "core/sinks/sql_driver.h"

namespace iotctl::sinks {

/// A Sink writing one table per measurement through `driver`; `name` is "mysql" or "sqlite".
std::unique_ptr<Sink> make_sql_sink(std::string name, std::unique_ptr<SqlDriver> driver);

}  // namespace iotctl::sinks
