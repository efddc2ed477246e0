// JSON text read without building a document: nesting depth before a parse, and the exact text
// of object members and values after one (so numbers keep their digits and objects their order).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace iotctl::base {

/// The deepest nesting of arrays and objects in `text`, brackets inside strings not counted;
/// stops scanning once `limit` is passed (then returns limit + 1). Any bytes are accepted.
size_t json_nesting_depth(std::string_view text, size_t limit);

/// The functions below read text that nlohmann already accepted as JSON: on other text their
/// results are meaningless (but they never read outside `text`).

/// The offset just past the JSON value that starts at `pos` (a `"`, `{`, `[` or a literal).
size_t json_value_end(std::string_view text, size_t pos);

/// `text` without the white space around it.
std::string_view json_trim(std::string_view text);

/// One member of a JSON object: its key as JSON text (with quotes) and its value's text.
struct JsonMember {
    std::string_view key, value;
};

/// The members of a JSON object in document order; empty when `text` is not an object.
std::vector<JsonMember> json_members(std::string_view text);

/// The text of member `key` of a JSON object (the last one when repeated, as nlohmann keeps it),
/// or nullopt when `text` is not an object or has no such member.
std::optional<std::string_view> json_member(std::string_view text, std::string_view key);

/// The value of a JSON string token (`"a\n"` gives `a` and a newline).
std::string json_string_value(std::string_view token);

/// True when a JSON string token decodes to exactly `text`.
bool json_string_equals(std::string_view token, std::string_view text);

/// A JSON value with the white space outside its strings removed (compact, as written).
std::string json_compact(std::string_view text);

}  // namespace iotctl::base
