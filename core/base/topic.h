// MQTT topic names and filters: validation and matching (MQTT 3.1.1 §4.7, with $share).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/base/error.h"

namespace iotctl::base {

/// Why a topic name cannot be published (MQTT 3.1.1 §1.5.3, §4.7.3); `none` when it can.
enum class TopicProblem { none, empty, too_long, nul, invalid_utf8, wildcard };

/// MQTT's limit on the length of a topic name or filter, in bytes.
inline constexpr size_t k_max_topic_bytes = 65535;

/// The topic name's problem, the first of: empty, too long, a NUL, not UTF-8, a wildcard.
TopicProblem topic_name_problem(std::string_view topic);

/// The problem in words about a "topic" (or `what`), e.g. "topic contains a NUL character".
std::string describe_topic_problem(TopicProblem problem, std::string_view what = "topic");

/// Checks a topic name used for publishing: non-empty, valid UTF-8, no wildcards, no NUL.
Status validate_topic_name(std::string_view topic);

/// Checks a subscription filter: `+` and `#` whole levels, `#` last; `$share/G/filter` allowed.
Status validate_topic_filter(std::string_view filter);

/// The filter without a `$share/<group>/` prefix (what the broker matches topics against).
std::string_view strip_share_prefix(std::string_view filter);

/// True when the topic name matches the filter (a `$share/` prefix is ignored).
bool topic_matches(std::string_view filter, std::string_view topic);

/// The topic split at `/` into its levels (empty levels kept).
std::vector<std::string_view> topic_levels(std::string_view topic);

/// True when any filter in the list matches the topic.
bool any_filter_matches(const std::vector<std::string>& filters, std::string_view topic);

}  // namespace iotctl::base
