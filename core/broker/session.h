// One MQTT connection over Paho MQTT C++: connect, subscribe, publish with flow control.
#pragma once

#include <atomic>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include <mqtt/async_client.h>

#include "core/base/error.h"
#include "core/base/message.h"
#include "core/broker/conn_options.h"
#include "core/broker/mqtt_properties.h"
#include "core/broker/publisher.h"

namespace iotctl::broker {

/// Subscription flags.
struct SubscribeFlags {
    int qos = 0;
};

/// Paho connect options for `opts`: version, keepalive, timeout, session, credentials, Will, TLS.
/// `opts` must outlive the connect made with them (the CA path is not copied).
mqtt::connect_options make_connect_options(const ConnOptions& opts);

/// Sets the TLS CA directory on `conn` itself; call it on the object passed to connect() (Paho C++
/// 1.2.0 loses the CA path when connect options are copied or moved).
void set_ca_path(mqtt::connect_options& conn, const std::string& capath);

/// The error for a failed connect (Paho return and reason codes): exit 4 when refused, else 3.
base::Error connect_failure(const ConnOptions& opts, int return_code, int reason_code);

/// connect_failure(), with the reason a probe of the broker finds when Paho's codes say no more
/// than "could not connect" (diagnose_connect_failure).
base::Error diagnosed_connect_failure(const ConnOptions& opts, int return_code, int reason_code);

/// Adds to `into` each of `from`'s properties that it does not have yet (user properties all).
void add_properties(mqtt::properties& into, const mqtt::properties& from);

/// The MQTT 5 properties of a publish: `extra` (-D publish) and the message's own (user
/// properties, content type, response topic, correlation data) where `extra` has none.
mqtt::properties publish_properties(const base::Message& m, const mqtt::properties& extra);

/// A connected MQTT client over Paho's asynchronous client: subscribers, and publishers when
/// chosen. Handlers run on Paho's receive thread and must return quickly.
class MqttSession : public Publisher {
  public:
    /// Called for each incoming message; Paho sends the PUBACK after it returns.
    using MessageHandler = std::function<void(base::Message&&)>;
    /// Called with a reason when the connection is lost or re-established.
    using EventHandler = std::function<void(const std::string&)>;

    /// Creates the client (no network I/O yet); `command` names the default client id.
    MqttSession(ConnOptions opts, const std::string& command);
    ~MqttSession() override;
    MqttSession(const MqttSession&) = delete;
    MqttSession& operator=(const MqttSession&) = delete;

    /// Sets the incoming-message handler; call before connect().
    void on_message(MessageHandler handler);
    /// Sets the handler for a lost connection; call before connect().
    void on_connection_lost(EventHandler handler);
    /// Sets the handler called after an automatic reconnect (subscriptions are restored first).
    void on_reconnected(EventHandler handler);
    /// Reconnect on its own after a lost connection and resubscribe; call before connect().
    void enable_auto_reconnect(bool on) { auto_reconnect_ = on; }
    /// MQTT 5 properties for the packets this client sends (`-D`); call before connect().
    void set_properties(PacketProperties props) override { props_ = std::move(props); }
    /// Called with one line per packet sent or received (`-d`); call before connect().
    void on_debug(EventHandler handler) override { debug_ = std::move(handler); }
    /// How many publishes may be outstanding; when full, publish() waits until half are done.
    void set_publish_window(size_t window) override { window_ = window ? window : 1; }
    /// When publishing and the connection is lost: reconnect with backoff for up to `seconds`
    /// and send again what was not acknowledged (0: fail at once).
    void set_reconnect_timeout(double seconds) override { reconnect_timeout_ = seconds; }

    /// Connects, blocking up to the connect timeout; exit code 3 when unreachable, 4 when refused.
    base::Status connect() override;
    /// Subscribes to each filter, in one request; error when the broker refuses any of them.
    base::Status subscribe(const std::vector<std::string>& filters, const SubscribeFlags& flags);
    /// Unsubscribes from each filter and waits for the broker's UNSUBACK.
    base::Status unsubscribe(const std::vector<std::string>& filters);
    /// Queues a message; when the window is full, first waits until half of it is done.
    base::Status publish(const base::Message& message) override;
    /// The same, taking the message's payload instead of copying it (the rest is left as is).
    base::Status publish(base::Message&& message) override;
    /// After connect(): sends each packet at once (TCP_NODELAY) instead of holding a small one
    /// until the previous is acknowledged; for timed publishing, not for bulk throughput.
    void send_without_delay() override;
    /// Waits until every queued publish is written and, at QoS 1/2, acknowledged.
    base::Status flush() override;
    /// Number of publishes completed (written, and acknowledged at QoS 1/2).
    uint64_t published() const override { return published_; }
    /// Publishes sent but not acknowledged when publishing gave up on a lost broker.
    uint64_t unacknowledged() const override { return unacknowledged_; }
    /// Reconnects made while publishing.
    uint64_t reconnects() const override { return reconnects_; }
    /// Disconnects cleanly (no Last Will); waits up to `timeout_s` for outstanding work.
    base::Status disconnect(double timeout_s = 10.0) override;
    /// True when the broker had a session for this client at connect (session present flag).
    bool session_present() const { return session_present_; }
    /// True when the broker's last DISCONNECT said another client took the session over (MQTT 5
    /// reason 0x8E); cleared by the next successful connect.
    bool taken_over() const { return taken_over_; }
    /// True when the last subscribe() failed because the connection was lost meanwhile (with
    /// automatic reconnect on, the subscriptions are sent again once it is back).
    bool subscribe_cut_off() const { return subscribe_cut_off_; }

  private:
    base::Status wait_oldest();
    base::Status recover(const std::string& why);
    base::Status send(const mqtt::message_ptr& msg, const std::string& topic);
    mqtt::string_ref topic_ref(const std::string& topic);
    std::vector<mqtt::token_ptr> send_subscribe(const std::vector<std::string>& filters,
                                                const SubscribeFlags& flags);
    base::Error describe_connect_failure(const mqtt::exception& e) const;
    bool wait_for_answer(const mqtt::token_ptr& tok, uint64_t losses_before) const;

    void debug(const std::string& line) const {
        if (debug_) debug_(line);
    }

    ConnOptions opts_;
    PacketProperties props_;
    EventHandler debug_;
    std::unique_ptr<mqtt::async_client> client_;
    MessageHandler message_handler_;
    EventHandler lost_handler_, reconnected_handler_;
    bool auto_reconnect_ = false;
    bool session_present_ = false;
    std::atomic<int> connects_{0};
    std::atomic<bool> taken_over_{false};
    bool subscribe_cut_off_ = false;
    std::vector<std::string> filters_;
    SubscribeFlags sub_flags_;
    std::deque<mqtt::delivery_token_ptr> in_flight_;
    size_t window_ = 1000;
    static constexpr size_t k_topic_cache_size = 1024;
    std::unordered_map<std::string, mqtt::string_ref> topic_refs_;
    uint64_t published_ = 0;
    double reconnect_timeout_ = 0;
    std::atomic<bool> link_lost_{false};  // set by Paho's connection-lost callback
    std::atomic<uint64_t> losses_{0};     // connections lost so far (Paho's callback counts)
    uint64_t unacknowledged_ = 0;
    uint64_t reconnects_ = 0;
};

}  // namespace iotctl::broker
