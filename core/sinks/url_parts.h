// Splitting a URL into its parts with libcurl's URL parser (any scheme: http, mysql...).
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "core/base/error.h"

namespace iotctl::sinks {

/// The parts of a URL; user and password are percent-decoded, path and query are not.
struct UrlParts {
    std::string scheme;
    std::string user;      // never logged
    std::string password;  // never logged
    std::string host;      // IPv6 addresses keep their brackets
    int port = 0;          // 0 when the URL names none
    std::string path;      // "/" when none
    std::string query;     // without the '?', still percent-encoded
};

/// Parses `url`; the error says what is wrong without repeating the URL (it may hold a password).
base::Result<UrlParts> parse_url(const std::string& url);

/// The `k=v&...` pairs of a query string, percent-decoded ('+' stays '+'), in order.
std::vector<std::pair<std::string, std::string>> query_params(const std::string& query);

/// scheme://host[:port] of `parts`, without credentials: safe for messages.
std::string url_origin(const UrlParts& parts);

/// `url` as scheme://host[:port]/path?query without user, password and the query's u, p,
/// password and token parameters: safe for logs.
std::string url_for_log(const std::string& url);

}  // namespace iotctl::sinks
