// InfluxDB sink: line protocol over HTTP (v1 /write, v2 /api/v2/write) with libcurl.
#pragma once

#include <memory>
#include <string>

#include "core/base/error.h"
#include "core/sinks/http_client.h"
#include "core/sinks/sink.h"

namespace iotctl::sinks {

/// Where and how to write to InfluxDB; v2 when org or bucket is set (by the fields or the URL's
/// query), else v1 with db.
struct InfluxSinkOptions {
    std::string url;     // e.g. http://127.0.0.1:8086 (user:pass@ in it is v1 basic auth);
                         // its own ?db= or ?org=&bucket= replaces db, org and bucket
    std::string db;      // v1 database; created with CREATE DATABASE when the server lacks it
    std::string org;     // v2 organisation
    std::string bucket;  // v2 bucket
    std::string token;   // v2 token (Authorization: Token ...); never logged
    std::string username, password;  // v1 basic auth, optional; never logged
    double timeout_s = 10;
    bool gzip = true;  // Content-Encoding: gzip; dropped for good if the server answers 415
    bool string_fields = true;  // URL `?strings=false`: leave string fields out (VictoriaMetrics
                                // reads them as numbers, 0 for text)
};

/// Checks the options and builds the sink (no network I/O yet).
base::Result<std::unique_ptr<Sink>> make_influx_sink(const InfluxSinkOptions& options);

/// The same over a given HTTP client (unit tests pass a fake).
base::Result<std::unique_ptr<Sink>> make_influx_sink(const InfluxSinkOptions& options,
                                                     std::unique_ptr<HttpClient> client);

}  // namespace iotctl::sinks
