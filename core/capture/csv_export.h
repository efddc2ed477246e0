// csv-export's work on a capture file: one pass (default columns: rows spooled to a temporary
// file until every column is known), in memory that does not grow with the number of messages.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/capture/csv_table.h"
#include "core/capture/reader.h"
#include "core/capture/window_agg.h"

namespace iotctl::capture {

/// What to export and how.
struct CsvExportOptions {
    CaptureSelection selection;
    std::vector<base::FieldPath> fields;  // empty: the union of the JSON leaf keys
    CsvStyle style;                       // time format, header labels, line ends
    bool with_topic = true;
    int64_t every_ns = 0;  // --every: one row per window and group (0: a row per message)
    std::vector<Agg> aggs = k_all_aggs;  // --agg, with --every
};

/// What an export wrote.
struct CsvExportStats {
    uint64_t messages = 0, rows = 0;
    uint64_t undecoded = 0;       // payloads not decoded as JSON because of a limit
    std::string first_undecoded;  // `topic <topic>: <which limit>` of the first of them
};

/// Receives the CSV text in chunks of about 64 KiB.
using CsvSink = std::function<void(std::string_view)>;

/// Exports the selected messages of the capture at `path` to `out`. Errors: a bad record, or
/// nothing selected (then nothing at all has been written).
base::Result<CsvExportStats> export_capture_csv(const std::string& path,
                                                const CsvExportOptions& opts, const CsvSink& out);

}  // namespace iotctl::capture
