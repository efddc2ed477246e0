#include "core/capture/rr_exchange.h"

#include <random>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/base/payload.h"

namespace iotctl::capture {

namespace {

// The members of a dotted path, `$.` and all; empty when the path is not valid.
std::vector<std::string> path_steps(std::string_view path) {
    if (path.starts_with("$.")) path.remove_prefix(2);
    std::vector<std::string> steps;
    size_t start = 0;
    while (start <= path.size()) {
        size_t dot = std::min(path.find('.', start), path.size());
        std::string step(path.substr(start, dot - start));
        if (step.empty() || step == "*" || step == "$") return {};
        steps.push_back(std::move(step));
        start = dot + 1;
    }
    return steps;
}

nlohmann::json::json_pointer pointer_of(const std::string& path) {
    std::string text;
    for (const auto& step : path_steps(path)) {
        text += '/';
        for (char c : step) text += c == '~' ? "~0" : c == '/' ? "~1" : std::string(1, c);
    }
    return nlohmann::json::json_pointer(text);
}

constexpr const char* k_reasons[k_rr_verdicts] = {
    "",
    "retained",
    "our own request",
    "without correlation data",
    "with other correlation data",
    "not JSON",
    "without the --match-path field",
    "with another --match-path value",
    "while no request was waiting",
};

}  // namespace

base::Status check_match_path(const std::string& path) {
    if (path_steps(path).empty())
        return base::usage_error(fmt::format(
            "--match-path '{}': expected a dotted JSON path such as id or meta.request_id", path));
    return {};
}

std::string new_rr_token() {
    static thread_local std::mt19937_64 engine{std::random_device{}()};
    return fmt::format("{:016x}", engine());
}

base::Result<RrRequest> make_rr_request(const std::string& topic, const std::string& response_topic,
                                        const std::string& payload, const RrMatchSpec& spec,
                                        const std::string& token) {
    RrRequest r{topic, response_topic, payload, {}, {}};
    if (spec.correlation) r.correlation_data = token;
    if (spec.match_path.empty()) return r;
    if (auto s = check_match_path(spec.match_path); !s) return s.error();
    nlohmann::ordered_json body = nlohmann::ordered_json::object();
    if (!payload.empty()) {
        body = nlohmann::ordered_json::parse(payload, nullptr, false);
        if (body.is_discarded() || !body.is_object())
            return base::usage_error(
                "--match-path needs a request payload that is a JSON object (or none)");
    }
    try {
        body[nlohmann::ordered_json::json_pointer(pointer_of(spec.match_path).to_string())] = token;
    } catch (const nlohmann::json::exception&) {
        return base::usage_error(fmt::format(
            "--match-path {}: the request payload has a value there that is not an object",
            spec.match_path));
    }
    r.payload = body.dump();
    r.match_value = token;
    return r;
}

RrVerdict judge_reply(const base::Message& m, const RrRequest& request, const RrMatchSpec& spec) {
    if (m.retain) return RrVerdict::retained;
    if (m.topic == request.topic && m.payload == request.payload &&
        (!spec.correlation || m.response_topic == request.response_topic))
        return RrVerdict::own_request;
    if (spec.correlation) {
        if (m.correlation_data.empty()) return RrVerdict::no_correlation;
        if (m.correlation_data != request.correlation_data) return RrVerdict::other_correlation;
    }
    if (!spec.match_path.empty()) {
        auto body = base::parse_json_payload(m.payload);
        if (!body) return RrVerdict::not_json;
        const auto ptr = pointer_of(spec.match_path);
        if (!body->contains(ptr)) return RrVerdict::no_match_field;
        const auto& value = (*body)[ptr];
        if (!value.is_string() || value.get<std::string>() != request.match_value)
            return RrVerdict::other_match_value;
    }
    return RrVerdict::reply;
}

void RrIgnored::add(RrVerdict verdict) {
    if (verdict == RrVerdict::reply) return;
    ++counts_[static_cast<size_t>(verdict)];
    ++total_;
}

std::string RrIgnored::summary() const {
    if (total_ == 0) return "no messages";
    std::vector<std::string> parts;
    for (size_t i = 1; i < k_rr_verdicts; ++i)
        if (counts_[i] > 0) parts.push_back(fmt::format("{} {}", counts_[i], k_reasons[i]));
    return fmt::format("{} message{} ({})", total_, total_ == 1 ? "" : "s", fmt::join(parts, ", "));
}

}  // namespace iotctl::capture
