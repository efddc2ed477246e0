// Unit tests of redelivery recognition: the spool record keeps packet id and DUP (and reads
// records written before it did), and RedeliveryFilter drops only exact resends.
#include <doctest/doctest.h>

#include <cstring>
#include <filesystem>

#include <unistd.h>
#include <zlib.h>

#include "core/ingest/redelivery.h"
#include "core/ingest/spool.h"
#include "core/ingest/spool_reader.h"
#include "core/ingest/spool_record.h"

using namespace iotctl;

namespace {
base::Message message(int mid, const std::string& payload, bool dup = false) {
    base::Message m;
    m.topic = "f8/a";
    m.payload = payload;
    m.qos = 1;
    m.mid = mid;
    m.dup = dup;
    m.ts_ns = 1000 + mid;
    return m;
}

// A record as ingest wrote it before packet ids were kept: flags byte 0 or 1, no packet id.
std::string old_record(const base::Message& m) {
    std::string body;
    auto put = [&](const void* p, size_t n) { body.append(static_cast<const char*>(p), n); };
    int64_t ts = m.ts_ns;
    uint8_t qos = static_cast<uint8_t>(m.qos), retain = m.retain ? 1 : 0;
    uint32_t topic_len = static_cast<uint32_t>(m.topic.size());
    put(&ts, 8);
    put(&qos, 1);
    put(&retain, 1);
    put(&topic_len, 4);
    body += m.topic + m.payload;
    uint32_t size = static_cast<uint32_t>(body.size());
    uint32_t crc = static_cast<uint32_t>(
        crc32(0, reinterpret_cast<const Bytef*>(body.data()), static_cast<uInt>(body.size())));
    std::string out(8, '\0');
    std::memcpy(out.data(), &size, 4);
    std::memcpy(out.data() + 4, &crc, 4);
    return out + body;
}
}  // namespace

TEST_CASE("a spool record keeps the packet id and the DUP flag") {
    base::Message m = message(4711, "{\"seq\":1}", true);
    m.retain = true;
    std::string bytes;
    ingest::encode_spool_record(m, bytes);
    base::Message back;
    REQUIRE(ingest::decode_spool_record(bytes.data(), bytes.size(), back) ==
            static_cast<int64_t>(bytes.size()));
    CHECK(back.mid == 4711);
    CHECK(back.dup);
    CHECK(back.retain);
    CHECK(back.topic == m.topic);
    CHECK(back.payload == m.payload);
    std::string head;
    ingest::encode_spool_head(m, head);
    CHECK(head + m.payload == bytes);  // the spool writes the payload after the head
}

TEST_CASE("records written before packet ids were kept still read") {
    base::Message m = message(0, "old payload");
    m.retain = true;
    std::string bytes = old_record(m) + old_record(message(0, "second"));
    base::Message back;
    int64_t used = ingest::decode_spool_record(bytes.data(), bytes.size(), back);
    REQUIRE(used > 0);
    CHECK(back.topic == "f8/a");
    CHECK(back.payload == "old payload");
    CHECK(back.retain);
    CHECK(back.mid == 0);
    CHECK_FALSE(back.dup);
    auto scan = ingest::scan_spool_records(bytes.data(), bytes.size());
    CHECK(scan.records == 2);
    CHECK(scan.drops.empty());
}

TEST_CASE("only an exact resend on a later connection is a redelivery") {
    ingest::RedeliveryFilter filter;
    CHECK_FALSE(filter.seen_before(message(7, "a")));
    // The same packet id with DUP on the same connection: MQTT does not resend there.
    CHECK_FALSE(filter.seen_before(message(7, "a", true)));
    filter.new_connection();
    CHECK(filter.seen_before(message(7, "a", true)));
    CHECK(filter.seen_before(message(7, "a", true)));        // sent again after another drop
    CHECK_FALSE(filter.seen_before(message(8, "a", true)));  // another packet id
    CHECK_FALSE(filter.seen_before(message(9, "b")));        // no DUP flag
    filter.new_connection();
    CHECK_FALSE(filter.seen_before(message(9, "c", true)));  // other payload: a new message
    base::Message other_topic = message(8, "a", true);
    other_topic.topic = "f8/b";
    CHECK_FALSE(filter.seen_before(other_topic));
    base::Message qos0 = message(0, "a", true);
    qos0.qos = 0;
    CHECK_FALSE(filter.seen_before(qos0));
}

TEST_CASE("a packet id reused for a new message is compared with the newest one") {
    ingest::RedeliveryFilter filter;
    CHECK_FALSE(filter.seen_before(message(3, "first")));
    CHECK_FALSE(filter.seen_before(message(3, "second")));  // the broker reused the id
    filter.new_connection();
    CHECK_FALSE(filter.seen_before(message(3, "first", true)));
    filter.new_connection();
    CHECK(filter.seen_before(message(3, "first", true)));  // now the newest with that id
}

TEST_CASE("records of an earlier run seed the filter through the spool's open") {
    auto dir = (std::filesystem::temp_directory_path() /
                ("iotctl-redelivery-" + std::to_string(::getpid())))
                   .string();
    std::filesystem::remove_all(dir);
    {
        auto spool = ingest::Spool::open(dir, {}, 0).take();
        for (int i = 1; i <= 5; ++i) REQUIRE(spool->append(message(i, std::to_string(i))));
    }
    ingest::RedeliveryFilter filter;
    int seen = 0;
    auto spool = ingest::Spool::open(dir, {}, 0, [&](const base::Message& m) {
                     ++seen;
                     filter.remember_earlier(m);
                 }).take();
    CHECK(seen == 5);
    CHECK(filter.seen_before(message(5, "5", true)));  // first connection of the new run
    CHECK_FALSE(filter.seen_before(message(5, "five", true)));
    std::filesystem::remove_all(dir);
}

TEST_CASE("a segment given back once every reader has it still seeds the next run") {
    // Sinks that caught up make the spool seal and give back its active segment; the newest
    // records must still reach the next run's filter (a clean stop, or a kill after the reclaim).
    auto dir = (std::filesystem::temp_directory_path() /
                ("iotctl-redelivery-seed-" + std::to_string(::getpid())))
                   .string();
    std::filesystem::remove_all(dir);
    ingest::SpoolOptions small;
    small.reclaim_bytes = 64;
    {
        auto spool = ingest::Spool::open(dir, small, 0).take();
        for (int i = 1; i <= 5; ++i) REQUIRE(spool->append(message(i, std::string(40, 'a' + i))));
        spool->release(spool->end());  // every reader is at the end
        CHECK(spool->bytes() == 0);    // the disk space is given back...
        REQUIRE(spool->append(message(6, "six")));
    }
    ingest::RedeliveryFilter filter;
    int seen = 0;
    auto spool = ingest::Spool::open(dir, small, 0, [&](const base::Message& m) {
                     ++seen;
                     filter.remember_earlier(m);
                 }).take();
    CHECK(seen == 6);  // ...but the records of the given-back segment are still visited
    CHECK(filter.seen_before(message(3, std::string(40, 'a' + 3), true)));
    CHECK(filter.seen_before(message(6, "six", true)));
    std::filesystem::remove_all(dir);
}
