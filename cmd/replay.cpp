#include "cmd/replay.h"

#include "core/error.h"

namespace iotctl::cli {

RunFn setup_replay(CLI::App& app) {
    return []() -> int { throw Failure(runtime_error("'replay' is not built yet")); };
}

}  // namespace iotctl::cli
