// A message as one JSON object (`sub --json`, captures in JSON Lines, `pub --jsonl`) and back.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/base/error.h"
#include "core/base/message.h"

namespace iotctl::base {

/// Appends the `sub --json` line of a message to `out`, without a newline: ts, topic, qos,
/// retain, payload (+ payload_encoding, payload_note), MQTT 5 properties. A payload that is JSON
/// within the limits (payload.h) is embedded as its own text, so numbers, key order and escapes
/// stay as sent; unless it is a JSON string, or has line breaks or white space around it: then,
/// like any UTF-8 text, it is a string. Other bytes are base64 ("payload_encoding":"base64").
/// A payload not decoded because of a limit gets "payload_note" saying which.
void append_message_json(const Message& message, std::string& out);

/// The same line handed to `emit` in pieces (a huge payload in slices of at most 192 KiB, as
/// they are or encoded one by one), so it is never held whole a second time.
void write_message_json(const Message& message, const std::function<void(std::string_view)>& emit);

/// Reads one `sub --json` line back into a message. A payload that is not a string is taken as
/// its exact text in the line (what append_message_json embedded); an error says what is wrong.
Result<Message> message_from_json_line(std::string_view line);

/// A message as a JSON document, the payload decoded as JSON where it is JSON within the limits
/// (numbers as nlohmann reads them); for properties and tests, not for output lines.
nlohmann::json message_to_json(const Message& message);

/// Reads a `sub --json` object back into a message (a non-string payload as its compact JSON
/// text); an error says which key is wrong.
Result<Message> message_from_json(const nlohmann::json& object);

}  // namespace iotctl::base
