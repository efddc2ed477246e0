#include "core/capture/csv_export.h"

#include <limits>

#include "core/capture/csv_windows.h"
#include "core/capture/scratch_file.h"

namespace iotctl::capture {

namespace {

constexpr size_t k_chunk = 256 << 10;

// Renders the rows of up to `limit` selected messages of `source` into `buf`, handing full
// chunks to `out`; counts into `stats`.
base::Status render_rows(SelectedSource& source, CsvTable& table, uint64_t limit, std::string& buf,
                         const CsvSink& out, CsvExportStats& stats) {
    base::Message m;
    for (uint64_t n = 0; n < limit; ++n) {
        auto more = source.next(m);
        if (!more) return more.error();
        if (!*more) break;
        ++stats.messages;
        stats.rows += table.rows(m, buf);
        if (buf.size() >= k_chunk) {
            out(buf);
            buf.clear();
        }
    }
    return {};
}

base::Result<CsvExportStats> export_fields(const std::string& path, const CsvExportOptions& opts,
                                           const CsvSink& out) {
    CsvTable table(opts.fields, opts.style, opts.with_topic);
    auto source = open_selected(path, opts.selection);
    if (!source) return source.error();
    CsvExportStats stats;
    std::string buf;
    table.header(buf);
    auto done = render_rows(**source, table, std::numeric_limits<uint64_t>::max(), buf, out, stats);
    if (!done) {
        if (stats.messages > 0) out(buf);
        return done.error();
    }
    if (stats.messages == 0) return (*source)->nothing_selected(path);
    out(buf);
    stats.undecoded = table.undecoded();
    stats.first_undecoded = table.first_undecoded();
    return stats;
}

// Default columns in one pass: rows go to a spool with the columns known so far. Only the rows
// made before the last new column appeared lack cells; those messages (usually a handful) are
// read and rendered again, then the rest of the spool follows as it is.
base::Result<CsvExportStats> export_discovered(const std::string& path,
                                               const CsvExportOptions& opts, const CsvSink& out) {
    CsvTable table(std::vector<std::string>{}, opts.style, opts.with_topic);
    table.set_discovering(true);
    auto spool = RowSpool::create();
    if (!spool) return spool.error();
    auto source = open_selected(path, opts.selection);
    if (!source) return source.error();
    CsvExportStats stats;
    uint64_t short_rows = 0, short_bytes = 0;  // messages and spool bytes before the last growth
    std::string buf;
    base::Message m;
    while (true) {
        auto more = (*source)->next(m);
        if (!more) return more.error();
        if (!*more) break;
        const uint64_t row_start = spool->size() + buf.size();
        const size_t columns = table.column_count();
        ++stats.messages;
        stats.rows += table.rows(m, buf);
        if (table.column_count() != columns) {
            short_rows = stats.messages - 1;
            short_bytes = row_start;
        }
        if (buf.size() >= k_chunk) {
            if (auto s = spool->append(buf); !s) return s.error();
            buf.clear();
            // A huge row's buffer is not kept for the small ones ("Memory for big payloads" in
            // docs/capture.md).
            if (buf.capacity() > 4 * k_chunk) std::string().swap(buf);
        }
    }
    m = base::Message();  // the last message is not needed any more
    if (stats.messages == 0) return (*source)->nothing_selected(path);
    stats.undecoded = table.undecoded();  // before the few rows rendered again below
    stats.first_undecoded = table.first_undecoded();
    if (auto s = spool->append(buf); !s) return s.error();
    buf.clear();
    table.set_discovering(false);
    table.header(buf);
    if (short_rows > 0) {
        auto again = open_selected(path, opts.selection);
        if (!again) return again.error();
        CsvExportStats rerendered;
        if (auto s = render_rows(**again, table, short_rows, buf, out, rerendered); !s)
            return s.error();
    }
    out(buf);
    if (auto s = spool->read_from(short_bytes, out); !s) return s.error();
    return stats;
}

// --every: the window rows wait in memory (one cell per window, group and column, not per
// message) until the capture is read, then go out in window order.
base::Result<CsvExportStats> export_windows(const std::string& path, const CsvExportOptions& opts,
                                            const CsvSink& out) {
    WindowedCsv table(opts.fields, opts.style, opts.with_topic, opts.every_ns, opts.aggs);
    auto scan = scan_capture(path, opts.selection, [&](const base::Message& m) { table.add(m); });
    if (!scan) return scan.error();
    CsvExportStats stats;
    stats.messages = scan->selected;
    std::string buf;
    table.header(buf);
    stats.rows = table.flush(std::numeric_limits<int64_t>::max(), buf);
    out(buf);
    return stats;
}

}  // namespace

base::Result<CsvExportStats> export_capture_csv(const std::string& path,
                                                const CsvExportOptions& opts, const CsvSink& out) {
    if (opts.every_ns > 0) return export_windows(path, opts, out);
    if (!opts.fields.empty()) return export_fields(path, opts, out);
    return export_discovered(path, opts, out);
}

}  // namespace iotctl::capture
