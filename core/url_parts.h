// Splitting a URL into its parts with libcurl's URL parser (any scheme: http, mysql...).
#pragma once

#include <string>

#include "core/error.h"

namespace iotctl {

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
Result<UrlParts> parse_url(const std::string& url);

/// scheme://host[:port] of `parts`, without credentials: safe for messages.
std::string url_origin(const UrlParts& parts);

/// `url` as scheme://host[:port]/path, without user, password or query: safe for logs.
std::string url_for_log(const std::string& url);

}  // namespace iotctl
