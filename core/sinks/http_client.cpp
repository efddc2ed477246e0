#include "core/sinks/http_client.h"

#include <memory>
#include <mutex>

#include <curl/curl.h>
#include <fmt/format.h>
#include <zlib.h>

#include "core/sinks/url_parts.h"

namespace iotctl::sinks {
namespace {

constexpr size_t k_max_response_body = 64 * 1024;

void global_init() {
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

size_t collect_body(char* data, size_t size, size_t count, void* user) {
    auto* body = static_cast<std::string*>(user);
    const size_t n = size * count;
    if (body->size() < k_max_response_body)
        body->append(data, std::min(n, k_max_response_body - body->size()));
    return n;
}

class CurlHttpClient : public HttpClient {
  public:
    CurlHttpClient() : curl_(curl_easy_init()) {}
    ~CurlHttpClient() override {
        if (curl_ != nullptr) curl_easy_cleanup(curl_);
    }

    HttpResponse post(const HttpRequest& request) override {
        HttpResponse response;
        if (curl_ == nullptr) {
            response.error = "could not initialise libcurl";
            return response;
        }
        curl_easy_reset(curl_);
        std::string body = request.gzip ? gzip_compress(request.body) : std::string();
        const bool gzip = request.gzip && (!body.empty() || request.body.empty());
        const std::string& sent = gzip ? body : request.body;  // plain if compression failed
        curl_slist* headers = nullptr;
        for (const auto& h : request.headers) headers = curl_slist_append(headers, h.c_str());
        headers = curl_slist_append(headers, ("Content-Type: " + request.content_type).c_str());
        headers = curl_slist_append(headers, "Expect:");
        if (gzip) headers = curl_slist_append(headers, "Content-Encoding: gzip");
        char error_buffer[CURL_ERROR_SIZE] = {0};
        curl_easy_setopt(curl_, CURLOPT_URL, request.url.c_str());
        curl_easy_setopt(curl_, CURLOPT_POST, 1L);
        curl_easy_setopt(curl_, CURLOPT_POSTFIELDS, sent.data());
        curl_easy_setopt(curl_, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(sent.size()));
        curl_easy_setopt(curl_, CURLOPT_HTTPHEADER, headers);
        curl_easy_setopt(curl_, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(curl_, CURLOPT_TIMEOUT_MS, static_cast<long>(request.timeout_s * 1000));
        curl_easy_setopt(curl_, CURLOPT_CONNECTTIMEOUT_MS,
                         static_cast<long>(std::min(request.timeout_s, 10.0) * 1000));
        curl_easy_setopt(curl_, CURLOPT_ERRORBUFFER, error_buffer);
        curl_easy_setopt(curl_, CURLOPT_WRITEFUNCTION, collect_body);
        curl_easy_setopt(curl_, CURLOPT_WRITEDATA, &response.body);
        if (!request.username.empty()) {
            curl_easy_setopt(curl_, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
            curl_easy_setopt(curl_, CURLOPT_USERNAME, request.username.c_str());
            curl_easy_setopt(curl_, CURLOPT_PASSWORD, request.password.c_str());
        }
        const CURLcode rc = curl_easy_perform(curl_);
        curl_slist_free_all(headers);
        if (rc != CURLE_OK) {
            response.error = error_buffer[0] != '\0' ? error_buffer : curl_easy_strerror(rc);
            response.body.clear();
            return response;
        }
        curl_easy_getinfo(curl_, CURLINFO_RESPONSE_CODE, &response.status);
        return response;
    }

  private:
    CURL* curl_;
};

}  // namespace

base::Result<HttpEndpoint> parse_http_endpoint(const std::string& url) {
    global_init();
    auto parts = parse_url(url);
    if (!parts) return parts.error();
    if (parts->scheme != "http" && parts->scheme != "https")
        return base::usage_error(
            fmt::format("URL scheme must be http or https, not '{}'", parts->scheme));
    HttpEndpoint endpoint{url_origin(*parts) + parts->path, parts->user, parts->password};
    while (!endpoint.base.empty() && endpoint.base.back() == '/') endpoint.base.pop_back();
    return endpoint;
}

std::string http_url(const std::string& base, const std::string& path,
                     const std::vector<std::pair<std::string, std::string>>& query) {
    global_init();
    std::string url = base + path;
    char separator = '?';
    for (const auto& [key, value] : query) {
        char* escaped = curl_easy_escape(nullptr, value.c_str(), static_cast<int>(value.size()));
        url += fmt::format("{}{}={}", separator, key, escaped != nullptr ? escaped : "");
        curl_free(escaped);
        separator = '&';
    }
    return url;
}

std::unique_ptr<HttpClient> make_curl_http_client() {
    global_init();
    return std::make_unique<CurlHttpClient>();
}

std::string gzip_compress(const std::string& data) {
    z_stream stream{};
    // windowBits 15 + 16 selects the gzip wrapper instead of zlib's. Level 1: on a 600 KB
    // batch of line protocol it is 7x faster than the default level for 13% more bytes.
    if (deflateInit2(&stream, Z_BEST_SPEED, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return {};
    std::string out(deflateBound(&stream, data.size()) + 32, '\0');
    stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
    stream.avail_in = static_cast<uInt>(data.size());
    stream.next_out = reinterpret_cast<Bytef*>(out.data());
    stream.avail_out = static_cast<uInt>(out.size());
    deflate(&stream, Z_FINISH);
    out.resize(stream.total_out);
    deflateEnd(&stream);
    return out;
}

}  // namespace iotctl::sinks
