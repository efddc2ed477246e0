#include "core/capture/reader.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cctype>
#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "core/base/timestamps.h"
#include "core/base/topic.h"
#include "core/capture/schema.h"
#include "core/capture/sources.h"

namespace iotctl::capture {

base::Result<CaptureKind> detect_capture_kind(const std::string& path) {
    auto cannot_open = [&] {
        return base::runtime_error(
            fmt::format("cannot open capture '{}': {}", path, std::strerror(errno)));
    };
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return cannot_open();
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
        auto error = cannot_open();
        ::close(fd);
        return error;
    }
    if (S_ISDIR(st.st_mode)) {
        ::close(fd);
        return base::runtime_error(fmt::format("'{}' is a directory, not a capture file", path));
    }
    char head[4096];
    ssize_t n;
    do n = ::read(fd, head, sizeof head);
    while (n < 0 && errno == EINTR);
    if (n < 0) {
        auto error = base::runtime_error(
            fmt::format("reading capture '{}' failed: {}", path, std::strerror(errno)));
        ::close(fd);
        return error;
    }
    ::close(fd);
    std::string_view bytes(head, static_cast<size_t>(n));
    if (bytes.size() >= k_sqlite_magic.size() &&
        bytes.substr(0, k_sqlite_magic.size()) == k_sqlite_magic)
        return CaptureKind::sqlite;
    size_t i = 0;
    if (bytes.substr(0, 3) == "\xEF\xBB\xBF") i = 3;  // a UTF-8 byte order mark
    while (i < bytes.size() && std::isspace(static_cast<unsigned char>(bytes[i]))) ++i;
    if (i == bytes.size() || bytes[i] == '{') return CaptureKind::json_lines;
    return base::runtime_error(fmt::format(
        "'{}' is neither a SQLite capture (sub --record) nor JSON lines (sub --json)", path));
}

base::Result<OpenedCapture> open_capture(const std::string& path) {
    auto kind = detect_capture_kind(path);
    if (!kind) return kind.error();
    OpenedCapture out;
    out.kind = *kind;
    if (*kind == CaptureKind::sqlite) {
        auto src = open_sqlite_capture(path, out.protocol_version);
        if (!src) return src.error();
        out.source = std::move(*src);
    } else {
        auto src = open_json_lines_capture(path);
        if (!src) return src.error();
        out.source = std::move(*src);
    }
    return out;
}

bool CaptureSelection::selects(const base::Message& m) const {
    return window.contains(m.ts_ns) &&
           (topics.empty() || base::any_filter_matches(topics, m.topic)) && where.matches(m);
}

SelectedSource::SelectedSource(std::unique_ptr<MessageSource> inner, CaptureSelection selection)
    : inner_(std::move(inner)), selection_(std::move(selection)) {}

base::Result<bool> SelectedSource::next(base::Message& out) {
    while (true) {
        auto more = inner_->next(out);
        if (!more || !*more) return more;
        if (read_++ == 0) first_ns_ = out.ts_ns;
        last_ns_ = out.ts_ns;
        if (selection_.selects(out)) {
            ++selected_;
            return true;
        }
    }
}

base::Error SelectedSource::nothing_selected(const std::string& path) const {
    if (read_ == 0) return base::runtime_error(fmt::format("capture '{}' holds no messages", path));
    std::string what = selection_.window.unbounded() ? "" : " " + selection_.window.describe();
    if (!selection_.topics.empty()) what += " on the topics asked for";
    if (!selection_.where.empty()) what += " matching --where";
    return base::runtime_error(
        fmt::format("no messages in '{}'{}: it holds {} messages from {} to {}", path, what, read_,
                    base::iso8601_utc(first_ns_, 0), base::iso8601_utc(last_ns_, 0)));
}

base::Result<std::unique_ptr<SelectedSource>> open_selected(const std::string& path,
                                                            const CaptureSelection& selection,
                                                            std::string* protocol_version) {
    auto opened = open_capture(path);
    if (!opened) return opened.error();
    if (protocol_version) *protocol_version = opened->protocol_version;
    return std::make_unique<SelectedSource>(std::move(opened->source), selection);
}

base::Result<CaptureScan> scan_capture(const std::string& path, const CaptureSelection& selection,
                                       const std::function<void(const base::Message&)>& each) {
    // Every message of a SQLite capture, and nothing to do with each: SQLite counts them.
    if (!each && selection.selects_all()) {
        auto kind = detect_capture_kind(path);
        if (kind && *kind == CaptureKind::sqlite) return scan_sqlite_capture(path);
    }
    auto source = open_selected(path, selection);
    if (!source) return source.error();
    CaptureScan scan;
    base::Message m;
    while (true) {
        auto more = (*source)->next(m);
        if (!more) return more.error();
        if (!*more) break;
        if (scan.selected++ == 0) scan.first_ns = m.ts_ns;
        scan.last_ns = m.ts_ns;
        if (each) each(m);
    }
    if (scan.selected == 0) return (*source)->nothing_selected(path);
    return scan;
}

}  // namespace iotctl::capture
