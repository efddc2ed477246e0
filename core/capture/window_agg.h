// `csv-export --every`: clock-aligned time windows and the per-window aggregates (mean, min, max,
// count, last) of each column, kept per group (topic, and a --fields key). Pure code.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/base/error.h"
#include "core/base/time_zone.h"

namespace iotctl::capture {

/// One aggregate of a column over a window.
enum class Agg { mean, min, max, count, last };

/// The default and complete --agg list, in column order.
inline const std::vector<Agg> k_all_aggs{Agg::mean, Agg::min, Agg::max, Agg::count, Agg::last};

/// Parses --every: a whole number > 0 followed by s, m, h or d (`10s`, `1m`, `1h`), into
/// nanoseconds; usage error naming the bad text otherwise.
base::Result<int64_t> parse_every(const std::string& text);

/// Parses --agg: a comma list of mean, min, max, count, last (no repeats), in the order given.
base::Result<std::vector<Agg>> parse_agg_list(const std::string& text);

/// The suffix of an aggregate's column: `mean`, `min`, `max`, `count`, `last`.
const char* agg_name(Agg agg);

/// The start of the window of length `every_ns` that holds `ts_ns`: windows are whole multiples
/// of `every_ns` since 1970-01-01 00:00 on the wall clock of `zone` (so 1h starts at :00 and
/// any length that divides a day starts at midnight).
int64_t window_start(int64_t ts_ns, int64_t every_ns, const base::TimeZone& zone);

/// One finished row: the window start, the group cells, and per column its aggregate cells.
struct WindowRow {
    int64_t start_ns = 0;
    const std::vector<std::string>* group = nullptr;
    std::vector<std::string> cells;  // columns() x aggs, column-major (`a_mean,a_max,b_mean,...`)
};

/// Collects values into (window, group, column) cells and hands out the rows of closed windows.
class WindowAggregator {
  public:
    /// Windows of `every_ns` aligned in `zone`, writing `aggs` for each column.
    WindowAggregator(int64_t every_ns, std::vector<Agg> aggs, base::TimeZone zone);

    /// Adds the given columns in this order before any value (--fields).
    void declare_columns(const std::vector<std::string>& names);
    /// From now on a column not known yet is ignored (and counted): its header is written.
    void freeze_columns() { frozen_ = true; }
    /// Column names in header order (first seen, or as declared).
    const std::vector<std::string>& columns() const { return columns_; }
    /// The header names of the aggregate cells: `temperature_mean`, ...
    std::vector<std::string> cell_names() const;
    /// How many values went to columns first seen after freeze_columns(), and the first name.
    uint64_t dropped() const { return dropped_; }
    const std::string& first_dropped() const { return first_dropped_; }

    /// Adds one cell's text to the window of `ts_ns` for `group`: a number (the strict rule
    /// of base::parse_number_text) counts for mean/min/max/count; any value becomes `last`.
    void add(int64_t ts_ns, const std::vector<std::string>& group, const std::string& column,
             std::string_view text);
    /// Hands `emit` the rows of every window that ends at or before `now_ns` (all of them with
    /// INT64_MAX), in window order then group order, and forgets them.
    void flush(int64_t now_ns, const std::function<void(const WindowRow&)>& emit);
    /// True when some value waits in a window not flushed yet.
    bool pending() const { return !windows_.empty(); }
    /// True when a window with values ended at or before `now_ns`.
    bool closed_by(int64_t now_ns) const {
        return !windows_.empty() && windows_.begin()->first + every_ns_ <= now_ns;
    }

  private:
    struct Cell {
        double sum = 0, min = 0, max = 0;
        uint64_t count = 0;
        std::string last;
    };
    using Group = std::vector<Cell>;  // indexed by column
    size_t column_index(const std::string& name);
    std::string render(const Cell& cell, Agg agg) const;

    int64_t every_ns_;
    std::vector<Agg> aggs_;
    base::TimeZone zone_;
    std::vector<std::string> columns_;
    std::unordered_map<std::string, size_t> index_;
    bool frozen_ = false;
    uint64_t dropped_ = 0;
    std::string first_dropped_;
    std::map<int64_t, std::map<std::vector<std::string>, Group>> windows_;
};

}  // namespace iotctl::capture
