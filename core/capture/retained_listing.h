// How `retained ls` and `retained clear` print retained messages: aligned lines or JSON lines.
#pragma once

#include <string>
#include <vector>

#include "core/base/message.h"

namespace iotctl::capture {

/// How many payload bytes a text line shows.
inline constexpr size_t k_retained_shown_bytes = 40;

/// One line per message (each ending in a newline), sorted as given: the topic (padded to the
/// longest), the payload size in bytes, the MQTT 5 message expiry the broker reported (seconds
/// left, `-` when none: MQTT keeps no publish time, so the age is unknown) and the payload's
/// first bytes, printable (base::printable).
std::string render_retained_text(const std::vector<base::Message>& messages);

/// One `sub --json` line per message with two more keys: `size` (payload bytes) and
/// `expires_in` (seconds, only when the broker sent a message expiry).
std::string render_retained_json(const std::vector<base::Message>& messages);

/// The topics, comma separated, the first `limit` of them then "and N more".
std::string topic_list(const std::vector<base::Message>& messages, size_t limit = 10);

}  // namespace iotctl::capture
