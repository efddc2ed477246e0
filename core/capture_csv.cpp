#include "core/capture_csv.h"

#include <optional>

namespace iotctl {

namespace {
constexpr size_t k_chunk = 64 << 10;
}  // namespace

Result<CsvExportStats> export_capture_csv(const std::string& path, const CsvExportOptions& opts,
                                          const CsvSink& out) {
    std::optional<CsvTable> table;
    if (opts.fields.empty()) {
        // First pass: the header needs every column before the first row.
        ColumnDiscovery discovery;
        auto scan = scan_capture(path, opts.selection, [&](const Message& m) { discovery.add(m); });
        if (!scan) return scan.error();
        table.emplace(discovery.columns(), opts.time_format, opts.with_topic);
    } else {
        table.emplace(opts.fields, opts.time_format, opts.with_topic);
    }
    auto source = open_selected(path, opts.selection);
    if (!source) return source.error();
    CsvExportStats stats;
    std::string buf;
    table->header(buf);
    Message m;
    while (true) {
        auto more = (*source)->next(m);
        if (!more) {
            if (!buf.empty() && stats.messages > 0) out(buf);
            return more.error();
        }
        if (!*more) break;
        ++stats.messages;
        stats.rows += table->rows(m, buf);
        if (buf.size() >= k_chunk) {
            out(buf);
            buf.clear();
        }
    }
    if (stats.messages == 0) return (*source)->nothing_selected(path);
    if (!buf.empty()) out(buf);
    return stats;
}

}  // namespace iotctl
