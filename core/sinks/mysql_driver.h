// SqlDriver over MariaDB Connector/C (libmariadb): MySQL and MariaDB servers.
#pragma once

#include <memory>
#include <string>

#include "core/base/error.h"
#include "core/sinks/sql_driver.h"

namespace iotctl::sinks {

/// Where to connect, from `mysql://user[:pass]@host[:port]/db[?socket=PATH]`.
struct MysqlTarget {
    std::string user, password;  // password never logged
    std::string host;
    unsigned port = 3306;
    std::string db;
    std::string socket;     // a Unix socket instead of TCP, from ?socket=
    double timeout_s = 30;  // connect, read and write timeouts
};

/// Parses a mysql:// (or mariadb://) URL; errors never repeat the password.
base::Result<MysqlTarget> parse_mysql_url(const std::string& url);

/// A driver connecting lazily; it creates the database if the account may and it is missing.
std::unique_ptr<SqlDriver> make_mysql_driver(MysqlTarget target);

}  // namespace iotctl::sinks
