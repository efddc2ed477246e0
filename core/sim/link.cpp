#include "core/sim/link.h"

#include <fmt/format.h>

#include "core/broker/session.h"
#include "core/sim/socket_drop.h"

namespace iotctl::sim {

namespace {

// A control message with the request properties an answer needs (MQTT 5; none in 3.1.1).
ControlRequest control_request(const mqtt::message& m) {
    ControlRequest r{m.get_topic(), m.get_payload_str(), {}, {}};
    const auto& props = m.get_properties();
    for (size_t i = 0; i < props.size(); ++i) {
        const MQTTProperty& p = props.c_struct().array[i];
        if (p.identifier == MQTTPROPERTY_CODE_RESPONSE_TOPIC)
            r.response_topic.assign(p.value.data.data, p.value.data.len);
        else if (p.identifier == MQTTPROPERTY_CODE_CORRELATION_DATA)
            r.correlation_data.assign(p.value.data.data, p.value.data.len);
    }
    return r;
}

}  // namespace

PahoSimLink::PahoSimLink(const SimLinkOptions& opts, const SimDevice& device, SimLinkEvents events)
    : opts_(opts),
      conn_(opts.conn),
      status_topic_(device.status_topic()),
      control_topic_(device.control_topic()),
      online_(device.online_payload()),
      events_(std::move(events)) {
    conn_.client_id = opts.client_id_base + "-" + device.name();
    conn_.will_topic = status_topic_;
    conn_.will_payload = device.offline_payload();
    conn_.will_qos = 1;
    conn_.will_retain = true;
    conn_.clean_session = true;
    mqtt::create_options create(broker::is_mqtt5(conn_) ? MQTTVERSION_5 : MQTTVERSION_3_1_1);
    create.set_max_buffered_messages(65535);
    create.set_send_while_disconnected(false);
    // No persistence: Paho's default file store writes one file per message into the cwd.
    client_ = std::make_unique<mqtt::async_client>(broker::server_uri(conn_), conn_.client_id,
                                                   create, nullptr);
    client_->set_message_callback([this](mqtt::const_message_ptr m) {
        if (!m || (!nudge_topic_.empty() && m->get_topic() == nudge_topic_)) return;
        if (events_.on_control) events_.on_control(control_request(*m));
    });
    client_->set_connection_lost_handler([this](const std::string&) {
        if (!expect_loss_.exchange(false) && events_.on_lost) events_.on_lost();
    });
}

PahoSimLink::~PahoSimLink() = default;

void PahoSimLink::connect() {
    try {
        client_->connect(broker::make_connect_options(conn_), nullptr, *this);
    } catch (const mqtt::exception& e) {
        if (events_.on_connect_failed)
            events_.on_connect_failed(
                broker::connect_failure(conn_, e.get_return_code(), e.get_reason_code()));
    }
}

void PahoSimLink::on_failure(const mqtt::token& tok) {
    if (!events_.on_connect_failed) return;
    // A token carries Paho's "no MQTT 5 reason" marker (255) where there is none, which
    // connect_failure would take for a refusal (mqtt::exception maps it, a token does not).
    int reason = tok.get_reason_code();
    if (reason == mqtt::ReasonCode::MQTTPP_V3_CODE) reason = 0;
    events_.on_connect_failed(broker::connect_failure(conn_, tok.get_return_code(), reason));
}

base::Error PahoSimLink::explain_failure(base::Error error) const {
    // Only "could not connect" says too little: a refusal already names its reason.
    if (error.code != base::ExitCode::connect) return error;
    return broker::diagnosed_connect_failure(conn_, -1, 0);
}

void PahoSimLink::on_success(const mqtt::token&) {
    // Runs on Paho's thread: only queue work here, never wait for it.
    try {
        if (!control_topic_.empty()) client_->subscribe(control_topic_, 1);
        if (!nudge_topic_.empty()) client_->subscribe(nudge_topic_, 0);
        client_->publish(mqtt::make_message(status_topic_, online_, 1, true));
    } catch (const mqtt::exception& e) {
        if (events_.on_connect_failed) events_.on_connect_failed(base::runtime_error(e.what()));
        return;
    }
    if (events_.on_connected) events_.on_connected();
}

base::Status PahoSimLink::publish(const std::string& topic, const std::string& payload) {
    try {
        client_->publish(mqtt::make_message(topic, payload, opts_.qos, false));
    } catch (const mqtt::exception& e) {
        return base::runtime_error(fmt::format("publish to '{}' failed: {}", topic, e.what()));
    }
    return {};
}

base::Status PahoSimLink::publish_reply(const SimReply& reply) {
    try {
        auto msg = mqtt::make_message(reply.topic, reply.payload, opts_.qos, false);
        if (!reply.correlation_data.empty() && broker::is_mqtt5(conn_)) {
            mqtt::properties props;
            props.add(mqtt::property(mqtt::property::CORRELATION_DATA, reply.correlation_data));
            msg->set_properties(props);
        }
        client_->publish(msg);
    } catch (const mqtt::exception& e) {
        return base::runtime_error(fmt::format("reply on '{}' failed: {}", reply.topic, e.what()));
    }
    return {};
}

bool PahoSimLink::drop() {
    auto socket = socket_of_client(conn_.client_id);
    if (!socket) return false;
    expect_loss_ = true;
    if (shutdown_socket(*socket)) return true;
    expect_loss_ = false;
    return false;
}

void PahoSimLink::serve_nudges() {
    nudge_topic_ = "iotctl/nudge/" + conn_.client_id;
}

void PahoSimLink::nudge() {
    if (nudge_topic_.empty()) return;
    try {
        client_->publish(mqtt::make_message(nudge_topic_, "", 0, false));
    } catch (const mqtt::exception&) {
        // Not connected: nothing waits on this link's socket then; the next nudge will do.
    }
}

void PahoSimLink::disconnect() {
    try {
        if (client_->is_connected()) client_->disconnect(3000)->wait_for(std::chrono::seconds(4));
    } catch (const mqtt::exception&) {
        // Already gone: nothing to close cleanly.
    }
}

}  // namespace iotctl::sim
