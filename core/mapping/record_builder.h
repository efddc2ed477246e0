// Builds the records of one message for one mapping rule (the engine's inner step): tags, the
// time, typed fields and flattened auto fields, with a note on each value that is not kept.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/base/message.h"
#include "core/base/record.h"
#include "core/mapping/rules.h"

namespace iotctl::mapping {

/// One message's records under one rule; collects notes on what could not be kept.
class RecordBuilder {
  public:
    using Json = nlohmann::json;

    /// Reads `message` (whose payload parsed to `root`) with `rule`; all three must outlive it.
    RecordBuilder(const MappingRule& rule, const base::Message& message, const Json& root);

    /// Appends one record from `current` (the payload, or the member of `each` named `key`) to
    /// `out`, or notes why there is none.
    void build(const Json& current, const std::string* key, std::vector<base::Record>& out);

    /// What could not be kept, one note each, in order.
    const std::vector<std::string>& notes() const { return notes_; }
    /// `measurement.field` of each value left out of a record.
    std::vector<std::string>& dropped() { return dropped_; }
    /// Adds a note that concerns no record in particular.
    void add_note(std::string text) { notes_.push_back(std::move(text)); }

  private:
    void note(std::string text) { notes_.push_back(prefix_ + std::move(text)); }
    void drop(const base::Record& r, const std::string& field) {
        dropped_.push_back(r.measurement + "." + field);
    }
    int64_t time_of(const Json& current);
    std::string tag_value(const TagSpec& spec, const Json& current, const std::string* key);
    void add_auto_tags(base::Record& r, const Json& current);
    void flatten(base::Record& r, const Json& node, std::string& path, int depth);
    // Adds a tag (string) or field unless the name is taken (SQL column names ignore case).
    template <typename V>
    bool add(base::Record& r, const std::string& name, V&& value);
    bool taken(const std::string& name);
    std::string no_field_reason() const;

    const MappingRule& rule_;
    const base::Message& message_;
    const Json& root_;
    std::vector<std::string_view> levels_;
    int64_t receive_ns_ = 0;
    std::string prefix_;
    std::vector<std::string> notes_;
    std::vector<std::string> dropped_;
    std::vector<const Json*> consumed_;  // payload nodes this record already used
    size_t auto_fields_ = 0;
    bool deep_noted_ = false;
};

}  // namespace iotctl::mapping
