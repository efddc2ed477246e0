#include "core/broker/session.h"

#include <chrono>

#include <fmt/format.h>

#include "core/base/timestamps.h"
#include "core/broker/connect_diagnosis.h"
#include "core/broker/packet_id.h"
#include "core/broker/tcp_no_delay.h"

namespace iotctl::broker {

namespace {

base::Message to_message(const mqtt::const_message_ptr& m) {
    base::Message out;
    out.topic = m->get_topic();
    const auto& payload = m->get_payload_ref().ptr();
    if (payload && payload.use_count() == 1) {
        // Paho C++ made this (non-const) string for this message alone and drops it right after
        // the handler returns: take it over instead of copying a payload of any size again.
        out.payload = std::move(const_cast<std::string&>(*payload));
    } else if (payload) {
        out.payload = *payload;
    }
    out.qos = m->get_qos();
    out.retain = m->is_retained();
    out.mid = out.qos > 0 ? packet_id(*m) : 0;
    out.dup = m->is_duplicate();
    out.ts_ns = base::now_ns();
    const auto& props = m->get_properties();
    if (!props.empty()) {
        for (size_t i = 0; i < props.size(); ++i) {
            // Walk the C property list: user properties can repeat and need every instance.
            const MQTTProperty& p = props.c_struct().array[i];
            if (p.identifier == MQTTPROPERTY_CODE_USER_PROPERTY) {
                out.user_properties.emplace_back(
                    std::string(p.value.data.data, p.value.data.len),
                    std::string(p.value.value.data, p.value.value.len));
            } else if (p.identifier == MQTTPROPERTY_CODE_CONTENT_TYPE) {
                out.content_type.assign(p.value.data.data, p.value.data.len);
            } else if (p.identifier == MQTTPROPERTY_CODE_RESPONSE_TOPIC) {
                out.response_topic.assign(p.value.data.data, p.value.data.len);
            } else if (p.identifier == MQTTPROPERTY_CODE_CORRELATION_DATA) {
                out.correlation_data.assign(p.value.data.data, p.value.data.len);
            } else if (p.identifier == MQTTPROPERTY_CODE_TOPIC_ALIAS) {
                out.topic_alias = std::to_string(p.value.integer2);
            } else if (p.identifier == MQTTPROPERTY_CODE_MESSAGE_EXPIRY_INTERVAL) {
                out.message_expiry = std::to_string(p.value.integer4);
            } else if (p.identifier == MQTTPROPERTY_CODE_PAYLOAD_FORMAT_INDICATOR) {
                out.payload_format = std::to_string(p.value.byte);
            } else if (p.identifier == MQTTPROPERTY_CODE_SUBSCRIPTION_IDENTIFIER) {
                out.subscription_id = std::to_string(p.value.integer4);
            }
        }
    }
    return out;
}

}  // namespace

void add_properties(mqtt::properties& into, const mqtt::properties& from) {
    for (size_t i = 0; i < from.size(); ++i) {
        const MQTTProperty& p = from.c_struct().array[i];
        if (p.identifier == MQTTPROPERTY_CODE_USER_PROPERTY ||
            !into.contains(static_cast<mqtt::property::code>(p.identifier)))
            into.add(mqtt::property(p));
    }
}

MqttSession::MqttSession(ConnOptions opts, const std::string& command) : opts_(std::move(opts)) {
    const std::string client_id =
        opts_.client_id.empty() ? random_client_id(command) : opts_.client_id;
    mqtt::create_options create(is_mqtt5(opts_) ? MQTTVERSION_5 : MQTTVERSION_3_1_1);
    // Outbound messages are bounded by our own window; keep Paho's buffer above it.
    create.set_max_buffered_messages(65535);
    create.set_send_while_disconnected(false);
    // No Paho persistence: its default file store writes one file per message into the cwd.
    client_ = std::make_unique<mqtt::async_client>(server_uri(opts_), client_id, create, nullptr);
}

MqttSession::~MqttSession() {
    try {
        if (client_ && client_->is_connected())
            client_->disconnect()->wait_for(std::chrono::seconds(2));
    } catch (...) {
    }
}

void MqttSession::on_message(MessageHandler handler) {
    message_handler_ = std::move(handler);
}
void MqttSession::on_connection_lost(EventHandler handler) {
    lost_handler_ = std::move(handler);
}
void MqttSession::on_reconnected(EventHandler handler) {
    reconnected_handler_ = std::move(handler);
}

base::Error connect_failure(const ConnOptions& opts, int rc, int reason_code) {
    std::string where = fmt::format("{}:{}", opts.host, effective_port(opts));
    // Paho reports a refused MQTT 5 CONNACK's reason code (>= 0x80) as the return code.
    int reason = rc >= 0x80 ? rc : reason_code;
    auto refused = [&](std::string_view why) {
        return base::Error{base::ExitCode::refused,
                           fmt::format("broker at {} refused the connection: {}", where, why)};
    };
    // MQTT 3.1.1 CONNACK codes arrive as the return code; MQTT 5 reason codes as the reason.
    if (rc == 4 || rc == 5 || reason == 0x86 || reason == 0x87 || reason == 0x8C)
        return refused(rc == 4 || reason == 0x86 ? "bad user name or password" : "not authorised");
    // A 3.1.1-only broker answers an MQTT 5 CONNECT with return code 1; an MQTT 5 broker that
    // refuses a version says 0x84 (unsupported protocol version).
    if ((rc == 1 || reason == 0x84) && is_mqtt5(opts))
        return refused("it does not accept MQTT 5 (-V mqttv5); use -V mqttv311");
    if (rc == 1 || reason == 0x84) return refused("unacceptable protocol version");
    if (rc == 2 || rc == 3) return refused(rc == 2 ? "client id rejected" : "server unavailable");
    if (reason >= 0x80) return refused(fmt::format("reason code {:#x}", reason));
    return base::Error{
        base::ExitCode::connect,
        fmt::format("could not connect to {}{}", where,
                    opts.tls ? " (TCP or TLS handshake failed; check --cafile and the "
                               "host name, or use --insecure)"
                             : " (connection refused or timed out)")};
}

base::Error diagnosed_connect_failure(const ConnOptions& opts, int rc, int reason_code) {
    base::Error error = connect_failure(opts, rc, reason_code);
    if (error.code != base::ExitCode::connect) return error;
    auto diagnosis = diagnose_connect_failure(opts);
    if (!diagnosis) return error;
    std::string where = fmt::format("{}:{}", opts.host, effective_port(opts));
    if (diagnosis->refused)
        return base::Error{
            base::ExitCode::refused,
            fmt::format("broker at {} refused the connection: {}", where, diagnosis->reason)};
    return base::Error{base::ExitCode::connect,
                       fmt::format("could not connect to {}: {}", where, diagnosis->reason)};
}

void set_ca_path(mqtt::connect_options& conn, const std::string& capath) {
    // Paho C++ 1.2.0 copies ssl_options without their CA path (its issue #337, fixed later):
    // set_ssl() and each copy keep only a pointer to the first object's string, freed by then, so
    // --capath reached OpenSSL as garbage or nothing ("unknown ca"). Set it on `conn`'s own copy:
    // the copy connect() makes points at this string, and Paho C copies it in MQTTAsync_connect.
    if (capath.empty()) return;
    const_cast<mqtt::ssl_options&>(conn.get_ssl_options()).ca_path(capath);
}

mqtt::connect_options make_connect_options(const ConnOptions& opts) {
    const bool v5 = is_mqtt5(opts);
    mqtt::connect_options conn;
    conn.set_mqtt_version(mqtt_version(opts));
    conn.set_keep_alive_interval(opts.keepalive);
    conn.set_connect_timeout(
        std::chrono::milliseconds(static_cast<int64_t>(opts.connect_timeout * 1000)));
    if (v5) {
        conn.set_clean_start(opts.clean_session);
        if (opts.session_expiry > 0) {
            mqtt::properties props;
            props.add(mqtt::property(mqtt::property::SESSION_EXPIRY_INTERVAL, opts.session_expiry));
            conn.set_properties(props);
        }
    } else {
        conn.set_clean_session(opts.clean_session);
    }
    if (!opts.username.empty()) conn.set_user_name(opts.username);
    if (!opts.password.empty()) conn.set_password(opts.password);
    if (!opts.will_topic.empty()) {
        mqtt::will_options will(opts.will_topic, opts.will_payload.data(), opts.will_payload.size(),
                                opts.will_qos, opts.will_retain);
        conn.set_will(will);
    }
    if (opts.tls) {
        mqtt::ssl_options ssl;
        if (!opts.cafile.empty()) ssl.set_trust_store(opts.cafile);
        if (!opts.cert.empty()) ssl.set_key_store(opts.cert);
        if (!opts.key.empty()) ssl.set_private_key(opts.key);
        ssl.set_enable_server_cert_auth(!opts.insecure);
        ssl.set_verify(!opts.insecure);
        if (opts.tls_version == "tlsv1.1") ssl.set_ssl_version(MQTT_SSL_VERSION_TLS_1_1);
        if (opts.tls_version == "tlsv1.2") ssl.set_ssl_version(MQTT_SSL_VERSION_TLS_1_2);
        conn.set_ssl(ssl);
        set_ca_path(conn, opts.capath);
    }
    return conn;
}

base::Error MqttSession::describe_connect_failure(const mqtt::exception& e) const {
    return diagnosed_connect_failure(opts_, e.get_return_code(), e.get_reason_code());
}

base::Status MqttSession::connect() {
    mqtt::connect_options conn = make_connect_options(opts_);
    if (auto_reconnect_) conn.set_automatic_reconnect(1, 30);
    if (opts_.tls) set_ca_path(conn, opts_.capath);  // again: `conn` may be a moved copy
    if (!props_.connect.empty()) {
        mqtt::properties props = props_.connect;  // -D connect wins over -x
        add_properties(props, conn.get_properties());
        conn.set_properties(props);
    }
    if (!props_.will.empty() && !opts_.will_topic.empty()) {
        mqtt::will_options will = conn.get_will_options();
        will.set_properties(props_.will);
        conn.set_will(will);
    }
    if (opts_.max_inflight > 0) conn.set_max_inflight(opts_.max_inflight);

    if (message_handler_) {
        client_->set_message_callback([this](mqtt::const_message_ptr m) {
            if (!m) return;
            if (debug_)
                debug(fmt::format("received PUBLISH (d{}, q{}, r{}, m{}, '{}', ... ({} bytes))",
                                  m->is_duplicate() ? 1 : 0, m->get_qos(), m->is_retained() ? 1 : 0,
                                  m->get_qos() > 0 ? packet_id(*m) : 0, m->get_topic(),
                                  m->get_payload_ref().size()));
            message_handler_(to_message(m));
        });
    }
    client_->set_disconnected_handler([this](const mqtt::properties&, mqtt::ReasonCode reason) {
        if (reason == mqtt::ReasonCode::SESSION_TAKEN_OVER) taken_over_ = true;
    });
    client_->set_connection_lost_handler([this](const std::string& cause) {
        link_lost_ = true;
        losses_.fetch_add(1);
        if (!lost_handler_) return;
        if (taken_over_)
            lost_handler_("session taken over: another client connected with this client id");
        else
            lost_handler_(cause.empty() ? "connection lost" : cause);
    });
    client_->set_connected_handler([this](const std::string&) {
        taken_over_ = false;
        link_lost_ = false;
        // Paho calls this after every successful connect; the first is handled by connect().
        if (connects_.fetch_add(1) == 0) return;
        // An automatic reconnect: resubscribe without waiting (this is Paho's callback thread,
        // and waiting on a token here would deadlock it).
        if (!filters_.empty()) {
            try {
                send_subscribe(filters_, sub_flags_);
            } catch (const mqtt::exception&) {
                // Reported through the connection-lost handler when the link fails again.
            }
        }
        if (reconnected_handler_) reconnected_handler_("reconnected");
    });
    try {
        debug(fmt::format("sending CONNECT to {} (MQTT {}, client id '{}', clean {}, keepalive {})",
                          server_uri(opts_), opts_.protocol_version, client_->get_client_id(),
                          opts_.clean_session ? 1 : 0, opts_.keepalive));
        auto tok = client_->connect(conn);
        tok->wait();
        session_present_ = tok->get_connect_response().is_session_present();
        debug(fmt::format("received CONNACK (session present {})", session_present_ ? 1 : 0));
    } catch (const mqtt::exception& e) {
        return describe_connect_failure(e);
    }
    if (opts_.nodelay) send_without_delay();
    return {};
}

void MqttSession::send_without_delay() {
    set_tcp_no_delay_to_port(effective_port(opts_));
}

base::Status MqttSession::disconnect(double timeout_s) {
    base::Status result = flush();
    try {
        if (client_->is_connected()) {
            auto ms = std::chrono::milliseconds(static_cast<int64_t>(timeout_s * 1000));
            mqtt::disconnect_options disconnect(static_cast<int>(ms.count()));
            if (!props_.disconnect.empty()) disconnect.set_properties(props_.disconnect);
            debug("sending DISCONNECT");
            client_->disconnect(disconnect)->wait_for(ms + std::chrono::seconds(1));
        }
    } catch (const mqtt::exception& e) {
        if (result) result = base::runtime_error(fmt::format("disconnect failed: {}", e.what()));
    }
    return result;
}

}  // namespace iotctl::broker
