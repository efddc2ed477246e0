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
    out += '"';
    for (char c : value) {
        if (c == '"') out += '"';
        out += c;
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
