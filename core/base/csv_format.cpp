#include "core/base/csv_format.h"

#include <algorithm>

namespace iotctl::base {

void append_csv_field(std::string& out, std::string_view value) {
    // One pass over the bytes (find_first_of would call memchr once per byte).
    auto special = [](char c) { return c == ',' || c == '"' || c == '\r' || c == '\n'; };
    if (std::none_of(value.begin(), value.end(), special)) {
        out += value;
        return;
    }
    // Sized once, with room for the rest of the record (a huge payload cell must not be grown,
    // and so copied, step by step), then copied in runs between the quotes that are doubled.
    const size_t quoted = value.size() + std::count(value.begin(), value.end(), '"') + 2;
    out.reserve(out.size() + quoted + quoted / 16 + 4096);
    out += '"';
    while (!value.empty()) {
        size_t quote = value.find('"');
        if (quote == std::string_view::npos) {
            out += value;
            break;
        }
        out.append(value.data(), quote + 1);
        out += '"';
        value.remove_prefix(quote + 1);
    }
    out += '"';
}

void append_csv_record(std::string& out, const std::vector<std::string>& fields) {
    for (size_t i = 0; i < fields.size(); ++i) {
        if (i) out += ',';
        append_csv_field(out, fields[i]);
    }
    out += k_csv_eol;
}

}  // namespace iotctl::base
