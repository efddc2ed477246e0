// libFuzzer target: JSON payload decoding (core/base/payload.cpp) and reading `sub --json` lines
// back into messages (message_from_json in core/capture/output_format.cpp), as `pub --jsonl` and
// replay do. Checks that what `sub --json` writes for a decoded message reads back as the same
// message.
#include <cstdint>
#include <string_view>

#include "core/base/message_json.h"
#include "core/base/payload.h"

namespace {
void check(bool ok) {
    if (!ok) __builtin_trap();
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    iotctl::base::is_valid_utf8(text);
    if (auto decoded = iotctl::base::base64_decode(text))
        check(iotctl::base::base64_encode(*decoded).size() == text.size());

    auto lenient = iotctl::base::parse_json_payload(text);
    auto strict = iotctl::base::parse_json_strict(text);
    check(lenient.has_value() == strict.ok());
    if (!lenient) return 0;
    iotctl::base::dump_json(*lenient);

    auto message = iotctl::base::message_from_json(*lenient);
    if (!message) return 0;
    auto again = iotctl::base::message_from_json(iotctl::base::message_to_json(*message));
    check(again.ok());
    check(again->topic == message->topic && again->qos == message->qos &&
          again->retain == message->retain);
    // Payloads that are not JSON travel as strings or base64 and come back byte for byte.
    if (!iotctl::base::parse_json_payload(message->payload))
        check(again->payload == message->payload);
    // Timestamps keep microseconds.
    check(again->ts_ns / 1000 == message->ts_ns / 1000 ||
          again->ts_ns / 1000 == (message->ts_ns - 999) / 1000);
    return 0;
}
