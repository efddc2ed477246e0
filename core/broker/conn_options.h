// Connection options shared by every subcommand that talks to a broker (docs/connection.md).
#pragma once

#include <optional>
#include <string>

#include "core/base/error.h"

namespace iotctl::broker {

/// Everything needed to open one MQTT connection; filled from flags, env, .env and config.
struct ConnOptions {
    std::string host = "localhost";
    int port = 0;  // 0: 1883, or 8883 with TLS
    std::string url;
    std::string username;
    std::string password;
    std::string password_file;
    std::string client_id;  // empty: iotctl-<cmd>-<random>
    int keepalive = 60;
    std::string protocol_version = "mqttv311";
    std::string cafile, capath, cert, key, tls_version;
    bool insecure = false;
    bool tls_requested = false;  // --tls, --tls-use-os-certs, MQTT_TLS=true: TLS, OS trust store
    bool no_tls = false;         // --no-tls, MQTT_TLS=false: plain MQTT even on port 8883
    std::string will_topic, will_payload;
    int will_qos = 0;
    bool will_retain = false;
    bool clean_session = true;
    int session_expiry = 0;  // MQTT 5 session expiry interval, seconds
    double connect_timeout = 10.0;
    int max_inflight = 0;   // -M: outgoing QoS 1/2 messages in flight (0: the library's default)
    bool nodelay = false;   // --nodelay: TCP_NODELAY on the broker connection
    std::string id_prefix;  // -I: client id is this prefix and the process id
    bool tls = false;       // set by resolve() from the URL scheme, TLS options or port 8883
    bool tls_from_port = false;  // set by resolve(): TLS is on only because the port is 8883
};

/// The port MQTT over TLS is registered on: TLS is on by default when it is the port.
constexpr int k_mqtt_tls_port = 8883;

/// Parts of an `mqtt[s]://[user[:pass]@]host[:port][/topic]` URL.
struct BrokerUrl {
    bool tls = false;
    std::string username, password, host, topic;
    std::optional<int> port;
};

/// Parses a broker URL as accepted by `-L/--url`.
base::Result<BrokerUrl> parse_broker_url(const std::string& url);

/// Applies the URL and password file, checks ranges; returns a topic named in the URL, if any.
base::Result<std::string> resolve_conn_options(ConnOptions& opts);

/// True when the options ask for MQTT 5.
bool is_mqtt5(const ConnOptions& opts);

/// Paho's MQTTVERSION_* for the options' protocol version (3.1, 3.1.1 or 5).
int mqtt_version(const ConnOptions& opts);

/// The URI Paho connects to, e.g. `tcp://localhost:1883` or `ssl://host:8883`.
std::string server_uri(const ConnOptions& opts);

/// The effective port (explicit, or 1883 / 8883 by TLS).
int effective_port(const ConnOptions& opts);

/// A client id `iotctl-<cmd>-<8 random hex>` for when none was given.
std::string random_client_id(const std::string& command);

}  // namespace iotctl::broker
