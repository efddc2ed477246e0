#include "cmd/ingest.h"

#include "core/error.h"

namespace iotctl::cli {

RunFn setup_ingest(CLI::App& app) {
    return []() -> int { throw Failure(runtime_error("'ingest' is not built yet")); };
}

}  // namespace iotctl::cli
