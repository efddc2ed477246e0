// MqttSession's subscribing side: SUBSCRIBE and UNSUBSCRIBE, and their answers, which a lost
// connection can cut off.
#include <chrono>

#include <fmt/format.h>

#include "core/broker/session.h"

namespace iotctl::broker {

std::vector<mqtt::token_ptr> MqttSession::send_subscribe(const std::vector<std::string>& filters,
                                                         const SubscribeFlags& flags) {
    if (!is_mqtt5(opts_)) {
        auto coll = mqtt::string_collection::create(filters);
        mqtt::iasync_client::qos_collection qos(filters.size(), flags.qos);
        return {client_->subscribe(coll, qos)};
    }
    // One request per filter: Paho C++ 1.2's many-filter subscribe with MQTT 5 options
    // hands Paho C a dangling options list and crashes.
    mqtt::subscribe_options sub_opts;
    std::vector<mqtt::token_ptr> tokens;
    for (const auto& filter : filters)
        tokens.push_back(client_->subscribe(filter, flags.qos, sub_opts, props_.subscribe));
    return tokens;
}

// Waits for the broker's answer to a SUBSCRIBE or UNSUBSCRIBE; false when the connection was lost
// after it went out. Paho C keeps the request of a persistent session pending across a reconnect
// and never completes it (the broker answers only on the connection that carried it), so a bare
// wait() would block for good.
bool MqttSession::wait_for_answer(const mqtt::token_ptr& tok, uint64_t losses_before) const {
    while (!tok->wait_for(std::chrono::milliseconds(50)))
        if (losses_.load() != losses_before) return false;
    return true;
}

// A request failed by Paho because the connection went away (its own code for a request dropped
// with a clean session's state, or for one still queued).
static bool cut_off_by_loss(const mqtt::exception& e) {
    return e.get_return_code() == MQTTASYNC_DISCONNECTED ||
           e.get_return_code() == MQTTASYNC_OPERATION_INCOMPLETE;
}

static constexpr const char* k_subscribe_cut_off =
    "subscribe failed: the connection was lost before the broker's SUBACK";
static constexpr const char* k_unsubscribe_cut_off =
    "unsubscribe failed: the connection was lost before the broker's UNSUBACK";

base::Status MqttSession::subscribe(const std::vector<std::string>& filters,
                                    const SubscribeFlags& flags) {
    filters_ = filters;
    sub_flags_ = flags;
    subscribe_cut_off_ = false;
    if (filters.empty()) return {};
    for (const auto& filter : filters)
        debug(fmt::format("sending SUBSCRIBE '{}' (QoS {})", filter, flags.qos));
    const uint64_t losses_before = losses_.load();
    try {
        size_t index = 0;
        for (auto& tok : send_subscribe(filters, flags)) {
            if (!wait_for_answer(tok, losses_before)) {
                // With automatic reconnect the connected handler sends the subscriptions again
                // once the link is back; the caller decides whether to wait for that.
                subscribe_cut_off_ = true;
                return base::runtime_error(k_subscribe_cut_off);
            }
            auto response = tok->get_subscribe_response();
            for (auto code : response.get_reason_codes()) {
                if (code >= 0x80)
                    return base::Error{base::ExitCode::refused,
                                       fmt::format("broker refused the subscription to '{}'",
                                                   filters[std::min(index, filters.size() - 1)])};
                debug(fmt::format("received SUBACK for '{}' (granted QoS {})",
                                  filters[std::min(index, filters.size() - 1)], code));
                ++index;
            }
        }
    } catch (const mqtt::exception& e) {
        subscribe_cut_off_ = losses_.load() != losses_before || link_lost_ || cut_off_by_loss(e);
        if (subscribe_cut_off_) return base::runtime_error(k_subscribe_cut_off);
        return base::runtime_error(fmt::format("subscribe failed: {}", e.what()));
    }
    return {};
}

base::Status MqttSession::unsubscribe(const std::vector<std::string>& filters) {
    const uint64_t losses_before = losses_.load();
    try {
        for (const auto& filter : filters) {
            debug(fmt::format("sending UNSUBSCRIBE '{}'", filter));
            if (!wait_for_answer(client_->unsubscribe(filter, props_.unsubscribe), losses_before))
                return base::runtime_error(k_unsubscribe_cut_off);
            debug(fmt::format("received UNSUBACK for '{}'", filter));
        }
    } catch (const mqtt::exception& e) {
        if (losses_.load() != losses_before || cut_off_by_loss(e))
            return base::runtime_error(k_unsubscribe_cut_off);
        return base::runtime_error(fmt::format("unsubscribe failed: {}", e.what()));
    }
    return {};
}

}  // namespace iotctl::broker
