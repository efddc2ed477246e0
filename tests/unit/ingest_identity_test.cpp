// Which ingests share a broker session: derived client ids and the takeover watch.
#include <doctest/doctest.h>

#include "core/broker/takeover_watch.h"
#include "core/ingest/state_dir.h"

using namespace iotctl;

namespace {
ingest::ClientIdInputs inputs() {
    return {"host", "127.0.0.1:1883", {"f8/#", "a/+"}, "", "sqlite X.db", "/tmp/st"};
}
constexpr int64_t k_s = 1'000'000'000;
}  // namespace

TEST_CASE("derived client id: stable, and different per state root and sinks") {
    const auto id = ingest::derive_client_id(inputs());
    CHECK(id.rfind("iotctl-ingest-", 0) == 0);
    CHECK(id.size() == std::string("iotctl-ingest-").size() + 16);
    auto reordered = inputs();
    reordered.filters = {"a/+", "f8/#"};
    CHECK(ingest::derive_client_id(reordered) == id);
    auto other_root = inputs();
    other_root.state_root = "/tmp/st2";
    CHECK(ingest::derive_client_id(other_root) != id);
    auto same_root = inputs();
    same_root.state_root = "/tmp/./st/";
    CHECK(ingest::derive_client_id(same_root) == id);
    auto other_sinks = inputs();
    other_sinks.sinks = "sqlite Y.db";
    CHECK(ingest::derive_client_id(other_sinks) != id);
}

TEST_CASE("takeover watch: short-lived connections in a row, or the broker's word") {
    broker::TakeoverWatch watch(10 * k_s);
    watch.connected(1 * k_s);
    CHECK(watch.lost(100 * k_s, false) == 0);  // a long-lived connection lost: a network fault
    watch.connected(101 * k_s);
    CHECK(watch.lost(103 * k_s, false) == 1);  // closed 2 s after connecting
    watch.connected(104 * k_s);
    CHECK(watch.lost(106 * k_s, false) == 2);  // again: another client keeps taking the id
    watch.connected(107 * k_s);
    CHECK(watch.lost(200 * k_s, false) == 0);  // a connection that lived resets the count
    CHECK(watch.lost(300 * k_s, true) == 1);   // MQTT 5: the broker said "session taken over"
    CHECK(watch.lost(400 * k_s, false) == 0);  // a loss with no reconnect in between is no sign
}

TEST_CASE("legacy client id: what earlier versions derived, without sinks and state root") {
    auto a = inputs();
    auto b = inputs();
    b.sinks = "influx http://127.0.0.1:8086";
    b.state_root = "/elsewhere";
    CHECK(ingest::derive_legacy_client_id(a) == ingest::derive_legacy_client_id(b));
    CHECK(ingest::derive_legacy_client_id(a) != ingest::derive_client_id(a));
}
