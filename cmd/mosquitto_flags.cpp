#include "cmd/mosquitto_flags.h"

#include "core/broker/bind_address.h"

#include <atomic>
#include <iostream>

#include <fmt/format.h>

namespace iotctl::cli {

namespace {
std::atomic<bool> g_quiet{false};
}

void add_mosquitto_flags(CLI::App& app, broker::ConnOptions& conn, MosquittoFlags& flags) {
    flags.app = &app;
    const char* g = "mosquitto client";
    app.add_option("-D,--property", flags.properties,
                   "MQTT 5 property, repeatable: -D COMMAND PROPERTY VALUE, or -D COMMAND "
                   "user-property NAME VALUE (turns MQTT 5 on)")
        ->expected(3, 4)
        ->allow_extra_args(false)
        ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)
        ->type_name("CMD PROP VALUE")
        ->group(g);
    app.add_flag("-d,--debug", flags.debug, "Print each MQTT packet sent and received on stderr")
        ->group(g);
    app.add_flag_callback(
           "--quiet", [&flags] { flags.quiet = g_quiet = true; },
           "Print no runtime errors or warnings (usage errors still are)")
        ->group(g);
    app.add_option("-I,--id-prefix", conn.id_prefix,
                   "Client id: this prefix and the process id (not with -i)")
        ->group(g);
    app.add_option("-M,--max-inflight", conn.max_inflight,
                   "Outgoing QoS 1/2 messages in flight at once")
        ->group(g);
    app.add_flag("--nodelay", conn.nodelay, "Disable Nagle's algorithm (TCP_NODELAY)")->group(g);
    app.add_option("-A", flags.bind_address,
                   "Bind the connection to this local address or host name")
        ->type_name("ADDRESS")
        ->group(g);
}

base::Result<broker::PacketProperties> resolve_mosquitto_flags(
    broker::ConnOptions& conn, const MosquittoFlags& flags, const std::set<std::string>& commands) {
    if (!flags.bind_address.empty())
        if (auto bound = broker::bind_connections_to(flags.bind_address); !bound)
            return bound.error();
    if (flags.properties.empty()) return broker::PacketProperties{};
    bool version_given = flags.app && flags.app->get_option_no_throw("-V") &&
                         flags.app->get_option_no_throw("-V")->count() > 0;
    if (!broker::is_mqtt5(conn)) {
        if (version_given)
            return base::usage_error(
                fmt::format("-D needs MQTT 5, but -V asks for {}: leave -V out or give -V mqttv5",
                            conn.protocol_version));
        conn.protocol_version = "mqttv5";  // as mosquitto: -D makes the client an MQTT 5 one
    }
    auto props = broker::parse_properties(flags.properties, commands);
    if (!props) return props.error();
    if (!props->will.empty() && conn.will_topic.empty())
        return base::usage_error("-D will ... needs --will-topic");
    return props;
}

void apply_mosquitto_flags(broker::Publisher& session, const MosquittoFlags& flags,
                           broker::PacketProperties props) {
    session.set_properties(std::move(props));
    if (flags.debug)
        session.on_debug(
            [](const std::string& line) { std::cerr << "iotctl: debug: " << line << "\n"; });
}

bool quiet_requested() {
    return g_quiet;
}

}  // namespace iotctl::cli
