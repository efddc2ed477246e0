// The rows `csv-export` makes from messages: `timestamp`, `topic`, then payload columns, either
// named by --fields or discovered (the union of the JSON leaf keys seen).
#pragma once

#include <map>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/base/csv_format.h"
#include "core/base/error.h"
#include "core/base/json_fields.h"
#include "core/base/json_leaves.h"
#include "core/base/message.h"
#include "core/base/time_zone.h"

namespace iotctl::capture {

/// How the timestamp column is written.
struct TimeFormat {
    /// iso: UTC ISO-8601; unix_s/unix_ms: Unix time; local: ISO-8601 in `zone` with its offset;
    /// pattern: a strftime pattern in `zone`.
    enum Kind { iso, unix_s, unix_ms, local, pattern };
    Kind kind = iso;
    std::string strftime;  // with `pattern`: e.g. `%Y-%m-%d %H:%M:%S` (`%f`: microseconds)
    base::TimeZone zone;   // with `local` and `pattern`: TZ when set, else the machine's zone
    /// A format of this kind (a pattern and zone to be filled in for `pattern`/`local`).
    TimeFormat(Kind k = iso) : kind(k) {}
};

/// Parses `iso`, `unix`, `unix-ms`, `local` or a strftime pattern (any text with `%`); usage
/// error otherwise (or when TZ names no known zone).
base::Result<TimeFormat> parse_time_format(const std::string& text);

/// The timestamp cell: `2026-11-20T10:00:00.123456Z`, `1795168800`, `1795168800123`,
/// `2026-11-20T19:00:00.123456+09:00` or the pattern's text.
std::string format_time(int64_t ts_ns, const TimeFormat& format);

/// The shape of the CSV besides its columns: time format, header labels and line ends.
struct CsvStyle {
    TimeFormat time;
    std::map<std::string, std::string> labels;       // column name -> header text (--header)
    std::string eol = std::string(base::k_csv_eol);  // RFC 4180 CRLF, or "\n" (--lf)
    /// A style with this time format and the defaults otherwise.
    CsvStyle(TimeFormat t = {}) : time(std::move(t)) {}
    /// A style with a time format of this kind.
    CsvStyle(TimeFormat::Kind k) : time(k) {}
};

/// Reads one `--header NAME=LABEL` into `style.labels`; usage error without `=` or a name.
base::Status add_header_label(const std::string& spec, CsvStyle& style);

/// Appends the header line for these column names to `out`: each as `style`'s label for it, if
/// any, CSV-quoted, then the style's line end.
void append_header_line(const CsvStyle& style, const std::vector<std::string>& names,
                        std::string& out);

/// The column that holds a payload that is not a JSON object (default columns only).
inline constexpr const char* k_payload_column = "payload";

/// The cell text of a payload that is not a JSON object: the text, or `base64:...` when the
/// bytes are not UTF-8.
std::string raw_payload_cell(const std::string& payload);

/// Renders the header and the rows for one export.
class CsvTable {
  public:
    /// A table with the --fields columns.
    CsvTable(std::vector<base::FieldPath> fields, CsvStyle style, bool with_topic);
    /// A table with these column keys (leaf paths); with set_discovering() more are added.
    CsvTable(const std::vector<std::string>& columns, CsvStyle style, bool with_topic);

    /// With `on`, rows() adds each leaf path (or `payload`) not yet a column as a new last column,
    /// so one pass learns the columns and writes rows (earlier rows lack the later columns).
    void set_discovering(bool on) { discovering_ = on; }
    /// The number of payload columns so far.
    size_t column_count() const { return columns_.size(); }

    /// Appends the header record.
    void header(std::string& out) const;
    /// Appends the message's records (none with --fields when it has none of them); their count.
    size_t rows(const base::Message& m, std::string& out);

    /// How many payloads were not decoded as JSON because of a limit (core/base/payload.h).
    uint64_t undecoded() const { return undecoded_; }
    /// The first of them: `topic <topic>: <which limit>`.
    const std::string& first_undecoded() const { return first_undecoded_; }

  private:
    void start_row(const base::Message& m, std::string& out);
    // Points cells_ at the payload's leaves that are columns; false when it is not an object.
    bool leaf_cells(const base::Message& m);
    void append_cells(const base::Message& m, std::string& out);
    void note_undecoded(const base::Message& m, std::string reason);

    std::vector<base::FieldPath> fields_;
    std::vector<std::string> columns_;
    std::unordered_map<std::string, size_t> index_;
    CsvStyle style_;
    bool with_topic_;
    bool has_wildcard_ = false;
    bool discovering_ = false;
    std::vector<base::JsonLeaf> leaves_;
    std::vector<const std::string*> cells_;
    int64_t cached_second_ = -1;
    std::string cached_time_;
    uint64_t undecoded_ = 0;
    std::string first_undecoded_;
};

}  // namespace iotctl::capture
