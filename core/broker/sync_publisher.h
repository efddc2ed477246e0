// A publisher on Paho C's synchronous client (MQTTClient): each publish is written in the caller's
// thread, with no send thread and no command queue; acknowledgements are read between publishes.
#pragma once

#include <MQTTClient.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/broker/publisher.h"

namespace iotctl::broker {

/// One connection that only publishes, on Paho C's MQTTClient without callbacks (so without its
/// receive thread). A small thread of its own reads and pings while the caller is away, so an
/// idle connection (slow stdin, long replay gaps) keeps its keepalive.
class SyncPublisher : public Publisher {
  public:
    /// Creates the client (no network I/O yet); `command` names the default client id.
    SyncPublisher(ConnOptions opts, const std::string& command);
    ~SyncPublisher() override;
    SyncPublisher(const SyncPublisher&) = delete;
    SyncPublisher& operator=(const SyncPublisher&) = delete;

    void set_properties(PacketProperties props) override { props_ = std::move(props); }
    void on_debug(DebugHandler handler) override { debug_ = std::move(handler); }
    void set_publish_window(size_t window) override;
    void set_reconnect_timeout(double seconds) override { reconnect_timeout_ = seconds; }
    base::Status connect() override;
    base::Status publish(const base::Message& message) override;
    base::Status publish(base::Message&& message) override;
    void send_without_delay() override;
    base::Status flush() override;
    uint64_t published() const override { return published_; }
    uint64_t unacknowledged() const override { return unacknowledged_; }
    uint64_t reconnects() const override { return reconnects_; }
    base::Status disconnect(double timeout_s = 10.0) override;

  private:
    /// A publish at QoS 1/2 the broker has not acknowledged yet, kept to be sent again.
    struct InFlight {
        int token = 0;
        base::Message message;
    };
    /// What one publish call came to.
    enum class Sent { done, link_lost, failed };

    // sync_publisher.cpp: the connection.
    int connect_once(std::string& error);  // Paho's return or reason code
    void keep_alive();

    // sync_publisher_flow.cpp: the window, acknowledgements, reconnecting.
    size_t window() const;
    base::Status send(const base::Message& message, std::string* payload);
    Sent start_publish(const base::Message& message, int& token, std::string& error);
    bool pump(unsigned long timeout_ms);
    void collect_acknowledged();
    base::Status check_refused();
    base::Status wait_until_in_flight(size_t most);
    base::Status recover(const std::string& why);
    void take_unacknowledged(std::deque<InFlight>& again);

    void debug(const std::string& line) const {
        if (debug_) debug_(line);
    }

    ConnOptions opts_;
    std::string client_id_, uri_;
    PacketProperties props_;
    DebugHandler debug_;
    MQTTClient client_ = nullptr;
    bool v5_ = false;
    int receive_maximum_ = 65535;  // the broker's limit on QoS 1/2 in flight (MQTT 5 CONNACK)
    int last_packet_id_ = 0;       // the id Paho gave the last QoS 1/2 publish (its own counter)
    size_t window_ = 1000;
    double reconnect_timeout_ = 0;
    std::deque<InFlight> in_flight_;
    std::vector<uint8_t> pending_;              // by packet id: still in Paho's outbound list
    std::vector<std::pair<int, int>> refused_;  // MQTT 5: packet id and reason code >= 0x80
    uint64_t published_ = 0, unacknowledged_ = 0, reconnects_ = 0;
    // Losses in a row with nothing acknowledged between them, and the count at the last one.
    int fruitless_losses_ = 0;
    uint64_t published_at_loss_ = 0;

    // Every Paho call holds io_; the keepalive thread reads and pings only when the caller has
    // not called for a while.
    std::mutex io_;
    std::condition_variable wake_;
    bool stopping_ = false;
    std::chrono::steady_clock::time_point last_io_;
    std::thread keeper_;
};

}  // namespace iotctl::broker
