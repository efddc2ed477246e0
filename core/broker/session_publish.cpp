// MqttSession's publishing side: a window of publishes in flight, and, when the connection is
// lost, reconnecting with backoff and sending again what the broker had not acknowledged.
#include <chrono>
#include <iostream>
#include <thread>

#include <fmt/format.h>

#include "core/base/stop_signal.h"
#include "core/broker/session.h"

namespace iotctl::broker {

namespace {

using Clock = std::chrono::steady_clock;
constexpr auto k_poll = std::chrono::milliseconds(100);  // checks for a lost link while waiting

// `payload` is the message's payload, copied or taken over by the caller; `extra`: -D publish.
mqtt::message_ptr to_paho(const base::Message& m, mqtt::string_ref topic, mqtt::binary_ref payload,
                          bool v5, const mqtt::properties& extra) {
    auto msg = mqtt::make_message(std::move(topic), std::move(payload), m.qos, m.retain);
    if (v5) {
        mqtt::properties props = publish_properties(m, extra);
        if (!props.empty()) msg->set_properties(props);
    }
    return msg;
}

// Paho's codes that mean the link is gone, not that the message is wrong.
bool link_error(int rc) {
    return rc == MQTTASYNC_DISCONNECTED || rc == MQTTASYNC_FAILURE ||
           rc == MQTTASYNC_OPERATION_INCOMPLETE || rc == MQTTASYNC_COMMAND_IGNORED;
}

}  // namespace

base::Status MqttSession::wait_oldest() {
    while (true) {
        auto& tok = in_flight_.front();
        try {
            if (!tok->wait_for(k_poll)) {
                if (!link_lost_) continue;
                if (auto s = recover("connection lost"); !s) return s;
                if (in_flight_.empty()) return {};  // all were acknowledged before the loss
                continue;  // the window was sent again: wait for its new oldest
            }
            in_flight_.pop_front();
            ++published_;
            return {};
        } catch (const mqtt::exception& e) {
            if (link_error(e.get_return_code()) && reconnect_timeout_ > 0) {
                if (auto s = recover(e.what()); !s) return s;
                if (in_flight_.empty()) return {};
                continue;
            }
            auto topic = tok->get_message() ? tok->get_message()->get_topic() : std::string();
            in_flight_.pop_front();
            return base::runtime_error(fmt::format("publish to '{}' failed: {}", topic, e.what()));
        }
    }
}

base::Status MqttSession::recover(const std::string& why) {
    if (reconnect_timeout_ <= 0) return base::runtime_error(fmt::format("MQTT error: {}", why));
    // What was sent and not acknowledged goes again, in order, once the link is back.
    std::vector<mqtt::const_message_ptr> again;
    for (const auto& tok : in_flight_) {
        if (tok->is_complete() && tok->get_return_code() == 0)
            ++published_;  // acknowledged before the link went: not sent again
        else if (tok->get_message())
            again.push_back(tok->get_message());
    }
    in_flight_.clear();
    const auto since = Clock::now();
    const auto deadline =
        since + std::chrono::milliseconds(static_cast<int64_t>(reconnect_timeout_ * 1000));
    auto delay = std::chrono::milliseconds(250);
    std::cerr << fmt::format("iotctl: warning: lost the broker ({}); reconnecting\n", why);
    std::string last = why;
    while (true) {
        try {
            client_->connect(make_connect_options(opts_))->wait();
            break;
        } catch (const mqtt::exception& e) {
            last = e.what();
        }
        const auto now = Clock::now();
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now);
        if (now >= deadline || base::wait_for_stop(std::min(delay, left))) {
            unacknowledged_ = again.size();
            return base::runtime_error(fmt::format(
                "gave up after {:.0f} s without the broker ({}): {} messages acknowledged, {} "
                "sent but not acknowledged",
                std::chrono::duration<double>(Clock::now() - since).count(), last, published_,
                again.size()));
        }
        delay = std::min(delay * 2, std::chrono::milliseconds(4000));
    }
    link_lost_ = false;
    ++reconnects_;
    std::cerr << fmt::format(
        "iotctl: reconnected after {:.1f} s; sending {} unacknowledged messages again\n",
        std::chrono::duration<double>(Clock::now() - since).count(), again.size());
    for (size_t i = 0; i < again.size(); ++i) {
        auto msg = std::const_pointer_cast<mqtt::message>(again[i]);
        try {
            in_flight_.push_back(client_->publish(msg));
        } catch (const mqtt::exception& e) {
            if (!link_error(e.get_return_code()))
                return base::runtime_error(
                    fmt::format("publish to '{}' failed: {}", msg->get_topic(), e.what()));
            // Lost again at once: the rest wait in tokens that never complete, so the next
            // wait finds the link lost and sends them (and those before) again.
            link_lost_ = true;
            for (; i < again.size(); ++i)
                in_flight_.push_back(std::make_shared<mqtt::delivery_token>(
                    *client_, std::const_pointer_cast<mqtt::message>(again[i])));
        }
    }
    return {};
}

