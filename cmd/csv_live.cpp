// `csv-export --live`: the subscription (connect, subscribe, -C/-W/SIGINT) and the three ways its
// messages become CSV: rows as they arrive (--fields), windows on the clock (--every), or a
// temporary capture exported at the end (neither).
#include <unistd.h>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <limits>
#include <mutex>

#include <fmt/format.h>

#include "cmd/csv_export.h"
#include "cmd/live_subscription.h"
#include "core/base/timestamps.h"
#include "core/capture/csv_export.h"
#include "core/capture/csv_windows.h"
#include "core/capture/recorder.h"

namespace iotctl::cli {

namespace {

// A temporary capture for --live without --fields (the header needs every column first).
std::string temp_capture_path() {
    const char* dir = std::getenv("TMPDIR");
    std::string tmpl = std::string(dir && *dir ? dir : "/tmp") + "/iotctl-live-XXXXXX";
    int fd = ::mkstemp(tmpl.data());
    if (fd < 0)
        throw base::Failure(base::runtime_error(
            fmt::format("cannot create a temporary capture: {}", std::strerror(errno))));
    ::close(fd);
    std::filesystem::remove(tmpl);  // CaptureStore creates it afresh
    return tmpl;
}

// Deletes a temporary SQLite capture and its WAL files.
struct TempCapture {
    std::string path;
    ~TempCapture() {
        std::error_code ec;
        for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix, ec);
    }
};

// --live --fields: rows are written as messages arrive.
int stream_live_rows(CsvExportCliOptions& o, const capture::CsvExportOptions& e,
                     capture::OutputWriter& writer) {
    capture::CsvTable table(e.fields, e.style, e.with_topic);
    std::string header;
    table.header(header);
    writer.append(header);
    std::mutex mutex;
    std::string rows;
    int code = run_live_subscription(o, [&](base::Message&& m) {
        if (!e.selection.selects(m)) return false;  // --where: not counted for -C either
        std::lock_guard lock(mutex);
        rows.clear();
        if (table.rows(m, rows)) writer.append(rows);
        return true;
    });
    std::lock_guard lock(mutex);
    warn_undecoded(table.undecoded(), table.first_undecoded());
    return code;
}

// --live --every: a window's rows are written once it has ended on the clock (checked every
// 50 ms, 100 ms after the end), the open windows when the subscription ends (-C, -W,
// SIGINT/SIGTERM). Without --fields the header is written with the first rows, so a column first
// seen after it is left out (with a warning).
constexpr int64_t k_live_window_grace_ns = 100'000'000;

int stream_live_windows(CsvExportCliOptions& o, const capture::CsvExportOptions& e,
                        capture::OutputWriter& writer) {
    capture::WindowedCsv table(e.fields, e.style, e.with_topic, e.every_ns, e.aggs);
    std::mutex mutex;
    bool header_written = false;
    std::string buf;
    auto write = [&](int64_t now_ns) {  // with `mutex` held
        buf.clear();
        if (!header_written) {
            if (!table.closed_by(now_ns)) return;
            table.header(buf);
            header_written = true;
        }
        table.flush(now_ns, buf);
        if (!buf.empty()) writer.append(buf);
    };
    if (!e.fields.empty()) {
        std::lock_guard lock(mutex);
        table.header(buf);
        writer.append(buf);
        header_written = true;
    }
    int code = run_live_subscription(
        o,
        [&](base::Message&& m) {
            if (!e.selection.selects(m)) return false;
            std::lock_guard lock(mutex);
            table.add(m);
            return true;
        },
        [&] {
            // A window is written 100 ms after its end, so a message stamped just before the
            // end but handed over a moment later still counts in it (not in a second row).
            std::lock_guard lock(mutex);
            write(base::now_ns() - k_live_window_grace_ns);
        });
    std::lock_guard lock(mutex);
    if (!header_written) {
        buf.clear();
        table.header(buf);
        writer.append(buf);
        header_written = true;
    }
    write(std::numeric_limits<int64_t>::max());
    if (table.dropped() > 0)
        std::cerr << fmt::format(
            "iotctl: warning: {} value{} of columns first seen after the header was written "
            "left out (first: {}); name the columns with --fields\n",
            table.dropped(), table.dropped() == 1 ? " was" : "s were", table.first_dropped());
    return code;
}

// --live without --fields: record first (the header needs every column), then export.
int record_then_export(CsvExportCliOptions& o, const capture::CsvExportOptions& e,
                       capture::OutputWriter& writer) {
    TempCapture temp{temp_capture_path()};
    int code;
    {
        capture::CaptureRecorder recorder(
            capture::CaptureStore::open(temp.path, broker::is_mqtt5(o.conn) ? "mqttv5" : "mqttv311")
                .take());
        code = run_live_subscription(o, [&](base::Message&& m) {
            if (!e.selection.selects(m)) return false;
            recorder.append(std::move(m));
            return true;
        });
        recorder.close().check();
        if (recorder.written() == 0) {  // nothing arrived: just the header
            std::string header;
            capture::CsvTable(std::vector<std::string>{}, e.style, e.with_topic).header(header);
            writer.append(header);
            return code;
        }
    }
    auto stats = capture::export_capture_csv(temp.path, e, [&](std::string_view chunk) {
                     writer.append(chunk);
                 }).take();
    warn_undecoded(stats.undecoded, stats.first_undecoded);
    return code;
}

}  // namespace

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

int run_csv_live(CsvExportCliOptions& o, const capture::CsvExportOptions& e,
                 capture::OutputWriter& writer) {
    if (e.every_ns > 0) return stream_live_windows(o, e, writer);
    if (!e.fields.empty()) return stream_live_rows(o, e, writer);
    return record_then_export(o, e, writer);
}

}  // namespace iotctl::cli
