#include "core/broker/mqtt_properties.h"

#include <algorithm>
#include <charconv>
#include <map>

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace iotctl::broker {

namespace {

enum class Kind { byte, two_bytes, four_bytes, text, binary, pair };

struct PropertySpec {
    mqtt::property::code code;
    Kind kind;
    uint32_t min = 0;  // the smallest value the protocol allows (integers)
};

using P = mqtt::property;
// mosquitto's names (the specification's, with '-'), their codes and data types.
const std::map<std::string, PropertySpec>& property_specs() {
    static const std::map<std::string, PropertySpec> k_specs = {
        {"authentication-data", {P::AUTHENTICATION_DATA, Kind::binary}},
        {"authentication-method", {P::AUTHENTICATION_METHOD, Kind::text}},
        {"content-type", {P::CONTENT_TYPE, Kind::text}},
        {"correlation-data", {P::CORRELATION_DATA, Kind::binary}},
        {"maximum-packet-size", {P::MAXIMUM_PACKET_SIZE, Kind::four_bytes, 1}},
        {"message-expiry-interval", {P::MESSAGE_EXPIRY_INTERVAL, Kind::four_bytes}},
        {"payload-format-indicator", {P::PAYLOAD_FORMAT_INDICATOR, Kind::byte}},
        {"reason-string", {P::REASON_STRING, Kind::text}},
        {"receive-maximum", {P::RECEIVE_MAXIMUM, Kind::two_bytes, 1}},
        {"request-problem-information", {P::REQUEST_PROBLEM_INFORMATION, Kind::byte}},
        {"request-response-information", {P::REQUEST_RESPONSE_INFORMATION, Kind::byte}},
        {"response-topic", {P::RESPONSE_TOPIC, Kind::text}},
        {"session-expiry-interval", {P::SESSION_EXPIRY_INTERVAL, Kind::four_bytes}},
        {"subscription-identifier", {P::SUBSCRIPTION_IDENTIFIER, Kind::four_bytes, 1}},
        {"topic-alias", {P::TOPIC_ALIAS, Kind::two_bytes, 1}},
        {"topic-alias-maximum", {P::TOPIC_ALIAS_MAXIMUM, Kind::two_bytes}},
        {"user-property", {P::USER_PROPERTY, Kind::pair}},
        {"will-delay-interval", {P::WILL_DELAY_INTERVAL, Kind::four_bytes}},
    };
    return k_specs;
}

// Which properties each packet may carry (MQTT 5, as mosquitto_pub(1) and mosquitto_sub(1)).
const std::map<std::string, std::vector<std::string>>& allowed() {
    static const std::map<std::string, std::vector<std::string>> k_allowed = {
        {"connect",
         {"authentication-data", "authentication-method", "maximum-packet-size", "receive-maximum",
          "request-problem-information", "request-response-information", "session-expiry-interval",
          "topic-alias-maximum", "user-property"}},
        {"publish",
         {"content-type", "correlation-data", "message-expiry-interval", "payload-format-indicator",
          "response-topic", "topic-alias", "user-property"}},
        {"subscribe", {"user-property"}},
        {"unsubscribe", {"user-property"}},
        {"disconnect", {"session-expiry-interval", "user-property"}},
        {"will",
         {"content-type", "correlation-data", "message-expiry-interval", "payload-format-indicator",
          "response-topic", "user-property", "will-delay-interval"}},
    };
    return k_allowed;
}

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

base::Result<mqtt::property> make_property(const std::string& name, const PropertySpec& spec,
                                           const std::string& value) {
    if (spec.kind == Kind::text || spec.kind == Kind::binary)
        return mqtt::property(spec.code, mqtt::string_ref(value));
    uint32_t max = spec.kind == Kind::byte ? 1 : spec.kind == Kind::two_bytes ? 65535 : 0xFFFFFFFFu;
    uint64_t n = 0;
    auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
    if (ec != std::errc() || end != value.data() + value.size() || n < spec.min || n > max)
        return base::usage_error(
            fmt::format("invalid -D {} value '{}': expected {} to {}", name, value, spec.min, max));
    return mqtt::property(spec.code, static_cast<int32_t>(static_cast<uint32_t>(n)));
}

}  // namespace

bool PacketProperties::empty() const {
    return connect.empty() && publish.empty() && subscribe.empty() && unsubscribe.empty() &&
           disconnect.empty() && will.empty();
}

base::Result<PacketProperties> parse_properties(const std::vector<std::string>& values,
                                                const std::set<std::string>& commands) {
    PacketProperties out;
    size_t i = 0;
    while (i < values.size()) {
        std::string command = lower(values[i]);
        if (!commands.count(command))
            return base::usage_error(fmt::format("invalid -D command '{}': expected one of {}",
                                                 values[i], fmt::join(commands, ", ")));
        if (i + 2 >= values.size())
            return base::usage_error(
                fmt::format("invalid -D {}: expected -D {} PROPERTY VALUE", command, command));
        std::string name = lower(values[i + 1]);
        const auto& names = allowed().at(command);
        if (std::find(names.begin(), names.end(), name) == names.end())
            return base::usage_error(fmt::format("invalid -D {} property '{}': {} takes {}",
                                                 command, values[i + 1], command,
                                                 fmt::join(names, ", ")));
        const PropertySpec& spec = property_specs().at(name);
        mqtt::properties& target = command == "connect"       ? out.connect
                                   : command == "publish"     ? out.publish
                                   : command == "subscribe"   ? out.subscribe
                                   : command == "unsubscribe" ? out.unsubscribe
                                   : command == "disconnect"  ? out.disconnect
                                                              : out.will;
        if (spec.kind == Kind::pair) {
            if (i + 3 >= values.size())
                return base::usage_error(fmt::format(
                    "invalid -D {} user-property: expected -D {} user-property NAME VALUE", command,
                    command));
            target.add(mqtt::property(spec.code, values[i + 2], values[i + 3]));
            i += 4;
            continue;
        }
        auto property = make_property(name, spec, values[i + 2]);
        if (!property) return property.error();
        if (spec.kind != Kind::pair && target.contains(spec.code))
            return base::usage_error(fmt::format("invalid -D: {} {} given twice", command, name));
        target.add(*property);
        i += 3;
    }
    return out;
}

}  // namespace iotctl::broker
