// libFuzzer target: JSON payload decoding and its limits (core/base/payload.cpp), the JSON text
// reader (core/base/json_text.cpp), and `sub --json` lines both ways (core/base/message_json.cpp)
// as `pub --jsonl` and replay read them. Checks that any payload bytes come back byte for byte
// from the line `sub --json` writes, and that the text reader agrees with nlohmann's document.
#include <cstdint>
#include <string_view>

#include "core/base/json_fields.h"
#include "core/base/json_text.h"
#include "core/base/message_json.h"
#include "core/base/payload.h"

namespace {
void check(bool ok) {
    if (!ok) __builtin_trap();
}

using namespace iotctl::base;

// Every member the document has is found in the text, with the same value.
void check_members(std::string_view text, const nlohmann::json& doc) {
    if (!doc.is_object()) return;
    for (const auto& [key, value] : doc.items()) {
        auto member = json_member(text, key);
        check(member.has_value());
        auto parsed = parse_json_payload(*member);
        check(parsed.has_value() && *parsed == value);
        if (!value.is_object() && !value.is_array())
            json_cell_text(*member);  // strings decoded, scalars as written
    }
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    is_valid_utf8(text);
    if (auto decoded = base64_decode(text)) check(base64_encode(*decoded).size() == text.size());

    // Any bytes as a payload: the --json line is one line of valid JSON and reads back exactly.
    Message sent;
    sent.topic = "t";
    sent.payload.assign(text);
    std::string line;
    append_message_json(sent, line);
    check(line.find('\n') == std::string::npos && is_valid_json(line));
    auto back = message_from_json_line(line);
    check(back.ok() && back->payload == sent.payload && back->topic == "t");

    std::string limit;
    auto lenient = parse_json_payload(text, &limit);
    auto strict = parse_json_strict(text);
    check(lenient.has_value() == strict.ok() || !limit.empty());
    check(is_json_payload(text) == lenient.has_value());
    if (json_nesting_depth(text, k_max_json_depth) > k_max_json_depth) check(!lenient);
    if (!lenient) return 0;
    dump_json(*lenient);  // recursion is bounded by the depth limit
    check_members(text, *lenient);
    check(json_value_end(text, text.find_first_not_of(" \t\r\n")) ==
          text.find_last_not_of(" \t\r\n") + 1);

    // The input as a `sub --json` line of its own.
    auto message = message_from_json_line(text);
    if (!message) return 0;
    std::string again_line;
    append_message_json(*message, again_line);
    auto again = message_from_json_line(again_line);
    check(again.ok());
    check(again->topic == message->topic && again->qos == message->qos &&
          again->retain == message->retain && again->payload == message->payload);
    // Timestamps keep microseconds.
    check(again->ts_ns / 1000 == message->ts_ns / 1000 ||
          again->ts_ns / 1000 == (message->ts_ns - 999) / 1000);
    return 0;
}
