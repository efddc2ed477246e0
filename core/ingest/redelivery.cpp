#include "core/ingest/redelivery.h"

#include <functional>
#include <string_view>

namespace iotctl::ingest {

namespace {
constexpr size_t k_packet_ids = 65536;
constexpr uint32_t k_earlier_run = 1;
}  // namespace

uint64_t RedeliveryFilter::hash_of(const base::Message& m) {
    const std::hash<std::string_view> h;
    uint64_t v = h(m.topic);
    v ^= h(m.payload) + 0x9e3779b97f4a7c15ULL + (v << 6) + (v >> 2);
    return v ^ (static_cast<uint64_t>(m.qos) << 1 | (m.retain ? 1 : 0));
}

void RedeliveryFilter::remember(const base::Message& m, uint32_t connection) {
    if (m.qos == 0 || m.mid <= 0 || m.mid >= static_cast<int>(k_packet_ids)) return;
    if (entries_.empty()) entries_.resize(k_packet_ids);
    entries_[static_cast<size_t>(m.mid)] = {hash_of(m), m.topic.size() + m.payload.size(),
                                            connection};
}

void RedeliveryFilter::remember_earlier(const base::Message& m) {
    remember(m, k_earlier_run);
}

void RedeliveryFilter::new_connection() {
    ++connection_;
}

bool RedeliveryFilter::seen_before(const base::Message& m) {
    if (m.dup && m.qos > 0 && m.mid > 0 && !entries_.empty() &&
        m.mid < static_cast<int>(k_packet_ids)) {
        const Entry& e = entries_[static_cast<size_t>(m.mid)];
        // Only a message from an earlier connection: MQTT resends unacknowledged messages when a
        // session resumes, never on the connection that first carried them.
        if (e.connection != 0 && e.connection < connection_ &&
            e.size == m.topic.size() + m.payload.size() && e.hash == hash_of(m))
            return true;
    }
    remember(m, connection_);
    return false;
}

}  // namespace iotctl::ingest
