// SyncPublisher's connection: create, connect (TLS, Will, MQTT 5 properties), keepalive while
// the caller is away, disconnect.
#include "core/broker/sync_publisher.h"

#include <cmath>
#include <cstdlib>

#include <fmt/format.h>

#include "core/broker/session.h"
#include "core/broker/tcp_no_delay.h"

namespace iotctl::broker {

namespace {

constexpr auto k_keepalive_tick = std::chrono::milliseconds(500);

// MQTT 5: a property of the CONNACK, or `fallback` when it has none.
int connack_property(const MQTTProperties* props, int code, int fallback) {
    if (!props) return fallback;
    for (int i = 0; i < props->count; ++i)
        if (props->array[i].identifier == code) return props->array[i].value.integer2;
    return fallback;
}

// Paho C reads properties and never frees what it is given; its C++ wrapper owns them here.
MQTTProperties* c_props(const mqtt::properties& props) {
    return props.empty() ? nullptr : const_cast<MQTTProperties*>(&props.c_struct());
}

}  // namespace

SyncPublisher::SyncPublisher(ConnOptions opts, const std::string& command)
    : opts_(std::move(opts)), pending_(65536, 0) {
    client_id_ = opts_.client_id.empty() ? random_client_id(command) : opts_.client_id;
    uri_ = server_uri(opts_);
    v5_ = is_mqtt5(opts_);
    MQTTClient_createOptions create = MQTTClient_createOptions_initializer;
    create.MQTTVersion = v5_ ? MQTTVERSION_5 : MQTTVERSION_DEFAULT;
    // No persistence: the default file store writes one file per message into the cwd.
    MQTTClient_createWithOptions(&client_, uri_.c_str(), client_id_.c_str(),
                                 MQTTCLIENT_PERSISTENCE_NONE, nullptr, &create);
    // Paho's default trace level formats a log line for each packet and records each function
    // entry in a ring buffer nobody reads unless MQTT_C_CLIENT_TRACE is set: a third of the CPU
    // of a QoS 0 publish. Errors only, unless the user asked for a trace.
    if (!std::getenv("MQTT_C_CLIENT_TRACE")) MQTTClient_setTraceLevel(MQTTCLIENT_TRACE_ERROR);
    if (v5_ && client_) {
        MQTTClient_setPublished(
            client_, this,
            [](void* context, int token, int, MQTTProperties*, enum MQTTReasonCodes reason) {
                if (reason >= MQTTREASONCODE_UNSPECIFIED_ERROR)
                    static_cast<SyncPublisher*>(context)->refused_.emplace_back(token, reason);
            });
    }
    last_io_ = std::chrono::steady_clock::now();
}

SyncPublisher::~SyncPublisher() {
    {
        std::lock_guard lock(io_);
        stopping_ = true;
    }
    wake_.notify_all();
    if (keeper_.joinable()) keeper_.join();
    if (client_) {
        if (MQTTClient_isConnected(client_)) MQTTClient_disconnect(client_, 0);
        MQTTClient_destroy(&client_);
    }
}

void SyncPublisher::set_publish_window(size_t window) {
    // Packet ids are 1..65535 and a finished one is forgotten only at the next look: keep the
    // window well inside them.
    window_ = std::clamp<size_t>(window, 1, 32768);
}

int SyncPublisher::connect_once(std::string& error) {
    MQTTClient_connectOptions conn = MQTTClient_connectOptions_initializer;
    if (v5_) conn = MQTTClient_connectOptions_initializer5;
    conn.MQTTVersion = mqtt_version(opts_);
    conn.keepAliveInterval = opts_.keepalive;
    if (v5_)
        conn.cleanstart = opts_.clean_session;
    else
        conn.cleansession = opts_.clean_session;
    conn.reliable = 0;
    conn.connectTimeout = std::max(1, static_cast<int>(std::ceil(opts_.connect_timeout)));
    // Paho blocks a publish when its own window is full, then polls in 100 ms steps: keep its
    // window at ours so that this never happens, and wait for acknowledgements ourselves.
    conn.maxInflightMessages = static_cast<int>(
        opts_.max_inflight > 0 ? static_cast<size_t>(opts_.max_inflight) : window_);
    if (!opts_.username.empty()) conn.username = opts_.username.c_str();
    if (!opts_.password.empty()) conn.password = opts_.password.c_str();
    MQTTClient_willOptions will = MQTTClient_willOptions_initializer;
    if (!opts_.will_topic.empty()) {
        will.topicName = opts_.will_topic.c_str();
        will.payload.data = opts_.will_payload.data();
        will.payload.len = static_cast<int>(opts_.will_payload.size());
        will.qos = opts_.will_qos;
        will.retained = opts_.will_retain;
        conn.will = &will;
    }
    MQTTClient_SSLOptions ssl = MQTTClient_SSLOptions_initializer;
    if (opts_.tls) {
        if (!opts_.cafile.empty()) ssl.trustStore = opts_.cafile.c_str();
        if (!opts_.capath.empty()) ssl.CApath = opts_.capath.c_str();
        if (!opts_.cert.empty()) ssl.keyStore = opts_.cert.c_str();
        if (!opts_.key.empty()) ssl.privateKey = opts_.key.c_str();
        ssl.enableServerCertAuth = !opts_.insecure;
        ssl.verify = !opts_.insecure;
        if (opts_.tls_version == "tlsv1.1") ssl.sslVersion = MQTT_SSL_VERSION_TLS_1_1;
        if (opts_.tls_version == "tlsv1.2") ssl.sslVersion = MQTT_SSL_VERSION_TLS_1_2;
        conn.ssl = &ssl;
    }
    int rc = 0;
    if (v5_) {
        mqtt::properties connect_props = props_.connect;  // -D connect wins over -x
        if (opts_.session_expiry > 0 &&
            !connect_props.contains(mqtt::property::SESSION_EXPIRY_INTERVAL))
            connect_props.add(
                mqtt::property(mqtt::property::SESSION_EXPIRY_INTERVAL, opts_.session_expiry));
        MQTTResponse response =
            MQTTClient_connect5(client_, &conn, c_props(connect_props),
                                opts_.will_topic.empty() ? nullptr : c_props(props_.will));
        rc = response.reasonCode;
        receive_maximum_ =
            connack_property(response.properties, MQTTPROPERTY_CODE_RECEIVE_MAXIMUM, 65535);
        MQTTResponse_free(response);
    } else {
        rc = MQTTClient_connect(client_, &conn);
    }
    if (rc != MQTTCLIENT_SUCCESS)
        error = MQTTClient_strerror(rc);
    else if (opts_.clean_session)
        last_packet_id_ = 0;  // Paho's counter starts again with a clean session
    return rc;
}

base::Status SyncPublisher::connect() {
    if (!client_) return base::runtime_error("could not create the MQTT client");
    std::lock_guard lock(io_);
    debug(fmt::format("sending CONNECT to {} (MQTT {}, client id '{}', clean {}, keepalive {})",
                      uri_, opts_.protocol_version, client_id_, opts_.clean_session ? 1 : 0,
                      opts_.keepalive));
    std::string error;
    if (int rc = connect_once(error); rc != MQTTCLIENT_SUCCESS)
        return diagnosed_connect_failure(opts_, rc, rc);
    debug("received CONNACK");
    last_io_ = std::chrono::steady_clock::now();
    if (opts_.nodelay) send_without_delay();
    if (!keeper_.joinable()) keeper_ = std::thread([this] { keep_alive(); });
    return {};
}

void SyncPublisher::keep_alive() {
    std::unique_lock lock(io_);
    while (!stopping_) {
        wake_.wait_for(lock, k_keepalive_tick);
        if (stopping_) break;
        // The caller is busy elsewhere (reading stdin, sleeping until the next message): read
        // what the broker sent and let Paho send its PINGREQ when the keepalive is due.
        if (std::chrono::steady_clock::now() - last_io_ < k_keepalive_tick) continue;
        if (MQTTClient_isConnected(client_)) pump(0);
    }
}

void SyncPublisher::send_without_delay() {
    set_tcp_no_delay_to_port(effective_port(opts_));
}

base::Status SyncPublisher::disconnect(double timeout_s) {
    base::Status result = flush();
    std::lock_guard lock(io_);
    if (MQTTClient_isConnected(client_)) {
        debug("sending DISCONNECT");
        const int ms = static_cast<int>(timeout_s * 1000);
        int rc = v5_ ? MQTTClient_disconnect5(client_, ms, MQTTREASONCODE_SUCCESS,
                                              c_props(props_.disconnect))
                     : MQTTClient_disconnect(client_, ms);
        if (rc != MQTTCLIENT_SUCCESS && result)
            result =
                base::runtime_error(fmt::format("disconnect failed: {}", MQTTClient_strerror(rc)));
    }
    return result;
}

}  // namespace iotctl::broker
