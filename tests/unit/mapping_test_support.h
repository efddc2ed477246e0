// Helpers for the mapping unit tests: fixture messages and record lookups.
#pragma once

#include <fstream>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/base/message.h"
#include "core/base/record.h"
#include "core/mapping/mapper.h"

namespace iotctl::testing {

/// The receive time every test message carries (2027-01-15T08:00:00Z).
inline constexpr int64_t k_receive_ns = 1800000000LL * 1000000000LL;

/// A message on `topic` with raw `payload`, received at k_receive_ns.
inline base::Message make_message(std::string topic, std::string payload) {
    base::Message m;
    m.topic = std::move(topic);
    m.payload = std::move(payload);
    m.ts_ns = k_receive_ns;
    return m;
}

/// The lines of `tests/fixtures/<name>`; throws (failing the test, naming the file) when the
/// file cannot be read, so a missing fixture is never an empty list.
inline std::vector<std::string> fixture_lines(const std::string& name) {
    const std::string path = std::string(IOTCTL_SOURCE_DIR) + "/tests/fixtures/" + name;
    std::ifstream in(path);
    if (!in) throw std::runtime_error("cannot read test fixture " + path);
    std::vector<std::string> out;
    std::string line;
    while (std::getline(in, line)) out.push_back(line);
    return out;
}

/// Every line of tests/fixtures/payloads.jsonl as a message (a JSON payload is sent compact).
inline std::vector<base::Message> fixture_messages() {
    std::vector<base::Message> out;
    for (const auto& line : fixture_lines("payloads.jsonl")) {
        if (line.empty()) continue;
        auto j = nlohmann::json::parse(line);
        const auto& p = j["payload"];
        out.push_back(make_message(j["topic"], p.is_string() ? p.get<std::string>() : p.dump()));
    }
    return out;
}

/// Every line of tests/fixtures/bad-payloads.txt (the empty line is an empty payload).
inline std::vector<std::string> bad_payloads() {
    return fixture_lines("bad-payloads.txt");
}

/// The value of tag `name`, if the record has it.
inline std::optional<std::string> tag(const base::Record& r, const std::string& name) {
    for (const auto& [k, v] : r.tags)
        if (k == name) return v;
    return std::nullopt;
}

/// The value of field `name`, if the record has it.
inline std::optional<base::FieldValue> field(const base::Record& r, const std::string& name) {
    for (const auto& [k, v] : r.fields)
        if (k == name) return v;
    return std::nullopt;
}

/// The field names of a record, in order.
inline std::vector<std::string> field_names(const base::Record& r) {
    std::vector<std::string> names;
    for (const auto& f : r.fields) names.push_back(f.first);
    return names;
}

/// The tag names of a record, in order.
inline std::vector<std::string> tag_names(const base::Record& r) {
    std::vector<std::string> names;
    for (const auto& t : r.tags) names.push_back(t.first);
    return names;
}

/// Builds a preset mapper (the test fails loudly when the preset does not load).
inline std::unique_ptr<mapping::Mapper> preset(const std::string& name) {
    auto m = mapping::make_preset_mapper(name);
    if (!m) throw std::runtime_error(m.error().message);
    return std::move(*m);
}

}  // namespace iotctl::testing
