// `csv-export --live`: the subscription side (connect, subscribe, -C/-W/SIGINT).
#include "cmd/csv_export.h"
#include "cmd/live_subscription.h"

namespace iotctl::cli {

int run_live_subscription(CsvExportCliOptions& o, const std::function<bool(base::Message&&)>& each,
                          const std::function<void()>& idle) {
    LiveSpec spec{.command = "csv-export",
                  .topics = o.topics,
                  .qos = o.qos,
                  .count = o.count,
                  .timeout = o.timeout};
    LiveEnd end = run_subscription(o.conn, spec, each, [&] {
        if (idle) idle();
        return false;
    });
    if (end.interrupted) return static_cast<int>(base::ExitCode::interrupted);
    // -W alone is how long to listen; with -C it is how long to wait for the count.
    if (end.timed_out && o.count > 0) return static_cast<int>(base::ExitCode::timed_out);
    return 0;
}

}  // namespace iotctl::cli
