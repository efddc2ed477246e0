// A small HTTP POST seam over libcurl, so the InfluxDB sink can be unit-tested with a fake.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/base/error.h"

namespace iotctl::sinks {

/// A base URL split from its credentials, so that messages can name it without leaking them.
struct HttpEndpoint {
    std::string base;      // scheme://host[:port][/path], no user info, no trailing slash
    std::string username;  // from the URL's user info (percent-decoded); never logged
    std::string password;  // likewise
};

/// Parses an http(s) URL; the error names what is wrong but never repeats credentials.
base::Result<HttpEndpoint> parse_http_endpoint(const std::string& url);

/// `base` + `path` + `?k=v&...` with every value percent-encoded.
std::string http_url(const std::string& base, const std::string& path,
                     const std::vector<std::pair<std::string, std::string>>& query);

/// One POST: where to, what, and how long to wait.
struct HttpRequest {
    std::string url;                   // full URL without credentials
    std::vector<std::string> headers;  // "Name: value" lines
    std::string body;
    std::string content_type = "text/plain; charset=utf-8";
    std::string username, password;  // basic auth when username is set; never logged
    bool gzip = false;               // compress the body and send Content-Encoding: gzip
    double timeout_s = 10;
};

/// What came back: a status, or a transport error (refused, timed out, reset...).
struct HttpResponse {
    long status = 0;    // 0 when no response arrived
    std::string body;   // at most 64 KiB of the response body
    std::string error;  // set when status is 0: one line, no credentials
};

/// Sends HTTP POSTs; one instance is used by one thread, reusing its connection.
class HttpClient {
  public:
    virtual ~HttpClient() = default;
    /// Sends the request and waits for the answer or the timeout; never throws.
    virtual HttpResponse post(const HttpRequest& request) = 0;
};

/// The libcurl implementation (keep-alive, no signals, gzip through zlib).
std::unique_ptr<HttpClient> make_curl_http_client();

/// Compresses `data` as a gzip stream (RFC 1952) with zlib.
std::string gzip_compress(const std::string& data);

}  // namespace iotctl::sinks
