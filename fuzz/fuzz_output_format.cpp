// libFuzzer target: mosquitto_sub -F format parsing and rendering, and --json lines
// (core/capture/output_format.cpp), over arbitrary message fields and payload bytes.
#include <cstdint>
#include <string>

#include <fuzzer/FuzzedDataProvider.h>

#include "core/base/payload.h"
#include "core/capture/output_format.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    FuzzedDataProvider input(data, size);
    iotctl::base::Message m;
    m.qos = input.ConsumeIntegralInRange(0, 2);
    m.retain = input.ConsumeBool();
    m.mid = input.ConsumeIntegral<uint16_t>();
    m.ts_ns = input.ConsumeIntegral<int64_t>();
    bool newline = input.ConsumeBool();
    std::string spec = input.ConsumeRandomLengthString(256);
    m.topic = input.ConsumeRandomLengthString(64);
    m.content_type = input.ConsumeRandomLengthString(16);
    if (input.ConsumeBool())
        m.user_properties.emplace_back(input.ConsumeRandomLengthString(16),
                                       input.ConsumeRandomLengthString(16));
    m.payload = input.ConsumeRemainingBytesAsString();

    std::string out;
    auto format = iotctl::capture::OutputFormat::parse(spec);
    if (format) {
        format->set_newline(newline);
        format->render(m, out);
        // Text without specifiers or escapes is printed as it is.
        if (spec.find_first_of("%@\\") == std::string::npos && out != spec + (newline ? "\n" : ""))
            __builtin_trap();
    } else if (format.error().message.empty()) {
        __builtin_trap();  // every rejection says why
    }
    out.clear();
    iotctl::capture::OutputFormat::json_lines().render(m, out);
    // A --json line is one line of valid JSON.
    if (out.empty() || out.back() != '\n' || out.find('\n') != out.size() - 1) __builtin_trap();
    if (!iotctl::base::is_valid_json(std::string_view(out).substr(0, out.size() - 1)))
        __builtin_trap();
    return 0;
}
