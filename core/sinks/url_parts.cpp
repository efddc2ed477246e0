#include "core/sinks/url_parts.h"

#include <algorithm>
#include <memory>

#include <curl/curl.h>
#include <fmt/format.h>

namespace iotctl::sinks {
namespace {

struct UrlDeleter {
    void operator()(CURLU* url) const { curl_url_cleanup(url); }
};

// Reads one part of a parsed URL, or "" when it is absent.
std::string url_part(CURLU* url, CURLUPart part, unsigned flags) {
    char* text = nullptr;
    if (curl_url_get(url, part, &text, flags) != CURLUE_OK || text == nullptr) return "";
    std::string out(text);
    curl_free(text);
    return out;
}

}  // namespace

base::Result<UrlParts> parse_url(const std::string& url) {
    std::unique_ptr<CURLU, UrlDeleter> handle(curl_url());
    if (!handle) return base::runtime_error("could not initialise libcurl's URL parser");
    if (curl_url_set(handle.get(), CURLUPART_URL, url.c_str(), CURLU_NON_SUPPORT_SCHEME) !=
        CURLUE_OK)
        return base::usage_error(
            "not a valid URL (expected scheme://[user[:password]@]host[:port][/path])");
    UrlParts parts;
    parts.scheme = url_part(handle.get(), CURLUPART_SCHEME, 0);
    parts.user = url_part(handle.get(), CURLUPART_USER, CURLU_URLDECODE);
    parts.password = url_part(handle.get(), CURLUPART_PASSWORD, CURLU_URLDECODE);
    parts.host = url_part(handle.get(), CURLUPART_HOST, 0);
    parts.path = url_part(handle.get(), CURLUPART_PATH, 0);
    parts.query = url_part(handle.get(), CURLUPART_QUERY, 0);
    const std::string port = url_part(handle.get(), CURLUPART_PORT, 0);
    if (!port.empty()) parts.port = std::stoi(port);  // curl has checked it is 1-65535
    if (parts.host.empty()) return base::usage_error("the URL names no host");
    return parts;
}

std::vector<std::pair<std::string, std::string>> query_params(const std::string& query) {
    std::vector<std::pair<std::string, std::string>> out;
    size_t start = 0;
    while (start <= query.size()) {
        size_t end = std::min(query.find('&', start), query.size());
        std::string item = query.substr(start, end - start);
        start = end + 1;
        if (item.empty()) continue;
        size_t eq = item.find('=');
        auto decode = [](const std::string& text) {
            int length = 0;
            char* raw =
                curl_easy_unescape(nullptr, text.c_str(), static_cast<int>(text.size()), &length);
            std::string decoded =
                raw != nullptr ? std::string(raw, static_cast<size_t>(length)) : "";
            curl_free(raw);
            return decoded;
        };
        out.emplace_back(decode(item.substr(0, eq)),
                         eq == std::string::npos ? "" : decode(item.substr(eq + 1)));
    }
    return out;
}

std::string url_origin(const UrlParts& parts) {
    if (parts.port == 0) return fmt::format("{}://{}", parts.scheme, parts.host);
    return fmt::format("{}://{}:{}", parts.scheme, parts.host, parts.port);
}

std::string url_for_log(const std::string& url) {
    auto parts = parse_url(url);
    if (!parts) return "(unparsable URL)";
    std::string out = url_origin(*parts) + (parts->path == "/" ? "" : parts->path);
    // The query names the target (?db=, ?org=&bucket=); credentials in it are left out.
    char sep = '?';
    for (const auto& [key, value] : query_params(parts->query)) {
        if (key.empty() || key == "u" || key == "p" || key == "password" || key == "token")
            continue;
        out += fmt::format("{}{}={}", sep, key, value);
        sep = '&';
    }
    return out;
}

}  // namespace iotctl::sinks
