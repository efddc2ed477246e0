// Payload bytes: UTF-8 checks, base64, and JSON decoding that never throws.
#pragma once

#include <cstddef>
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

/// Arrays and objects nested deeper than this are never decoded as JSON: such text would
/// overflow the stack of recursive code (nlohmann's dump, tree walks), and no device sends it.
inline constexpr size_t k_max_json_depth = 512;

/// Default of `--max-json-bytes`: a larger payload is carried as opaque bytes, not decoded.
inline constexpr size_t k_default_max_json_bytes = size_t{8} << 20;

/// Sets the payload size above which payloads are not decoded as JSON (`--max-json-bytes`).
void set_max_json_bytes(size_t bytes);

/// The payload size above which payloads are not decoded as JSON.
size_t max_json_bytes();

/// Why JSON text is not to be decoded: `larger than --max-json-bytes (N > M bytes)` or `nested
/// deeper than 512 levels`; nullopt within the limits. Every JSON parse of iotctl checks this
/// first: the functions below do, and nothing else calls nlohmann's parsers on outside input.
std::optional<std::string> json_limit_exceeded(std::string_view text, size_t max_bytes);

/// True when a payload is JSON within the limits, checked without building a document. When
/// false, `limit_reason` (if given) says which limit was exceeded, or is empty for non-JSON.
bool is_json_payload(std::string_view payload, std::string* limit_reason = nullptr);

/// Parses a payload as JSON; nullopt when it is not valid JSON (or not UTF-8), or is over the
/// limits (then `limit_reason`, if given, says which).
std::optional<nlohmann::json> parse_json_payload(std::string_view payload,
                                                 std::string* limit_reason = nullptr);

/// Feeds a payload to a SAX handler, within the limits; false when it is not JSON, the handler
/// stopped, or a limit was exceeded (then `limit_reason`, if given, says which).
bool sax_parse_payload(std::string_view payload, nlohmann::json_sax<nlohmann::json>& sax,
                       std::string* limit_reason = nullptr);

/// True when `text` is valid JSON, of any size and depth: checked without a document and without
/// recursion. For `sub --json` lines, whose payload is then carried as bytes (and meets the
/// limits only where it is decoded); everything else decodes through the functions above.
bool is_valid_json(std::string_view text);

/// Parses JSON text (no size limit, the depth limit applies) and on failure returns an error
/// whose message says where and why.
Result<nlohmann::json> parse_json_strict(std::string_view text);

/// Appends `text` as a JSON string (quoted and escaped, as dump_json writes it) to `out`
/// without copying it first; invalid UTF-8 is replaced as in dump_json.
void append_json_string(std::string& out, std::string_view text);

/// Appends valid UTF-8 text, or a slice of it, escaped for the inside of a JSON string (no
/// quotes, no check), for writing a huge string in pieces.
void append_json_escaped(std::string& out, std::string_view text);

/// The number of bytes append_json_string adds for valid UTF-8 `text` (to reserve them first).
size_t json_string_size(std::string_view text);

/// Appends the standard base64 of `bytes` to `out`.
void append_base64(std::string& out, std::string_view bytes);

/// Serialises JSON compactly; invalid UTF-8 inside strings is replaced, never thrown.
std::string dump_json(const nlohmann::json& value);

}  // namespace iotctl::base
