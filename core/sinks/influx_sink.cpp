#include "core/sinks/influx_sink.h"

#include <algorithm>

#include <fmt/format.h>

#include "core/sinks/influx_errors.h"
#include "core/sinks/line_protocol.h"
#include "core/sinks/url_parts.h"
#include "core/sinks/write_outcome.h"

namespace iotctl::sinks {
namespace {

constexpr int k_split_budget = 64;  // extra requests one write may spend isolating bad lines
constexpr size_t k_min_gzip_body = 1024;

// Quotes an InfluxQL identifier: "name" with `"` and `\` escaped.
std::string influxql_identifier(const std::string& name) {
    std::string out = "\"";
    for (const char c : name) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
    }
    return out + "\"";
}

// One write() call: the lines, what is rejected so far, and how much splitting is left.
struct WriteState {
    const std::vector<base::Record>& batch;
    std::vector<std::string> lines;
    std::vector<size_t> rejected;
    std::string reject_reason;
    int split_budget = k_split_budget;
};

class InfluxSink : public Sink {
  public:
    InfluxSink(InfluxSinkOptions options, HttpEndpoint endpoint, std::unique_ptr<HttpClient> client)
        : options_(std::move(options)), endpoint_(std::move(endpoint)), client_(std::move(client)) {
        if (options_.username.empty()) {
            options_.username = endpoint_.username;
            options_.password = endpoint_.password;
        }
        v2_ = !options_.bucket.empty() || !options_.org.empty();
        write_url_ =
            v2_ ? http_url(
                      endpoint_.base, "/api/v2/write",
                      {{"org", options_.org}, {"bucket", options_.bucket}, {"precision", "ns"}})
                : http_url(endpoint_.base, "/write", {{"db", options_.db}, {"precision", "ns"}});
        gzip_ = options_.gzip;
    }

    std::string name() const override { return "influx"; }

    WriteOutcome write(const std::vector<base::Record>& batch) override {
        tried_create_ = false;  // at most one CREATE DATABASE per write
        WriteState state{batch, std::vector<std::string>(batch.size()), {}, {}};
        std::vector<size_t> sendable;
        for (size_t i = 0; i < batch.size(); ++i) {
            if (auto why = append_line(batch[i], state.lines[i], options_.string_fields))
                reject(state, {i}, *why);
            else if (!state.lines[i].empty())  // empty: only string fields, left out
                sendable.push_back(i);
        }
        if (!sendable.empty()) {
            WriteOutcome sent = send(state, sendable);
            if (sent.kind == WriteOutcome::retry) return sent;
        }
        return rejection_outcome("InfluxDB at " + endpoint_.base, batch.size(), state.rejected,
                                 state.reject_reason);
    }

    // An empty write: 204 (or 404 before the database exists) when the account may write,
    // 401/403 when the server refuses it; a server that is down is retried later.
    base::Status check_access() override {
        HttpResponse response = post(write_url_, "", "text/plain; charset=utf-8");
        if (response.status == 404 && !v2_ &&
            influx_error_text(response.body).find("database not found") != std::string::npos) {
            // The first write would create it: find out now whether this account may.
            const std::string query = "CREATE DATABASE " + influxql_identifier(options_.db);
            response = post(http_url(endpoint_.base, "/query", {{"q", query}}), "",
                            "application/x-www-form-urlencoded");
        }
        if (response.status != 401 && response.status != 403) return {};
        return base::runtime_error(fmt::format(
            "InfluxDB at {} refuses the credentials ({} {}): check user:password in the "
            "--influx URL, or INFLUX_TOKEN",
            endpoint_.base, response.status, shorten_reason(influx_error_text(response.body))));
    }

  private:
    static void reject(WriteState& state, const std::vector<size_t>& indexes,
                       const std::string& why) {
        state.rejected.insert(state.rejected.end(), indexes.begin(), indexes.end());
        if (state.reject_reason.empty()) state.reject_reason = shorten_reason(why);
    }

    HttpResponse post(const std::string& url, std::string body, const std::string& type) {
        HttpRequest request;
        request.url = url;
        request.body = std::move(body);
        request.content_type = type;
        request.timeout_s = options_.timeout_s;
        request.gzip = gzip_ && request.body.size() >= k_min_gzip_body;
        if (v2_) {
            if (!options_.token.empty())
                request.headers.push_back("Authorization: Token " + options_.token);
        } else {
            request.username = options_.username;
            request.password = options_.password;
        }
        return client_->post(request);
    }

    // Sends the lines at `indexes`, splitting on 413 and isolating the lines a 400 names.
    WriteOutcome send(WriteState& state, const std::vector<size_t>& indexes) {
        std::string body;
        for (const size_t i : indexes) body += state.lines[i];
        HttpResponse response = post(write_url_, body, "text/plain; charset=utf-8");
        if (response.status == 415 && gzip_) {
            gzip_ = false;  // the server does not take gzip: send plain from now on
            return send(state, indexes);
        }
        if (response.status == 404 && !v2_ && !tried_create_ &&
            influx_error_text(response.body).find("database not found") != std::string::npos) {
            tried_create_ = true;
            if (WriteOutcome created = create_database(); created.kind != WriteOutcome::ok)
                return created;
            return send(state, indexes);
        }
        if (response.status >= 200 && response.status < 300) return {};
        if (response.status == 413) {
            if (indexes.size() == 1) {
                reject(state, indexes, "record larger than the server accepts (413)");
                return {};
            }
            return send_halves(state, indexes);
        }
        if (response.status == 400 || response.status == 422)
            return isolate(state, indexes, response);
        return retry_outcome(response);
    }

