// Recognises a message the broker sends again after a reconnect (MQTT's DUP flag on a resumed
// session) when ingest already spooled it, so a redelivery does not become a second row.
#pragma once

#include <cstdint>
#include <vector>

#include "core/base/message.h"

namespace iotctl::ingest {

/// Remembers, per packet id, the last QoS 1/2 message spooled and the connection it came on. A
/// message is a redelivery only when the broker set DUP on it, it came on a later connection, and
/// its packet id, topic, QoS, retain flag and payload equal that last one: a message that does not
/// match exactly is always stored, so nothing is dropped to avoid a duplicate.
class RedeliveryFilter {
  public:
    /// Remembers a record spooled by an earlier run (seeded from the spool when ingest starts).
    void remember_earlier(const base::Message& message);
    /// Marks a new connection to the broker: what came before may be sent again on it.
    void new_connection();
    /// True when `message` is a redelivery of one already spooled; otherwise remembers it as
    /// spooled on the current connection (the caller then spools it) and returns false.
    bool seen_before(const base::Message& message);

  private:
    struct Entry {
        uint64_t hash = 0;        // of topic, payload, QoS and retain
        uint64_t size = 0;        // topic and payload bytes, a second check beside the hash
        uint32_t connection = 0;  // 0: none; 1: an earlier run; then one per connection
    };
    void remember(const base::Message& message, uint32_t connection);
    static uint64_t hash_of(const base::Message& message);

    std::vector<Entry> entries_;  // by packet id, allocated on first use
    uint32_t connection_ = 2;     // the first connection of this run
};

}  // namespace iotctl::ingest
