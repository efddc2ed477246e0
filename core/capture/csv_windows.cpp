#include "core/capture/csv_windows.h"

#include "core/base/csv_format.h"
#include "core/base/payload.h"

namespace iotctl::capture {

namespace {

// The zone windows are aligned in: the time format's for `local` and patterns, else UTC.
base::TimeZone alignment_zone(const TimeFormat& f) {
    return f.kind == TimeFormat::local || f.kind == TimeFormat::pattern ? f.zone : base::TimeZone();
}

bool is_key_field(const base::FieldPath& f) {
    return f.wildcard >= 0 && f.wildcard + 1 == static_cast<int>(f.parts.size());
}

}  // namespace

WindowedCsv::WindowedCsv(std::vector<base::FieldPath> fields, CsvStyle style, bool with_topic,
                         int64_t every_ns, std::vector<Agg> aggs)
    : fields_(std::move(fields)),
      style_(std::move(style)),
      with_topic_(with_topic),
      agg_(every_ns, std::move(aggs), alignment_zone(style_.time)) {
    std::vector<std::string> columns;
    for (size_t i = 0; i < fields_.size(); ++i) {
        if (is_key_field(fields_[i]))
            key_fields_.push_back(i);
        else
            columns.push_back(fields_[i].text);
    }
    agg_.declare_columns(columns);
    if (!fields_.empty()) agg_.freeze_columns();
}

void WindowedCsv::add_cell(const base::Message& m, const std::string& column,
                           std::string_view text) {
    agg_.add(m.ts_ns, group_, column, text);
}

void WindowedCsv::add(const base::Message& m) {
    group_.clear();
    if (with_topic_) group_.push_back(m.topic);
    if (fields_.empty()) {
        if (base::json_object_leaves(m.payload, leaves_)) {
            for (const auto& leaf : leaves_) add_cell(m, leaf.path, leaf.text);
        } else {
            add_cell(m, k_payload_column, raw_payload_cell(m.payload));
        }
        return;
    }
    if (!base::is_json_payload(m.payload)) return;
    const size_t topic_cells = group_.size();
    for (const auto& row : base::extract_field_rows(m.payload, fields_)) {
        group_.resize(topic_cells);
        for (size_t k : key_fields_) group_.push_back(row[k].value_or(""));
        for (size_t i = 0; i < fields_.size(); ++i)
            if (row[i] && !is_key_field(fields_[i])) add_cell(m, fields_[i].text, *row[i]);
    }
}

void WindowedCsv::header(std::string& out) {
    agg_.freeze_columns();
    std::vector<std::string> names{"timestamp"};
    if (with_topic_) names.push_back("topic");
    for (size_t k : key_fields_) names.push_back(fields_[k].text);
    for (auto& name : agg_.cell_names()) names.push_back(std::move(name));
    append_header_line(style_, names, out);
}

size_t WindowedCsv::flush(int64_t now_ns, std::string& out) {
    size_t rows = 0;
    agg_.flush(now_ns, [&](const WindowRow& row) {
        out += format_time(row.start_ns, style_.time);
        for (const auto& cell : *row.group) {
            out += ',';
            base::append_csv_field(out, cell);
        }
        for (const auto& cell : row.cells) {
            out += ',';
            base::append_csv_field(out, cell);
        }
        out += style_.eol;
        ++rows;
    });
    return rows;
}

}  // namespace iotctl::capture
