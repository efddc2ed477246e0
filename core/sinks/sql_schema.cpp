#include "core/sinks/sql_schema.h"

#include <algorithm>
#include <cmath>
#include <set>

#include <fmt/format.h>

#include "core/base/payload.h"
#include "core/base/timestamps.h"

namespace iotctl::sinks {
namespace {

bool same_name(std::string_view a, std::string_view b) {
    return lower_name(a) == lower_name(b);
}

bool finite_value(const base::FieldValue& value) {
    const auto* d = std::get_if<double>(&value);
    return d == nullptr || std::isfinite(*d);
}

size_t utf8_chars(std::string_view text) {
    return static_cast<size_t>(
        std::count_if(text.begin(), text.end(), [](char c) { return (c & 0xC0) != 0x80; }));
}

const char* type_name(ColumnType type) {
    switch (type) {
        case ColumnType::tag:
            return "a tag";
        case ColumnType::real:
            return "DOUBLE";
        case ColumnType::integer:
            return "BIGINT";
        case ColumnType::boolean:
            return "BOOLEAN";
        case ColumnType::text:
            return "TEXT";
        default:
            return "of a type iotctl does not write";
    }
}

// A short, quoted, escaped rendering of payload text for messages.
std::string shown(std::string_view text) {
    std::string cut(text.substr(0, 64));
    if (text.size() > 64) cut += "...";
    return fmt::format("{:?}", cut);
}

// Checks one record against the table as planned so far; adds the columns it needs to
// `added`. Returns why it cannot be stored, or nullopt.
std::optional<std::string> check_record(const base::Record& record, const TableSchema& table,
                                        std::vector<Column>& added,
                                        std::vector<std::string>& dropped) {
    std::string first_misfit;  // why the first dropped value does not fit
    auto lookup = [&](std::string_view name) -> const Column* {
        if (const Column* c = table.find(name)) return c;
        for (const Column& c : added)
            if (same_name(c.name, name)) return &c;
        return nullptr;
    };
    for (const auto& [key, value] : record.tags) {
        if (!valid_identifier(key) || is_reserved_column(key))
            return fmt::format("tag name {} is not a usable column name", shown(key));
        const Column* column = lookup(key);
        if (column != nullptr && column->type != ColumnType::tag)
            return fmt::format("tag {} has the name of a field column", shown(key));
        if (!base::is_valid_utf8(value)) return fmt::format("tag {} is not UTF-8", shown(key));
        if (utf8_chars(value) > k_max_tag_chars)
            return fmt::format("tag {} is longer than {} characters", shown(key), k_max_tag_chars);
        if (column == nullptr) added.push_back({key, ColumnType::tag});
    }
    size_t usable = 0;
    for (const auto& [key, value] : record.fields) {
        if (!valid_identifier(key) || is_reserved_column(key))
            return fmt::format("field name {} is not a usable column name", shown(key));
        const Column* column = lookup(key);
        if (column != nullptr && column->type == ColumnType::tag)
            return fmt::format("field {} has the name of a tag column", shown(key));
        if (column != nullptr && !column_accepts(column->type, value)) {
            if (dropped.empty())
                first_misfit = fmt::format("field {} does not fit column `{}`, which is {}",
                                           shown(key), column->name, type_name(column->type));
            dropped.push_back(key);  // the rest of the row is stored; the caller counts it
            continue;
        }
        if (const auto* s = std::get_if<std::string>(&value);
            s != nullptr && !base::is_valid_utf8(*s))
            return fmt::format("field {} is not UTF-8", shown(key));
        if (!finite_value(value)) continue;  // NaN and infinities are stored as NULL
        ++usable;
        if (column == nullptr) added.push_back({key, column_type_for(value)});
    }
    if (usable == 0 && !dropped.empty()) return first_misfit + " (no other field to store)";
    if (usable == 0) return std::string("no field with a finite value");
    return std::nullopt;
}

}  // namespace

const Column* TableSchema::find(std::string_view wanted) const {
    for (const Column& c : columns)
        if (same_name(c.name, wanted)) return &c;
    return nullptr;
}

bool is_reserved_column(std::string_view name) {
    return same_name(name, k_time_column) || same_name(name, k_series_column) ||
           same_name(name, k_datetime_column);
}

std::string datetime_text(int64_t ts_ns) {
    std::string text = base::iso8601_utc(ts_ns, 6);  // 2026-11-20T10:00:00.123456Z
    text[10] = ' ';
    text.pop_back();
    return text;
}

bool valid_identifier(std::string_view name) {
    if (name.empty() || name.size() > 64) return false;
    return std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '_';
    });
}

std::string lower_name(std::string_view name) {
    std::string out(name);
    for (char& c : out)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return out;
}