mqtt::string_ref MqttSession::topic_ref(const std::string& topic) {
    // Captures and `pub` repeat a few topics: share one copy instead of allocating per message.
    if (auto it = topic_refs_.find(topic); it != topic_refs_.end()) return it->second;
    if (topic_refs_.size() >= k_topic_cache_size) topic_refs_.clear();
    return topic_refs_.emplace(topic, mqtt::string_ref(topic)).first->second;
}

base::Status MqttSession::publish(const base::Message& message) {
    return send(to_paho(message, topic_ref(message.topic), mqtt::binary_ref(message.payload),
                        is_mqtt5(opts_), props_.publish),
                message.topic);
}

base::Status MqttSession::publish(base::Message&& message) {
    mqtt::binary_ref payload(std::move(message.payload));
    return send(to_paho(message, topic_ref(message.topic), std::move(payload), is_mqtt5(opts_),
                        props_.publish),
                message.topic);
}

base::Status MqttSession::send(const mqtt::message_ptr& msg, const std::string& topic) {
    while (true) {
        // A full window drains to half before publishing again: this thread then sleeps once
        // per half window instead of once per message (Paho's send thread wakes it otherwise).
        if (in_flight_.size() >= window_)
            while (in_flight_.size() > window_ / 2)
                if (auto s = wait_oldest(); !s) return s;
        try {
            if (debug_)
                debug(fmt::format("sending PUBLISH (q{}, r{}, '{}', ... ({} bytes))",
                                  msg->get_qos(), msg->is_retained() ? 1 : 0, topic,
                                  msg->get_payload_ref().size()));
            in_flight_.push_back(client_->publish(msg));
            return {};
        } catch (const mqtt::exception& e) {
            // Paho's buffer is full (-12): wait for one to finish and try again, never drop.
            if (e.get_return_code() == MQTTASYNC_MAX_BUFFERED_MESSAGES && !in_flight_.empty()) {
                if (auto s = wait_oldest(); !s) return s;
                continue;
            }
            if (link_error(e.get_return_code()) && reconnect_timeout_ > 0) {
                if (auto s = recover(e.what()); !s) return s;
                continue;  // then this message, after those sent before it
            }
            return base::runtime_error(fmt::format("publish to '{}' failed: {}", topic, e.what()));
        }
    }
}

base::Status MqttSession::flush() {
    while (!in_flight_.empty())
        if (auto s = wait_oldest(); !s) return s;
    return {};
}

mqtt::properties publish_properties(const base::Message& m, const mqtt::properties& extra) {
    mqtt::properties props;
    add_properties(props, extra);
    for (const auto& [k, v] : m.user_properties)
        props.add(mqtt::property(mqtt::property::USER_PROPERTY, k, v));
    if (!m.content_type.empty() && !props.contains(mqtt::property::CONTENT_TYPE))
        props.add(mqtt::property(mqtt::property::CONTENT_TYPE, m.content_type));
    if (!m.response_topic.empty() && !props.contains(mqtt::property::RESPONSE_TOPIC))
        props.add(mqtt::property(mqtt::property::RESPONSE_TOPIC, m.response_topic));
    if (!m.correlation_data.empty() && !props.contains(mqtt::property::CORRELATION_DATA))
        props.add(mqtt::property(mqtt::property::CORRELATION_DATA, m.correlation_data));
    return props;
}

}  // namespace iotctl::broker
