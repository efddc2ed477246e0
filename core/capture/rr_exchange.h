// `iotctl rr`'s request and reply: what a request carries so that its reply can be told apart
// (MQTT 5 Correlation Data, or a JSON field the responder echoes), and the verdict on each
// message that arrives on the response topic. Pure code, no I/O.
#pragma once

#include <array>
#include <cstdint>
#include <string>

#include "core/base/error.h"
#include "core/base/message.h"

namespace iotctl::capture {

/// How replies are matched: by Correlation Data (MQTT 5), by a JSON field, both, or neither
/// (then the first fresh message on the response topic is the reply, as with mosquitto_rr).
struct RrMatchSpec {
    bool correlation = false;  // MQTT 5: the request carries Correlation Data, the reply echoes it
    std::string match_path;  // --match-path: a dotted JSON path the request fills, the reply echoes
};

/// One request as published, and what its reply must carry.
struct RrRequest {
    std::string topic;             // -t
    std::string response_topic;    // -e
    std::string payload;           // the payload as sent (with the --match-path field filled)
    std::string correlation_data;  // empty unless spec.correlation
    std::string match_value;       // the value put at --match-path; empty without it
};

/// Why a message on the response topic was or was not taken as the reply.
enum class RrVerdict {
    reply,              // it is the reply
    retained,           // a retained message: an old reply, not an answer to this request
    own_request,        // our own request (request and response topic are the same)
    no_correlation,     // MQTT 5: it carries no Correlation Data
    other_correlation,  // MQTT 5: it carries another request's Correlation Data
    not_json,           // --match-path: the payload is not JSON
    no_match_field,     // --match-path: the payload has no field there
    other_match_value,  // --match-path: the field holds another request's value
    no_request,         // arrived while no request was waiting for its reply
};
constexpr size_t k_rr_verdicts = 9;

/// Checks a --match-path: dotted member names (`id`, `meta.request_id`); `$.` may start it.
base::Status check_match_path(const std::string& path);

/// A fresh random token (16 hex digits) for Correlation Data and --match-path values.
std::string new_rr_token();

/// Builds the request for `payload`: with spec.correlation the token is its Correlation Data,
/// with spec.match_path it is written into the JSON payload at that path (an empty payload
/// becomes an object). A usage error when the payload is not a JSON object but must be one.
base::Result<RrRequest> make_rr_request(const std::string& topic, const std::string& response_topic,
                                        const std::string& payload, const RrMatchSpec& spec,
                                        const std::string& token);

/// Judges one message that arrived on the response topic against the request waiting for it.
RrVerdict judge_reply(const base::Message& message, const RrRequest& request,
                      const RrMatchSpec& spec);

/// Counts the messages on the response topic that were not taken as a reply, by reason.
class RrIgnored {
  public:
    /// Counts one message with this verdict (a reply is not counted).
    void add(RrVerdict verdict);
    /// All ignored messages.
    uint64_t total() const { return total_; }
    /// How many were ignored for this reason.
    uint64_t count(RrVerdict verdict) const { return counts_[static_cast<size_t>(verdict)]; }
    /// "3 messages (2 with other correlation data, 1 retained)"; "no messages" when none.
    std::string summary() const;

  private:
    std::array<uint64_t, k_rr_verdicts> counts_{};
    uint64_t total_ = 0;
};

}  // namespace iotctl::capture
