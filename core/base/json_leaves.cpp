#include "core/base/json_leaves.h"

#include <charconv>

#include <nlohmann/json.hpp>

#include "core/base/json_leaves_fast.h"
#include "core/base/payload.h"

namespace iotctl::base {

namespace {

using json = nlohmann::json;

// Tracks the path to the current value; arrays count their elements.
class LeafCollector : public nlohmann::json_sax<json> {
  public:
    explicit LeafCollector(std::vector<JsonLeaf>& leaves) : leaves_(leaves) {}

    bool null() override { return leaf(""); }
    bool boolean(bool v) override { return leaf(v ? "true" : "false"); }
    bool number_integer(number_integer_t v) override { return number(v); }
    bool number_unsigned(number_unsigned_t v) override { return number(v); }
    bool number_float(number_float_t, const string_t& raw) override { return leaf(raw); }
    bool string(string_t& v) override { return leaf(v); }
    bool binary(binary_t&) override { return false; }
    bool start_object(std::size_t) override {
        if (frames_.empty()) top_is_object_ = true;
        if (!frames_.empty()) enter();
        frames_.push_back(Frame{path_.size(), false, 0});
        return top_is_object_;
    }
    bool key(string_t& k) override {
        auto& f = frames_.back();
        path_.resize(f.base);
        if (f.base) path_ += '.';
        path_ += k;
        return true;
    }
    bool end_object() override { return leave(); }
    bool start_array(std::size_t) override {
        if (frames_.empty()) return false;  // a top-level array is not an object
        enter();
        frames_.push_back(Frame{path_.size(), true, 0});
        return true;
    }
    bool end_array() override { return leave(); }
    bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override {
        return false;
    }

  private:
    struct Frame {
        size_t base;  // path length of the container itself
        bool array;
        size_t index;
    };
    // An array element gets its number as the next path level.
    void enter() {
        auto& f = frames_.back();
        if (!f.array) return;
        path_.resize(f.base);
        if (f.base) path_ += '.';
        path_ += std::to_string(f.index++);
    }
    bool leave() {
        frames_.pop_back();
        return true;
    }
    template <typename Int>
    bool number(Int v) {
        char buf[24];
        auto end = std::to_chars(buf, buf + sizeof buf, v).ptr;
        return leaf(std::string_view(buf, static_cast<size_t>(end - buf)));
    }
    // Reuses the strings of the leaves of earlier payloads: no allocation when shapes repeat.
    bool leaf(std::string_view text) {
        if (frames_.empty()) return false;  // a scalar payload is not an object
        enter();
        if (used_ == leaves_.size()) leaves_.emplace_back();
        leaves_[used_].path.assign(path_);
        leaves_[used_].text.assign(text);
        ++used_;
        return true;
    }

  public:
    size_t used() const { return used_; }

  private:
    std::vector<JsonLeaf>& leaves_;
    size_t used_ = 0;
    std::vector<Frame> frames_;
    std::string path_;
    bool top_is_object_ = false;
};

}  // namespace

bool json_object_leaves(std::string_view payload, std::vector<JsonLeaf>& leaves,
                        std::string* limit_reason) {
    // Most payloads take simdjson's path; the rest (escapes, layout white space, JSON limits,
    // anything it finds invalid) nlohmann's, whose rules decide what counts as JSON.
    if (auto fast = fast_object_leaves(payload, leaves)) return *fast;
    LeafCollector collector(leaves);
    bool ok = sax_parse_payload(payload, collector, limit_reason);
    leaves.resize(ok ? collector.used() : 0);
    return ok;
}

}  // namespace iotctl::base
