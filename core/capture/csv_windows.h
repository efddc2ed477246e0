// `csv-export --every`: messages to one CSV row per window and group (topic, and the key of a
// --fields `x.*` field), with the --agg aggregates of every payload column.
#pragma once

#include <string>
#include <vector>

#include "core/base/json_fields.h"
#include "core/base/json_leaves.h"
#include "core/base/message.h"
#include "core/capture/csv_table.h"
#include "core/capture/window_agg.h"

namespace iotctl::capture {

/// The window rows of one export: values go in with add(), rows come out with flush().
class WindowedCsv {
  public:
    /// --fields columns (empty: every JSON leaf seen), windows of `every_ns`, these aggregates;
    /// windows are aligned in the zone of a `local` or pattern time format, else in UTC.
    WindowedCsv(std::vector<base::FieldPath> fields, CsvStyle style, bool with_topic,
                int64_t every_ns, std::vector<Agg> aggs);

    /// Adds the message's values to the window of its time.
    void add(const base::Message& m);
    /// Appends the header; the columns are fixed from then on (later ones are dropped).
    void header(std::string& out);
    /// Appends the rows of the windows that ended by `now_ns` (all with INT64_MAX); their count.
    size_t flush(int64_t now_ns, std::string& out);
    /// True when some window still waits to be flushed.
    bool pending() const { return agg_.pending(); }
    /// True when a window with values ended at or before `now_ns`.
    bool closed_by(int64_t now_ns) const { return agg_.closed_by(now_ns); }
    /// How many values went to columns first seen after the header, and the first such column.
    uint64_t dropped() const { return agg_.dropped(); }
    const std::string& first_dropped() const { return agg_.first_dropped(); }

  private:
    void add_cell(const base::Message& m, const std::string& column, std::string_view text);

    std::vector<base::FieldPath> fields_;
    std::vector<size_t> key_fields_;  // --fields ending in `*`: group cells, not aggregated
    CsvStyle style_;
    bool with_topic_;
    WindowAggregator agg_;
    std::vector<base::JsonLeaf> leaves_;
    std::vector<std::string> group_;
};

}  // namespace iotctl::capture
