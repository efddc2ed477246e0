#include "cmd/csv_export.h"

#include "core/error.h"

namespace iotctl::cli {

RunFn setup_csv_export(CLI::App& app) {
    return []() -> int { throw Failure(runtime_error("'csv-export' is not built yet")); };
}

}  // namespace iotctl::cli
