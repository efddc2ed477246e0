#include "core/capture/schema.h"

#include <algorithm>
#include <cctype>
#include <vector>

#include <SQLiteCpp/SQLiteCpp.h>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include "core/base/message_json.h"
#include "core/base/payload.h"

namespace iotctl::capture {

namespace {
constexpr const char* k_property_keys[] = {"user_properties", "content_type", "response_topic"};
constexpr size_t k_max_tables_named = 5;

std::string lower(std::string text) {
    for (auto& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return text;
}

// The user tables of the database, in the order they were created.
std::vector<std::string> table_names(SQLite::Database& db) {
    SQLite::Statement q(db,
                        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE "
                        "'sqlite\\_%' ESCAPE '\\' ORDER BY rowid");
    std::vector<std::string> names;
    while (q.executeStep()) names.push_back(q.getColumn(0).getString());
    return names;
}

// Column names of `table`, lower-cased (SQLite compares them without case).
std::vector<std::string> column_names(SQLite::Database& db, const std::string& table) {
    SQLite::Statement q(db, "SELECT name FROM pragma_table_info(?)");
    q.bind(1, table);
    std::vector<std::string> names;
    while (q.executeStep()) names.push_back(lower(q.getColumn(0).getString()));
    return names;
}

std::vector<std::string> missing(const std::vector<std::string>& have,
                                 std::initializer_list<const char*> want) {
    std::vector<std::string> out;
    for (const char* w : want)
        if (std::find(have.begin(), have.end(), w) == have.end()) out.emplace_back(w);
    return out;
}

base::Error not_a_capture(const std::string& path, const std::string& why) {
    return base::runtime_error(
        fmt::format("'{}' is a SQLite database but not a capture: {}", path, why));
}
}  // namespace

base::Result<CaptureLayout> check_capture_schema(SQLite::Database& db, const std::string& path) {
    CaptureLayout layout;
    auto tables = table_names(db);
    if (tables.empty()) {
        layout.empty = true;
        return layout;
    }
    auto named = [&](const char* name) {
        return std::find_if(tables.begin(), tables.end(),
                            [&](const std::string& t) { return lower(t) == name; });
    };
    auto messages = named("messages");
    if (messages == tables.end()) {
        std::vector<std::string> shown(
            tables.begin(), tables.begin() + std::min(tables.size(), k_max_tables_named));
        return not_a_capture(
            path, fmt::format("it has no messages table (its tables: {}{})", fmt::join(shown, ", "),
                              tables.size() > shown.size() ? ", ..." : ""));
    }
    auto columns = column_names(db, *messages);
    auto lacking = missing(columns, {"id", "ts_ns", "topic", "payload", "qos", "retain"});
    if (!lacking.empty())
        return not_a_capture(
            path, fmt::format("its messages table has no {} column{}", fmt::join(lacking, ", "),
                              lacking.size() > 1 ? "s" : ""));
    layout.has_properties =
        std::find(columns.begin(), columns.end(), "properties") != columns.end();
    if (auto meta = named("meta"); meta != tables.end()) {
        auto meta_lacking = missing(column_names(db, *meta), {"key", "value"});
        if (!meta_lacking.empty())
            return not_a_capture(path, fmt::format("its meta table has no {} column{}",
                                                   fmt::join(meta_lacking, ", "),
                                                   meta_lacking.size() > 1 ? "s" : ""));
    }
    return layout;
}

std::optional<std::string> properties_to_json(const base::Message& m) {
    if (m.user_properties.empty() && m.content_type.empty() && m.response_topic.empty())
        return std::nullopt;
    // Reuse the --json encoding of properties, keeping only the property keys.
    base::Message props_only;
    props_only.user_properties = m.user_properties;
    props_only.content_type = m.content_type;
    props_only.response_topic = m.response_topic;
    nlohmann::json full = base::message_to_json(props_only);
    nlohmann::json j = nlohmann::json::object();
    for (const char* key : k_property_keys)
        if (auto it = full.find(key); it != full.end()) j[key] = *it;
    return base::dump_json(j);
}

base::Status properties_from_json(std::string_view json, base::Message& m) {
    auto parsed = base::parse_json_payload(json);
    if (!parsed || !parsed->is_object()) return base::runtime_error("malformed properties column");
    (*parsed)["topic"] = "";
    auto decoded = base::message_from_json(*parsed);
    if (!decoded) return decoded.error();
    m.user_properties = std::move(decoded->user_properties);
    m.content_type = std::move(decoded->content_type);
    m.response_topic = std::move(decoded->response_topic);
    return {};
}

std::string merged_protocol_version(const std::string& existing, const std::string& now) {
    if (existing.empty() || existing == now) return now;
    return "mixed";
}

}  // namespace iotctl::capture
