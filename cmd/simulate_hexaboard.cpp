#include "cmd/simulate_hexaboard.h"

#include "core/error.h"

namespace iotctl::cli {

RunFn setup_simulate_hexaboard(CLI::App& app) {
    return []() -> int { throw Failure(runtime_error("'simulate-hexaboard' is not built yet")); };
}

}  // namespace iotctl::cli
