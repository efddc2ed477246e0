#include "core/sql_sinks.h"

namespace iotctl {

Result<std::unique_ptr<Sink>> make_mysql_sink(const std::string& url) {
    return runtime_error("the MySQL sink is not built yet");
}

Result<std::unique_ptr<Sink>> make_sqlite_sink(const std::string& path) {
    return runtime_error("the SQLite sink is not built yet");
}

}  // namespace iotctl
