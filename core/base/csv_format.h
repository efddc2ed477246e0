// RFC 4180 CSV: quoting of fields and CRLF-terminated records. Pure code.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace iotctl::base {

/// Records end with CRLF, as RFC 4180 §2.1 says (line breaks inside quoted fields are kept as is).
inline constexpr std::string_view k_csv_eol = "\r\n";

/// Appends one field, in double quotes (inner quotes doubled) when it holds `,` `"` CR or LF.
void append_csv_field(std::string& out, std::string_view value);

/// Appends a whole record: the fields joined by commas, then CRLF.
void append_csv_record(std::string& out, const std::vector<std::string>& fields);

}  // namespace iotctl::base
