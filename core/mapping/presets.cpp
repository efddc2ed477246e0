#include "core/mapping/presets.h"

namespace iotctl::mapping {
namespace {

// Hexaboard: readings and the online/offline status (Last Will) of each board.
constexpr std::string_view k_hexaboard = R"(
[[rule]]
filter = "hexaboard/+/sensor/data"
measurement = "hexaboard"
tags.board = { path = "board", topic_level = 2 }
fields.temperature = "float"
fields.humidity = "float"
fields.light = "float"
auto_fields = true
time = { path = "timestamp", format = "auto" }

[[rule]]
filter = "hexaboard/+/status"
payload = "text"
measurement = "hexaboard_status"
tags.board = { topic_level = 2 }
fields.online = { path = "$", type = "bool" }
)";

// Tasmota: Zigbee devices (one record each), local climate sensors, gateway health.
constexpr std::string_view k_tasmota = R"(
[[rule]]
filter = "tele/+/LWT"
skip = true

[[rule]]
filter = "tele/+/SENSOR"
when = "ZbReceived"
measurement = "zigbee"
each = "ZbReceived"
tags.gateway = { topic_level = 2 }
tags.device = { path = "Device", key = true }
tags.name = { path = "Name" }
auto_fields = true
time = { path = "$.Time", format = "iso8601" }

[[rule]]
filter = "tele/+/SENSOR"
measurement = "gateway_climate"
each = "$"
each_with = ["Temperature", "Humidity", "DewPoint", "Pressure", "SeaPressure", "Illuminance",
             "CarbonDioxide", "Gas"]
tags.gateway = { topic_level = 2 }
tags.sensor = { key = true }
auto_fields = true
time = { path = "$.Time", format = "iso8601" }

[[rule]]
filter = "tele/+/STATE"
measurement = "gateway_state"
tags.gateway = { topic_level = 2 }
auto_fields = true
time = { path = "Time", format = "iso8601" }
)";

// Generic: any topic; the topic names the measurement, top-level strings are tags, the other
// leaves fields.
constexpr std::string_view k_generic = R"(
[[rule]]
filter = "#"
measurement = "{topic}"
tags.topic = "{topic}"
auto_tags = true
auto_fields = true
count_field = "events"
)";

}  // namespace

std::string_view preset_mapping_text(std::string_view name) {
    if (name == "hexaboard") return k_hexaboard;
    if (name == "tasmota") return k_tasmota;
    if (name == "generic") return k_generic;
    return {};
}

std::vector<std::string_view> preset_names() {
    return {"hexaboard", "tasmota", "generic"};
}

}  // namespace iotctl::mapping
