// Payload bytes: UTF-8 checks, base64, and JSON decoding that never throws.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/base/error.h"

namespace iotctl::base {

/// True when the bytes are well-formed UTF-8 (no overlongs, no surrogates).
bool is_valid_utf8(std::string_view bytes);

/// The text with control characters and bytes that are not UTF-8 shown as `\xNN`, cut after
/// about `max_bytes` bytes (then ending in `...`): safe to print on a terminal in one line.
std::string printable(std::string_view bytes, size_t max_bytes = std::string::npos);

/// Standard base64 (RFC 4648, with padding).
std::string base64_encode(std::string_view bytes);

/// Decodes standard base64; an error names the first bad character.
Result<std::string> base64_decode(std::string_view text);

/// Parses a payload as JSON; nullopt when it is not valid JSON (or not UTF-8).
std::optional<nlohmann::json> parse_json_payload(std::string_view payload);

/// Parses JSON and on failure returns an error whose message says where and why.
Result<nlohmann::json> parse_json_strict(std::string_view text);

/// Serialises JSON compactly; invalid UTF-8 inside strings is replaced, never thrown.
std::string dump_json(const nlohmann::json& value);

}  // namespace iotctl::base
