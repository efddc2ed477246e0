#include "core/ingest/run_stats.h"

#include "core/base/topic.h"

namespace iotctl::ingest {

RunStats::RunStats(const std::vector<std::string>& names, int64_t start) : start_ns(start) {
    for (const auto& f : names) {
        filters.push_back(std::make_unique<FilterActivity>());
        filters.back()->filter = f;
    }
}

void RunStats::on_message(std::string_view topic, int64_t ts_ns) {
    received.fetch_add(1, std::memory_order_relaxed);
    last_message_ns.store(ts_ns, std::memory_order_relaxed);
    for (auto& f : filters) {
        if (!base::topic_matches(f->filter, topic)) continue;
        f->messages.fetch_add(1, std::memory_order_relaxed);
        f->last_message_ns.store(ts_ns, std::memory_order_relaxed);
    }
}

void RunStats::on_lost(int64_t now_ns) {
    connected = false;
    int64_t none = 0;
    disconnected_since_ns.compare_exchange_strong(none, now_ns);
}

void RunStats::on_connected(int64_t now_ns, bool reconnect) {
    if (reconnect) reconnects.fetch_add(1, std::memory_order_relaxed);
    connected = true;
    disconnected_since_ns = 0;
}

}  // namespace iotctl::ingest
