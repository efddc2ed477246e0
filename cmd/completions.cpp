#include "cmd/completions.h"

#include "core/error.h"

namespace iotctl::cli {

RunFn setup_completions(CLI::App& app) {
    return []() -> int { throw Failure(runtime_error("'completions' is not built yet")); };
}

}  // namespace iotctl::cli