ColumnType column_type_for(const base::FieldValue& value) {
    switch (value.index()) {
        case 0:
            return ColumnType::real;
        case 1:
            return ColumnType::integer;
        case 2:
            return ColumnType::boolean;
        default:
            return ColumnType::text;
    }
}

bool column_accepts(ColumnType type, const base::FieldValue& value) {
    const ColumnType wanted = column_type_for(value);
    if (type == wanted) return true;
    if (type == ColumnType::real)
        return wanted == ColumnType::integer || wanted == ColumnType::boolean;
    if (type == ColumnType::integer) return wanted == ColumnType::boolean;
    return false;
}

ColumnType column_type_from_sql(std::string_view declared) {
    const std::string t = lower_name(declared);
    auto starts = [&](std::string_view prefix) { return t.rfind(prefix, 0) == 0; };
    if (starts("varchar")) return ColumnType::tag;
    if (starts("double") || starts("real") || starts("float")) return ColumnType::real;
    if (starts("tinyint(1)") || starts("bool")) return ColumnType::boolean;
    if (starts("bigint") || starts("int")) return ColumnType::integer;
    if (starts("text") || starts("mediumtext") || starts("longtext")) return ColumnType::text;
    return ColumnType::other;
}

int64_t series_hash(const base::Record& record) {
    std::vector<std::pair<std::string, std::string_view>> tags;
    for (const auto& [key, value] : record.tags)
        if (!value.empty()) tags.emplace_back(lower_name(key), value);
    std::sort(tags.begin(), tags.end());
    uint64_t hash = 14695981039346656037ull;
    auto mix = [&](std::string_view bytes) {
        for (const char c : bytes) {
            hash ^= static_cast<unsigned char>(c);
            hash *= 1099511628211ull;
        }
        hash ^= 0xFF;  // a separator byte that never occurs in UTF-8
        hash *= 1099511628211ull;
    };
    for (const auto& [key, value] : tags) {
        mix(key);
        mix(value);
    }
    return static_cast<int64_t>(hash);
}

BatchPlan plan_batch(const std::vector<base::Record>& batch, const SchemaCache& known) {
    BatchPlan plan;
    std::map<std::string, size_t> plan_of;  // lower-cased table -> index in plan.tables
    std::vector<TableSchema> working;       // known schema plus the columns planned so far
    std::vector<std::set<std::string>> used;
    for (size_t i = 0; i < batch.size(); ++i) {
        const base::Record& record = batch[i];
        if (!valid_identifier(record.measurement)) {
            plan.rejected.emplace_back(
                i, fmt::format("measurement {} is not a usable table name ([A-Za-z0-9_], 1-64)",
                               shown(record.measurement)));
            continue;
        }
        const std::string key = lower_name(record.measurement);
        auto [it, inserted] = plan_of.emplace(key, plan.tables.size());
        if (inserted) {
            auto found = known.find(key);
            TableSchema schema = found != known.end() ? found->second : TableSchema{};
            if (schema.name.empty()) schema.name = record.measurement;
            plan.tables.push_back({schema.name, !schema.exists, {}, {}, {}});
            working.push_back(std::move(schema));
            used.emplace_back();
        }
        TablePlan& table = plan.tables[it->second];
        TableSchema& schema = working[it->second];
        std::vector<Column> added;
        std::vector<std::string> dropped;
        if (auto why = check_record(record, schema, added, dropped)) {
            plan.rejected.emplace_back(i, *why);
            continue;
        }
        for (std::string& field : dropped) plan.dropped.emplace_back(i, std::move(field));
        for (Column& c : added) {
            table.new_columns.push_back(c);
            schema.columns.push_back(std::move(c));
        }
        for (const auto& tag : record.tags) used[it->second].insert(lower_name(tag.first));
        for (const auto& field : record.fields) used[it->second].insert(lower_name(field.first));
        table.rows.push_back(i);
    }
    for (size_t t = 0; t < plan.tables.size(); ++t)
        for (const Column& c : working[t].columns)
            if (used[t].count(lower_name(c.name)) != 0) plan.tables[t].insert_columns.push_back(c);
    std::erase_if(plan.tables, [](const TablePlan& t) { return t.rows.empty(); });
    return plan;
}

const base::FieldValue* field_for(const base::Record& record, std::string_view column) {
    for (const auto& [key, value] : record.fields)
        if (same_name(key, column)) return &value;
    return nullptr;
}

const std::string& tag_for(const base::Record& record, std::string_view column) {
    static const std::string k_none;
    for (const auto& [key, value] : record.tags)
        if (same_name(key, column)) return value;
    return k_none;
}

}  // namespace iotctl::sinks