    WriteOutcome send_halves(WriteState& state, const std::vector<size_t>& indexes) {
        const auto middle = indexes.begin() + static_cast<long>(indexes.size() / 2);
        WriteOutcome first = send(state, std::vector<size_t>(indexes.begin(), middle));
        if (first.kind == WriteOutcome::retry) return first;
        return send(state, std::vector<size_t>(middle, indexes.end()));
    }

    // A 400: reject the lines the error names and send the rest again (a repeated point
    // overwrites itself, so this is safe after a partial write); bisect when it names none.
    WriteOutcome isolate(WriteState& state, const std::vector<size_t>& indexes,
                         const HttpResponse& response) {
        const std::string error = influx_error_text(response.body);
        std::vector<size_t> named = lines_named_in_error(error, state.batch, state.lines, indexes);
        if (named.empty()) {
            if (indexes.size() == 1 || state.split_budget <= 0) {
                reject(state, indexes, error);
                return {};
            }
            state.split_budget -= 2;
            return send_halves(state, indexes);
        }
        reject(state, named, error);
        std::vector<size_t> rest;
        std::set_difference(indexes.begin(), indexes.end(), named.begin(), named.end(),
                            std::back_inserter(rest));
        return rest.empty() ? WriteOutcome{} : send(state, rest);
    }

    WriteOutcome create_database() {
        const std::string query = "CREATE DATABASE " + influxql_identifier(options_.db);
        HttpResponse response = post(http_url(endpoint_.base, "/query", {{"q", query}}), "",
                                     "application/x-www-form-urlencoded");
        if (response.status >= 200 && response.status < 300) return {};
        WriteOutcome outcome = retry_outcome(response);
        outcome.message =
            fmt::format("InfluxDB at {} has no database '{}' and creating it failed: {}",
                        endpoint_.base, options_.db, outcome.message);
        return outcome;
    }

    WriteOutcome retry_outcome(const HttpResponse& response) const {
        if (response.status == 0)
            return failed_outcome(
                WriteOutcome::retry,
                fmt::format("InfluxDB at {}: {}", endpoint_.base, shorten_reason(response.error)));
        return failed_outcome(
            WriteOutcome::retry,
            fmt::format("InfluxDB at {} answered {}: {}", endpoint_.base, response.status,
                        shorten_reason(influx_error_text(response.body))));
    }

    InfluxSinkOptions options_;
    HttpEndpoint endpoint_;
    std::unique_ptr<HttpClient> client_;
    std::string write_url_;
    bool v2_ = false;
    bool gzip_ = true;
    bool tried_create_ = false;
};

// A URL's own `?db=` or `?org=&bucket=` replaces the target given by the flags, so that several
// --influx sinks (v1 and v2 at once) can each name theirs.
base::Result<InfluxSinkOptions> with_url_target(InfluxSinkOptions options) {
    auto parts = parse_url(options.url);
    if (!parts || parts->query.empty()) return options;
    InfluxSinkOptions target;
    for (auto& [key, value] : query_params(parts->query)) {
        if (key == "db")
            target.db = std::move(value);
        else if (key == "org")
            target.org = std::move(value);
        else if (key == "bucket")
            target.bucket = std::move(value);
        else if (key == "strings" && (value == "true" || value == "false"))
            options.string_fields = value == "true";
        else if (key == "strings")
            return base::usage_error("--influx: strings= takes true or false");
        else
            return base::usage_error(fmt::format(
                "--influx: unknown URL parameter '{}' (expected db, or org and bucket; strings)",
                key));
    }
    if (!target.db.empty() && (!target.org.empty() || !target.bucket.empty()))
        return base::usage_error("--influx: the URL names both db (v1) and org/bucket (v2)");
    if (target.db.empty() && target.org.empty() && target.bucket.empty())
        return options;  // only `strings=`: the flags name the target
    options.db = std::move(target.db);
    options.org = std::move(target.org);
    options.bucket = std::move(target.bucket);
    return options;
}

}  // namespace

base::Result<std::unique_ptr<Sink>> make_influx_sink(const InfluxSinkOptions& options) {
    return make_influx_sink(options, make_curl_http_client());
}

base::Result<std::unique_ptr<Sink>> make_influx_sink(const InfluxSinkOptions& given,
                                                     std::unique_ptr<HttpClient> client) {
    auto endpoint = parse_http_endpoint(given.url);
    if (!endpoint)
        return base::Error{endpoint.error().code, "--influx: " + endpoint.error().message};
    auto resolved = with_url_target(given);
    if (!resolved) return resolved.error();
    const InfluxSinkOptions& options = *resolved;
    const bool v2 = !options.org.empty() || !options.bucket.empty();
    if (v2 && (options.org.empty() || options.bucket.empty()))
        return base::usage_error(
            "--influx with the v2 API needs both --influx-org and --influx-bucket "
            "(or ?org=&bucket= in the URL)");
    if (!v2 && options.db.empty())
        return base::usage_error(
            "--influx needs --influx-db (v1) or --influx-org and --influx-bucket (v2), "
            "or the same in the URL (?db=, ?org=&bucket=)");
    if (!(options.timeout_s > 0))
        return base::usage_error("InfluxDB timeout must be above 0 seconds");
    std::unique_ptr<Sink> sink =
        std::make_unique<InfluxSink>(options, std::move(*endpoint), std::move(client));
    return sink;
}

}  // namespace iotctl::sinks
