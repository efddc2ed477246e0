#include "core/capture/csv_table.h"

#include <fmt/format.h>

#include "core/base/csv_format.h"
#include "core/base/payload.h"
#include "core/base/timestamps.h"

namespace iotctl::capture {

namespace {

// The column key of a payload that is not a JSON object (no JSON leaf path contains a NUL).
const std::string k_raw_key("\0raw", 4);

// A payload key called like one of our own columns is shown as `payload.<key>`.
std::string header_name(const std::string& path) {
    if (path == k_raw_key) return k_payload_column;
    if (path == "timestamp" || path == "topic" || path == k_payload_column)
        return "payload." + path;
    return path;
}

}  // namespace

base::Result<TimeFormat> parse_time_format(const std::string& text) {
    if (text == "iso") return TimeFormat(TimeFormat::iso);
    if (text == "unix") return TimeFormat(TimeFormat::unix_s);
    if (text == "unix-ms") return TimeFormat(TimeFormat::unix_ms);
    if (text != "local" && text.find('%') == std::string::npos)
        return base::usage_error(fmt::format(
            "invalid --time-format '{}': expected iso, unix, unix-ms, local or a strftime "
            "pattern such as '%Y-%m-%d %H:%M:%S'",
            text));
    auto zone = base::TimeZone::local_zone();
    if (!zone) return base::usage_error("--time-format " + text + ": " + zone.error().message);
    TimeFormat format(text == "local" ? TimeFormat::local : TimeFormat::pattern);
    if (format.kind == TimeFormat::pattern) format.strftime = text;
    format.zone = *zone;
    return format;
}

std::string format_time(int64_t ts_ns, const TimeFormat& format) {
    auto floor_div = [](int64_t a, int64_t b) { return a / b - (a % b < 0 ? 1 : 0); };
    switch (format.kind) {
        case TimeFormat::unix_s:
            return std::to_string(floor_div(ts_ns, 1'000'000'000));
        case TimeFormat::unix_ms:
            return std::to_string(floor_div(ts_ns, 1'000'000));
        case TimeFormat::pattern:
            return base::format_time_in_zone(ts_ns, format.strftime, format.zone);
        case TimeFormat::local: {
            std::string text =
                base::format_time_in_zone(ts_ns, "%Y-%m-%dT%H:%M:%S.%f%z", format.zone);
            text.insert(text.size() - 2, ":");  // +0900 -> +09:00, as ISO-8601 writes it
            return text;
        }
        case TimeFormat::iso:
            break;
    }
    return base::iso8601_utc(ts_ns, 6);
}

base::Status add_header_label(const std::string& spec, CsvStyle& style) {
    const size_t eq = spec.find('=');
    if (eq == std::string::npos || eq == 0)
        return base::usage_error(
            fmt::format("invalid --header '{}': expected NAME=LABEL (e.g. timestamp=time)", spec));
    style.labels[spec.substr(0, eq)] = spec.substr(eq + 1);
    return {};
}

std::string raw_payload_cell(const std::string& payload) {
    return base::is_valid_utf8(payload) ? payload : "base64:" + base::base64_encode(payload);
}

CsvTable::CsvTable(std::vector<base::FieldPath> fields, CsvStyle style, bool with_topic)
    : fields_(std::move(fields)), style_(std::move(style)), with_topic_(with_topic) {
    for (size_t i = 0; i < fields_.size(); ++i) {
        columns_.push_back(header_name(fields_[i].text));
        index_.emplace(fields_[i].text, i);
        if (fields_[i].wildcard >= 0) has_wildcard_ = true;
    }
}

CsvTable::CsvTable(const std::vector<std::string>& columns, CsvStyle style, bool with_topic)
    : style_(std::move(style)), with_topic_(with_topic) {
    for (size_t i = 0; i < columns.size(); ++i) {
        index_.emplace(columns[i], i);
        columns_.push_back(header_name(columns[i]));
    }
}

void append_header_line(const CsvStyle& style, const std::vector<std::string>& names,
                        std::string& out) {
    for (size_t i = 0; i < names.size(); ++i) {
        if (i) out += ',';
        auto it = style.labels.find(names[i]);
        base::append_csv_field(out, it == style.labels.end() ? names[i] : it->second);
    }
    out += style.eol;
}

void CsvTable::header(std::string& out) const {
    std::vector<std::string> names{"timestamp"};
    if (with_topic_) names.push_back("topic");
    names.insert(names.end(), columns_.begin(), columns_.end());
    append_header_line(style_, names, out);
}

void CsvTable::start_row(const base::Message& m, std::string& out) {
    // Rows of the same second share the formatted date and time: format it once.
    const int64_t second = m.ts_ns / 1'000'000'000;
    if (style_.time.kind == TimeFormat::iso && m.ts_ns >= 0) {
        if (second != cached_second_) {
            cached_second_ = second;
            cached_time_ = base::iso8601_utc(second * 1'000'000'000, 0);
            cached_time_.pop_back();  // the 'Z'
        }
        out += cached_time_;
        // `.123456Z` by hand: fmt's format-string parsing was 4 % of an export's time.
        char frac[9] = {'.', '0', '0', '0', '0', '0', '0', 'Z', 0};
        for (int64_t us = m.ts_ns % 1'000'000'000 / 1000, i = 6; i >= 1; --i, us /= 10)
            frac[i] = static_cast<char>('0' + us % 10);
        out.append(frac, 8);
    } else {
        out += format_time(m.ts_ns, style_.time);
    }
    if (with_topic_) {
        out += ',';
        base::append_csv_field(out, m.topic);
    }
}

void CsvTable::note_undecoded(const base::Message& m, std::string reason) {
    if (reason.empty()) return;
    if (undecoded_++ == 0) first_undecoded_ = "topic " + m.topic + ": " + reason;
}

bool CsvTable::leaf_cells(const base::Message& m) {
    std::string limit;
    const bool object = base::json_object_leaves(m.payload, leaves_, &limit);
    note_undecoded(m, std::move(limit));
    cells_.assign(columns_.size(), nullptr);
    auto cell = [&](const std::string& key) -> const std::string** {
        if (!discovering_) {
            auto it = index_.find(key);
            return it == index_.end() ? nullptr : &cells_[it->second];
        }
        auto [it, added] = index_.try_emplace(key, columns_.size());
        if (added) {
            columns_.push_back(header_name(key));
            cells_.push_back(nullptr);
        }
        return &cells_[it->second];
    };
    if (!object) {
        if (discovering_) cell(k_raw_key);
        return false;
    }
    for (const auto& leaf : leaves_)
        if (auto* c = cell(leaf.path)) *c = &leaf.text;
    return true;
}

void CsvTable::append_cells(const base::Message& m, std::string& out) {
    start_row(m, out);
    for (const auto* cell : cells_) {
        out += ',';
        if (cell) base::append_csv_field(out, *cell);
    }
    out += style_.eol;
}

size_t CsvTable::rows(const base::Message& m, std::string& out) {
    if (fields_.empty()) {
        std::string base64;
        if (!leaf_cells(m)) {
            if (auto it = index_.find(k_raw_key); it != index_.end()) {
                // UTF-8 text is its own cell: no copy of a payload of any size.
                const bool text = base::is_valid_utf8(m.payload);
                if (!text) base64 = raw_payload_cell(m.payload);
                cells_[it->second] = text ? &m.payload : &base64;
            }
        }
        append_cells(m, out);
        return 1;
    }
    // Fields that are all plain paths to scalars are read from the leaves, without a document.
    if (!has_wildcard_) {
        if (!leaf_cells(m)) return 0;
        bool any = false, needs_document = false;
        for (size_t i = 0; i < cells_.size(); ++i) {
            if (cells_[i]) {
                any = true;
                continue;
            }
            const std::string prefix = fields_[i].text + '.';
            for (const auto& leaf : leaves_)
                if (leaf.path.compare(0, prefix.size(), prefix) == 0) needs_document = true;
        }
        if (!needs_document) {
            if (!any) return 0;
            append_cells(m, out);
            return 1;
        }
    }
    std::string limit;
    if (!base::is_json_payload(m.payload, &limit)) {
        note_undecoded(m, std::move(limit));
        return 0;
    }
    auto rows = base::extract_field_rows(m.payload, fields_);
    for (const auto& row : rows) {
        start_row(m, out);
        for (const auto& cell : row) {
            out += ',';
            if (cell) base::append_csv_field(out, *cell);
        }
        out += style_.eol;
    }
    return rows.size();
}

}  // namespace iotctl::capture
