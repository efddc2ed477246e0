// InfluxDB sink: line protocol over HTTP (v1 /write, v2 /api/v2/write) with libcurl.
#pragma once

#include <memory>
#include <string>

#include "core/error.h"
#include "core/sink.h"

namespace iotctl {

/// Where and how to write to InfluxDB; v2 when org or bucket is set, else v1 with db.
struct InfluxSinkOptions {
    std::string url;     // e.g. http://127.0.0.1:8086
    std::string db;      // v1 database
    std::string org;     // v2 organisation
    std::string bucket;  // v2 bucket
    std::string token;   // v2 token (Authorization: Token ...); never logged
    std::string username, password;  // v1 basic auth, optional; never logged
    double timeout_s = 10;
    bool gzip = true;
};

/// Checks the options and builds the sink (no network I/O yet).
Result<std::unique_ptr<Sink>> make_influx_sink(const InfluxSinkOptions& options);

}  // namespace iotctl
