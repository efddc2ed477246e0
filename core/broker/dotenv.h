// `.env` text as the dotenv conventions read it: quotes, escapes, `export`, comments.
#pragma once

#include <map>
#include <string>

#include "core/base/error.h"

namespace iotctl::broker {

/// Parses `.env` text into variables; `name` (the file) and the line number go into errors.
/// `KEY=VALUE`, `export KEY=VALUE`; `#` starts a comment on a line of its own or after blanks
/// when the value is unquoted; 'single quotes' are literal; "double quotes" take \n \r \t \"
/// \\ \$ escapes and may span lines; text after a closing quote may only be a comment.
base::Result<std::map<std::string, std::string>> parse_dotenv(const std::string& text,
                                                              const std::string& name);

}  // namespace iotctl::broker
