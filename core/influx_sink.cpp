#include "core/influx_sink.h"

namespace iotctl {

Result<std::unique_ptr<Sink>> make_influx_sink(const InfluxSinkOptions& options) {
    return runtime_error("the InfluxDB sink is not built yet");
}

}  // namespace iotctl
