// A decoded measurement, ready for any sink: measurement, tags, typed fields, time.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace iotctl::base {

/// A field value; the mapping decides the type, never the payload alone.
using FieldValue = std::variant<double, int64_t, bool, std::string>;

/// One point/row: what InfluxDB calls a point and SQL sinks store as a row.
struct Record {
    std::string measurement;
    std::vector<std::pair<std::string, std::string>> tags;
    std::vector<std::pair<std::string, FieldValue>> fields;
    int64_t ts_ns = 0;  // Unix nanoseconds
    uint64_t seq = 0;   // spool sequence number of the message it came from
};

}  // namespace iotctl::base
