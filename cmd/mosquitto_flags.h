// The mosquitto_sub/mosquitto_pub client flags beyond the connection: -D, -d, --quiet, -I, -M,
// --nodelay, -A, with the meaning mosquitto 2.0 gives them (docs/commands.md).
#pragma once

#include <set>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "core/broker/conn_options.h"
#include "core/broker/mqtt_properties.h"
#include "core/broker/publisher.h"

namespace iotctl::cli {

/// What those flags were given.
struct MosquittoFlags {
    std::vector<std::string> properties;  // -D values from every use, in order
    bool debug = false, quiet = false;
    std::string bind_address;  // -A
    CLI::App* app = nullptr;   // to tell whether -V was given
};

/// Adds -D, -d, --quiet, -I, -M, --nodelay and -A to `app`.
void add_mosquitto_flags(CLI::App& app, broker::ConnOptions& conn, MosquittoFlags& flags);

/// Checks the flags and parses -D for the packets in `commands`; -D turns MQTT 5 on unless -V
/// names another version (as in mosquitto). A usage error names the bad flag.
base::Result<broker::PacketProperties> resolve_mosquitto_flags(
    broker::ConnOptions& conn, const MosquittoFlags& flags, const std::set<std::string>& commands);

/// Gives `session` the properties and, with -d, prints its packet log on stderr.
void apply_mosquitto_flags(broker::Publisher& session, const MosquittoFlags& flags,
                           broker::PacketProperties props);

/// True after --quiet: runtime errors and warnings are not printed (usage errors still are).
bool quiet_requested();

}  // namespace iotctl::cli
