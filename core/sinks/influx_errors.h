// Reading InfluxDB's 400 answers: the one-line reason and which lines of a batch it names.
#pragma once

#include <string>
#include <vector>

#include "core/base/record.h"

namespace iotctl::sinks {

/// The server's reason from an error body (`{"error":"..."}` or plain text), as one line.
std::string influx_error_text(const std::string& body);

/// Which of `candidates` (indexes into `records`/`lines`) the error names: lines quoted in
/// "unable to parse '...'", and records whose field matches a "field type conflict" or
/// "invalid field name" for a measurement. Empty when the error names none.
std::vector<size_t> lines_named_in_error(const std::string& error,
                                         const std::vector<base::Record>& records,
                                         const std::vector<std::string>& lines,
                                         const std::vector<size_t>& candidates);

}  // namespace iotctl::sinks
