// The interface every ingest destination implements (InfluxDB, MySQL/MariaDB, SQLite).
#pragma once

#include <string>
#include <vector>

#include "core/base/error.h"
#include "core/base/record.h"

namespace iotctl::sinks {

/// What a batch write came to, so the caller knows whether to retry.
struct WriteOutcome {
    enum Kind {
        ok,
        retry,
        reject
    } kind = ok;                        // retry: transient (server down, timeout, 5xx);
                                        // reject: the data is bad (e.g. 400), never retry
    std::string message;                // one line, no credentials
    std::vector<size_t> rejected;       // with reject: indexes of the bad records (sorted);
                                        // every other record of the batch was written
    std::vector<std::string> warnings;  // for the log whatever the kind, e.g. a SQLite file
                                        // that was deleted and has been created again
    std::vector<std::string> dropped;   // `measurement.field` of values left out of rows that
                                        // were written (they do not fit the column's type)
};

/// A destination for records. Not thread-safe: one sink thread uses one Sink.
class Sink {
  public:
    virtual ~Sink() = default;
    /// A short name for logs and stats, e.g. "influx", "mysql", "sqlite".
    virtual std::string name() const = 0;
    /// Writes a batch atomically where the server allows; idempotent for the same records.
    virtual WriteOutcome write(const std::vector<base::Record>& batch) = 0;
    /// Tries the server once at start: an error when it refuses us for good (bad credentials,
    /// no right to the database); ok when it works or is only unreachable (writes will retry).
    virtual base::Status check_access() { return {}; }
};

}  // namespace iotctl::sinks
