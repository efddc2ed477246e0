#include "cmd/subcommands.h"

#include "cmd/completions.h"
#include "cmd/csv_export.h"
#include "cmd/expect.h"
#include "cmd/ingest.h"
#include "cmd/pub.h"
#include "cmd/replay.h"
#include "cmd/retained.h"
#include "cmd/rr.h"
#include "cmd/simulate_hexaboard.h"
#include "cmd/sub.h"

namespace iotctl::cli {

const std::vector<SubcommandSpec>& subcommand_table() {
    static const std::vector<SubcommandSpec> k_table = {
        {"sub", "Subscribe and print messages (like mosquitto_sub)", setup_sub},
        {"pub", "Publish messages without dropping any (like mosquitto_pub)", setup_pub},
        {"expect", "Wait until expected messages arrive (or prove none do)", setup_expect},
        {"rr", "Publish a request and print its reply (like mosquitto_rr)", setup_rr},
        {"ingest", "Store MQTT messages in InfluxDB, MySQL/MariaDB or SQLite", setup_ingest},
        {"replay", "Publish a recorded capture again", setup_replay},
        {"retained", "List retained messages, or clear them and check", setup_retained},
        {"csv-export", "Turn a capture (or a live subscription) into CSV", setup_csv_export},
        {"simulate-hexaboard", "Simulate hexaboards or Tasmota gateways", setup_simulate_hexaboard},
        {"completions", "Print a shell completion script (bash, zsh, fish)", setup_completions},
    };
    return k_table;
}

}  // namespace iotctl::cli
