#include "core/base/json_leaves_fast.h"

#include <algorithm>
#include <cstring>

#include <simdjson.h>

#include "core/base/payload.h"

namespace iotctl::base {

namespace {

namespace od = simdjson::ondemand;

// Walks one value, appending its leaves under `path`; false on any error simdjson reports.
class Walker {
  public:
    explicit Walker(std::vector<JsonLeaf>& leaves) : leaves_(leaves) {}

    bool object(od::object obj) {
        const size_t base = path_.size();
        for (auto field : obj) {
            od::raw_json_string raw;  // no backslash in the payload: the key as written
            if (field.key().get(raw)) return false;
            const std::string_view key(raw.raw(), std::strchr(raw.raw(), '"') - raw.raw());
            path_.resize(base);
            if (base) path_ += '.';
            path_ += key;
            od::value v;
            if (field.value().get(v) || !value(v)) return false;
        }
        path_.resize(base);
        return true;
    }

    size_t used() const { return used_; }

  private:
    bool array(od::array arr) {
        const size_t base = path_.size();
        size_t index = 0;
        for (auto element : arr) {
            path_.resize(base);
            if (base) path_ += '.';
            path_ += std::to_string(index++);
            od::value v;
            if (element.get(v) || !value(v)) return false;
        }
        path_.resize(base);
        return true;
    }

    bool value(od::value v) {
        od::json_type type;
        if (v.type().get(type)) return false;
        switch (type) {
            case od::json_type::object: {
                od::object obj;
                return !v.get_object().get(obj) && object(obj);
            }
            case od::json_type::array: {
                od::array arr;
                return !v.get_array().get(arr) && array(arr);
            }
            case od::json_type::string: {
                // No backslash in the payload: the text between the quotes is the string.
                od::raw_json_string raw;
                if (v.get_raw_json_string().get(raw)) return false;
                const char* begin = raw.raw();
                return leaf(std::string_view(begin, std::strchr(begin, '"') - begin));
            }
            case od::json_type::boolean: {
                bool b;
                return !v.get_bool().get(b) && leaf(b ? "true" : "false");
            }
            case od::json_type::null: {
                bool null = false;
                return !v.is_null().get(null) && null && leaf("");
            }
            case od::json_type::number:
                return number(v);
        }
        return false;
    }

    // A number as written; nlohmann reads `-0` as the integer 0 and writes it so.
    bool number(od::value v) {
        std::string_view raw = v.raw_json_token();
        while (!raw.empty() && raw.back() == ' ') raw.remove_suffix(1);
        double checked;
        if (v.get_double().get(checked)) return false;  // also checks the number's grammar
        return leaf(raw == "-0" ? std::string_view("0") : raw);
    }

    // Reuses the strings of the leaves of earlier payloads, as json_leaves.cpp does.
    bool leaf(std::string_view text) {
        if (used_ == leaves_.size()) leaves_.emplace_back();
        leaves_[used_].path.assign(path_);
        leaves_[used_].text.assign(text);
        ++used_;
        return true;
    }

    std::vector<JsonLeaf>& leaves_;
    size_t used_ = 0;
    std::string path_;
};

}  // namespace

std::optional<bool> fast_object_leaves(std::string_view payload, std::vector<JsonLeaf>& leaves) {
    // Escapes and control bytes send a payload to nlohmann's path (a loop without an early
    // exit, which the compiler turns into vector instructions).
    if (payload.size() > max_json_bytes()) return std::nullopt;
    bool special = false;
    for (char ch : payload) {
        const auto c = static_cast<unsigned char>(ch);
        special |= (c < 0x20) | (c == '\\');
    }
    if (special) return std::nullopt;
    // The bracket walk of json_nesting_depth, which without backslashes is this simple; a
    // payload shorter than the limit cannot be nested deeper than it.
    if (payload.size() > k_max_json_depth) {
        size_t depth = 0, deepest = 0;
        bool in_string = false;
        for (char c : payload) {
            if (c == '"') {
                in_string = !in_string;
            } else if (!in_string) {
                if (c == '{' || c == '[') {
                    deepest = std::max(deepest, ++depth);
                } else if ((c == '}' || c == ']') && depth > 0) {
                    --depth;
                }
            }
        }
        if (deepest > k_max_json_depth) return std::nullopt;  // nlohmann's path says which limit
    }
    const size_t first = payload.find_first_not_of(' ');
    if (first == std::string_view::npos || payload[first] != '{') {
        leaves.clear();
        return false;  // not an object, whatever else it is
    }
    thread_local od::parser parser;
    thread_local std::string padded;
    padded.reserve(payload.size() + simdjson::SIMDJSON_PADDING);
    padded.assign(payload);
    od::document doc;
    if (parser.iterate(padded.data(), padded.size(), padded.capacity()).get(doc))
        return std::nullopt;
    Walker walker(leaves);
    od::object obj;
    if (doc.get_object().get(obj) || !walker.object(obj)) return std::nullopt;
    const char* rest = nullptr;  // in bounds after the object: trailing content
    if (!doc.current_location().get(rest)) return std::nullopt;
    leaves.resize(walker.used());
    return true;
}

}  // namespace iotctl::base
