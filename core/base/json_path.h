// Dotted JSON paths (`Wifi.RSSI`, `$.Time`, `values.0`, `ZbReceived.*.Contact`) compiled once and
// looked up per message: the one path syntax of the mapping, `csv-export --fields` and `--where`.
#pragma once

#include <functional>

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/base/error.h"

namespace iotctl::base {

/// A compiled path: member names (or array indexes) below the current element or the payload root.
class JsonPath {
  public:
    /// Compiles `a.b.c`; a leading `$` starts at the payload root, `$` alone is the root itself.
    static Result<JsonPath> parse(std::string_view text);
    /// The node the path names, or nullptr when any step is missing.
    const nlohmann::json* find(const nlohmann::json& root, const nlohmann::json& current) const;
    /// Calls `visit` on each node the path names, a `*` step standing for every member of an
    /// object or element of an array, until `visit` returns true; true when one did.
    bool any_match(const nlohmann::json& root, const nlohmann::json& current,
                   const std::function<bool(const nlohmann::json&)>& visit) const;
    /// The path as written in the mapping (for error messages and notes).
    const std::string& text() const { return text_; }
    /// True for the empty path (the current element itself).
    bool empty() const { return steps_.empty(); }
    /// The member names (or array indexes, or "*") of the path, in order.
    const std::vector<std::string>& steps() const { return steps_; }

  private:
    bool match_from(const nlohmann::json& node, size_t step,
                    const std::function<bool(const nlohmann::json&)>& visit) const;

    std::string text_;
    bool absolute_ = false;
    std::vector<std::string> steps_;
};

/// The JSON type of a node in words, for messages ("a JSON array", "JSON null", ...).
std::string json_type_words(const nlohmann::json& node);

}  // namespace iotctl::base
