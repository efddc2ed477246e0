// A message as one JSON object (`sub --json`, dead letters, captures in JSON Lines) and back.
#pragma once

#include <nlohmann/json.hpp>

#include "core/base/error.h"
#include "core/base/message.h"

namespace iotctl::base {

/// The `--json` object for a message: ts, topic, qos, retain, payload (+ payload_encoding).
nlohmann::json message_to_json(const Message& message);

/// Reads a `sub --json` object back into a message; an error says which key is wrong.
Result<Message> message_from_json(const nlohmann::json& object);

}  // namespace iotctl::base
