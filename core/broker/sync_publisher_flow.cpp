// SyncPublisher's publishing: each publish written in the caller's thread, a window of QoS 1/2
// publishes in flight (acknowledgements read between publishes, never one round trip per
// message), and, when the connection is lost, reconnecting with backoff and sending again what
// the broker had not acknowledged.
#include <iostream>

#include <fmt/format.h>

#include "core/base/stop_signal.h"
#include "core/broker/session.h"
#include "core/broker/sync_publisher.h"

namespace iotctl::broker {

namespace {

using Clock = std::chrono::steady_clock;
constexpr unsigned long k_read_ms = 1;     // one read of acknowledgements: packets for up to 1 ms
constexpr int k_max_fruitless_losses = 5;  // lost links in a row with nothing acknowledged

bool link_error(int rc) {
    return rc == MQTTCLIENT_DISCONNECTED || rc == MQTTCLIENT_FAILURE;
}

}  // namespace

SyncPublisher::Sent SyncPublisher::start_publish(const base::Message& m, int& token,
                                                 std::string& error) {
    if (debug_)
        debug(fmt::format("sending PUBLISH (q{}, r{}, '{}', ... ({} bytes))", m.qos,
                          m.retain ? 1 : 0, m.topic, m.payload.size()));
    mqtt::properties props;
    const bool with_props = v5_ && (!props_.publish.empty() || !m.user_properties.empty() ||
                                    !m.content_type.empty() || !m.response_topic.empty());
    if (with_props) props = publish_properties(m, props_.publish);
    // No delivery token asked of Paho: when a write does not complete at once, publish5 reads
    // and handles packets until it does, and if this message's acknowledgement comes in meanwhile
    // it frees the message and then reads the token from it (Paho C 1.3.12, still so upstream; a
    // large QoS 1 payload crashed on it). The packet id is Paho's counter, which goes up by one
    // per QoS 1/2 publish and starts again at a clean connect (it would skip an id still in
    // flight, which a window under 32768 that drains oldest first never leaves): keep it here.
    MQTTResponse r = MQTTClient_publish5(
        client_, m.topic.c_str(), static_cast<int>(m.payload.size()), m.payload.data(), m.qos,
        m.retain, with_props ? const_cast<MQTTProperties*>(&props.c_struct()) : nullptr, nullptr);
    last_io_ = Clock::now();
    if (r.reasonCode == MQTTCLIENT_SUCCESS && m.qos > 0) {
        last_packet_id_ = last_packet_id_ == 65535 ? 1 : last_packet_id_ + 1;
        token = last_packet_id_;
    }
    if (r.reasonCode == MQTTCLIENT_SUCCESS) {
        // A QoS 1/2 publish whose write failed is still "success" (Paho would send it again on
        // a persistent session): the link is gone all the same.
        if (m.qos > 0 && !MQTTClient_isConnected(client_)) return Sent::link_lost;
        return Sent::done;
    }
    error = MQTTClient_strerror(r.reasonCode);
    return link_error(r.reasonCode) ? Sent::link_lost : Sent::failed;
}

base::Status SyncPublisher::publish(const base::Message& message) {
    return send(message, nullptr);
}

base::Status SyncPublisher::publish(base::Message&& message) {
    return send(message, &message.payload);
}

size_t SyncPublisher::window() const {
    // Never more than Paho's own window (it would block a publish in 100 ms steps) nor the
    // broker's Receive Maximum.
    size_t paho = opts_.max_inflight > 0 ? static_cast<size_t>(opts_.max_inflight) : window_;
    return std::max<size_t>(1, std::min({window_, paho, static_cast<size_t>(receive_maximum_)}));
}

base::Status SyncPublisher::send(const base::Message& m, std::string* payload) {
    std::lock_guard lock(io_);
    // A full window drains to half before publishing again: one wait per half window.
    if (in_flight_.size() >= window())
        if (auto s = wait_until_in_flight(window() / 2); !s) return s;
    while (true) {
        std::string error;
        int token = 0;
        Sent sent = start_publish(m, token, error);
        if (sent == Sent::failed || (sent == Sent::link_lost && reconnect_timeout_ <= 0))
            return base::runtime_error(fmt::format("publish to '{}' failed: {}", m.topic,
                                                   error.empty() ? "connection lost" : error));
        if (sent == Sent::done && m.qos == 0) {
            ++published_;
            return {};
        }
        if (m.qos > 0) {
            // Kept until acknowledged, to be sent again if the link goes; the caller's
            // fields stay as they are, only the payload may be taken.
            InFlight item{token, base::Message{}};
            item.message.topic = m.topic;
            item.message.payload = payload ? std::move(*payload) : m.payload;
            item.message.qos = m.qos;
            item.message.retain = m.retain;
            item.message.user_properties = m.user_properties;
            item.message.content_type = m.content_type;
            item.message.response_topic = m.response_topic;
            in_flight_.push_back(std::move(item));
            // Lost: it goes again after those in flight before it, once the link is back.
            return sent == Sent::done ? base::Status{} : recover("connection lost");
        }
        if (auto s = recover("connection lost"); !s) return s;  // then this QoS 0 one again
    }
}

bool SyncPublisher::pump(unsigned long timeout_ms) {
    char* topic = nullptr;
    int topic_len = 0;
    MQTTClient_message* incoming = nullptr;
    MQTTClient_receive(client_, &topic, &topic_len, &incoming, timeout_ms);
    if (incoming) MQTTClient_freeMessage(&incoming);  // a publisher subscribes to nothing
    if (topic) MQTTClient_free(topic);
    last_io_ = Clock::now();
    return MQTTClient_isConnected(client_);
}

void SyncPublisher::collect_acknowledged() {
    // Paho keeps a publish in its outbound list until the flow is complete (PUBACK, PUBCOMP).
    MQTTClient_deliveryToken* tokens = nullptr;
    MQTTClient_getPendingDeliveryTokens(client_, &tokens);
    for (auto* t = tokens; t && *t != -1; ++t) pending_[static_cast<uint16_t>(*t)] = 1;
    // The broker acknowledges in order: the done ones are at the front (one acknowledged out of
    // order is counted when those before it are).
    while (!in_flight_.empty() && !pending_[in_flight_.front().token]) {
        in_flight_.pop_front();
        ++published_;
    }
    for (auto* t = tokens; t && *t != -1; ++t) pending_[static_cast<uint16_t>(*t)] = 0;
    if (tokens) MQTTClient_free(tokens);
}

base::Status SyncPublisher::check_refused() {
    if (refused_.empty()) return {};
    auto [token, reason] = refused_.front();
    refused_.clear();
    return base::runtime_error(
        fmt::format("publish failed: the broker refused it ({})",
                    MQTTReasonCode_toString(static_cast<enum MQTTReasonCodes>(reason))));
}

base::Status SyncPublisher::wait_until_in_flight(size_t most) {
    while (in_flight_.size() > most) {
        if (!pump(k_read_ms)) {
            if (auto s = recover("connection lost"); !s) return s;
            continue;
        }
        collect_acknowledged();
        if (auto s = check_refused(); !s) return s;
    }
    return {};
}

base::Status SyncPublisher::flush() {
    std::lock_guard lock(io_);
    if (auto s = wait_until_in_flight(0); !s) return s;
    return check_refused();  // a refusal read while recovering from a loss, after the last wait
}

void SyncPublisher::take_unacknowledged(std::deque<InFlight>& again) {
    // With a clean session Paho forgot them at the loss: they go again, oldest first, ahead of
    // any left from an earlier attempt. A persistent session's Paho sends them again itself.
    if (!opts_.clean_session) return;
    again.insert(again.begin(), std::make_move_iterator(in_flight_.begin()),
                 std::make_move_iterator(in_flight_.end()));
    in_flight_.clear();
}

base::Status SyncPublisher::recover(const std::string& why) {
    if (reconnect_timeout_ <= 0) return base::runtime_error(fmt::format("MQTT error: {}", why));
    const auto since = Clock::now();
    const auto deadline =
        since + std::chrono::milliseconds(static_cast<int64_t>(reconnect_timeout_ * 1000));
    // MQTT 5 and persistent sessions keep Paho's outbound list over the loss: what it no longer
    // holds was acknowledged. (With MQTT 3.1.1 and a clean session Paho empties it at the loss,
    // and what was acknowledged since the last look goes again.)
    if (v5_ || !opts_.clean_session) collect_acknowledged();
    if (auto s = check_refused(); !s) return s;
    // A broker that drops the link each time the same message is sent (as Mosquitto does on a
    // publish to a $ topic) would be reconnected to for good, each time "successfully". Losses
    // while nothing is in flight (an idle `pub -l` over broker restarts) do not count.
    if (in_flight_.empty())
        fruitless_losses_ = 0;
    else
        fruitless_losses_ = published_ == published_at_loss_ ? fruitless_losses_ + 1 : 1;
    published_at_loss_ = published_;
    if (fruitless_losses_ > k_max_fruitless_losses) {
        unacknowledged_ = in_flight_.size();
        return base::runtime_error(fmt::format(
            "the broker closed the connection {} times in a row with nothing acknowledged in "
            "between{}; it may refuse what is sent (Mosquitto disconnects a client that publishes "
            "to a $ topic)",
            fruitless_losses_,
            in_flight_.empty()
                ? ""
                : fmt::format(" (oldest unacknowledged: '{}')", in_flight_.front().message.topic)));
    }
    std::cerr << fmt::format("iotctl: warning: lost the broker ({}); reconnecting\n", why);
    std::deque<InFlight> again;
    std::string last = why;
    while (true) {
        take_unacknowledged(again);
        auto delay = std::chrono::milliseconds(250);
        while (true) {
            if (connect_once(last) == MQTTCLIENT_SUCCESS) break;
            const auto now = Clock::now();
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now);
            if (now >= deadline || base::wait_for_stop(std::min(delay, left))) {
                unacknowledged_ = again.size() + in_flight_.size();
                return base::runtime_error(fmt::format(
                    "gave up after {:.0f} s without the broker ({}): {} messages acknowledged, "
                    "{} sent but not acknowledged",
                    std::chrono::duration<double>(Clock::now() - since).count(), last, published_,
                    unacknowledged_));
            }
            delay = std::min(delay * 2, std::chrono::milliseconds(4000));
        }
        ++reconnects_;
        std::cerr << fmt::format(
            "iotctl: reconnected after {:.1f} s; sending {} unacknowledged messages again\n",
            std::chrono::duration<double>(Clock::now() - since).count(), again.size());
        bool lost = false;
        while (!again.empty() && !lost) {
            std::string error;
            InFlight& item = again.front();
            Sent sent = start_publish(item.message, item.token, error);
            if (sent == Sent::failed)
                return base::runtime_error(
                    fmt::format("publish to '{}' failed: {}", item.message.topic, error));
            // Sent, or lost with the link: in flight either way (a loss takes it again).
            in_flight_.push_back(std::move(item));
            again.pop_front();
            lost = sent == Sent::link_lost;
        }
        if (!lost) return {};
    }
}

}  // namespace iotctl::broker
