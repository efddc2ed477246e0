#include "core/sinks/sql_open.h"

#include "core/sinks/mysql_driver.h"
#include "core/sinks/sql_sink.h"
#include "core/sinks/sqlite_driver.h"

namespace iotctl::sinks {

base::Result<std::unique_ptr<Sink>> make_mysql_sink(const std::string& url) {
    auto target = parse_mysql_url(url);
    if (!target) return target.error();
    return make_sql_sink("mysql", make_mysql_driver(std::move(*target)));
}

base::Result<std::unique_ptr<Sink>> make_sqlite_sink(const std::string& path) {
    if (path.empty()) return base::usage_error("--sqlite: the file name is empty");
    return make_sql_sink("sqlite", make_sqlite_driver(path));
}

}  // namespace iotctl::sinks
