// Unit tests of the ingest spool: framing, reading back across segments, torn tails, release.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

#include <unistd.h>

#include "core/ingest/checkpoint.h"
#include "core/ingest/spool.h"
#include "core/ingest/spool_reader.h"

using namespace iotctl;

namespace {
std::string fresh_dir(const std::string& name) {
    auto dir = std::filesystem::temp_directory_path() /
               ("iotctl-spool-" + name + "-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir);
    return dir.string();
}

base::Message numbered(int i) {
    base::Message m;
    m.topic = "t/" + std::to_string(i);
    m.payload = std::string(static_cast<size_t>(i % 50), 'x') + std::to_string(i);
    m.qos = 1;
    m.ts_ns = 1000 + i;
    return m;
}

std::vector<ingest::SpoolEntry> read_all(const ingest::Spool& spool, uint64_t from) {
    ingest::SpoolReader reader(spool, from);
    std::vector<ingest::SpoolEntry> out;
    while (reader.read(out, 7, 1 << 20) > 0) {
    }
    return out;
}
}  // namespace

TEST_CASE("a spool record decodes to the message it encodes, binary payloads included") {
    base::Message m = numbered(3);
    m.payload = std::string("\0\xff\x01", 3);
    m.retain = true;
    std::string bytes;
    ingest::encode_spool_record(m, bytes);
    base::Message back;
    CHECK(ingest::decode_spool_record(bytes.data(), bytes.size(), back) ==
          static_cast<int64_t>(bytes.size()));
    CHECK(back.topic == m.topic);
    CHECK(back.payload == m.payload);
    CHECK(back.retain);
    CHECK(back.ts_ns == m.ts_ns);
    CHECK(ingest::decode_spool_record(bytes.data(), bytes.size() - 1, back) == 0);
    bytes[bytes.size() - 1] ^= 1;
    CHECK(ingest::decode_spool_record(bytes.data(), bytes.size(), back) == -1);
}

TEST_CASE("messages appended across many segments are read back in order, once") {
    auto dir = fresh_dir("order");
    ingest::SpoolOptions opts;
    opts.segment_bytes = 256;  // many small segments
    auto spool = ingest::Spool::open(dir, opts, 0).take();
    for (int i = 0; i < 200; ++i) REQUIRE(spool->append(numbered(i)).ok());
    auto all = read_all(*spool, 0);
    REQUIRE(all.size() == 200);
    for (int i = 0; i < 200; ++i)
        CHECK(all[static_cast<size_t>(i)].message.topic == "t/" + std::to_string(i));
    // Reading from the middle starts at that record.
    auto rest = read_all(*spool, all[150].offset);
    REQUIRE(rest.size() == 50);
    CHECK(rest.front().message.topic == "t/150");
    std::filesystem::remove_all(dir);
}

TEST_CASE("a reopened spool continues after its last record and cuts a torn tail") {
    auto dir = fresh_dir("reopen");
    uint64_t end = 0;
    {
        auto spool = ingest::Spool::open(dir, {}, 0).take();
        for (int i = 0; i < 10; ++i) REQUIRE(spool->append(numbered(i)).ok());
        end = spool->end();
    }
    // Simulate a write torn by a power cut: half a record at the end of the segment.
    std::string torn;
    ingest::encode_spool_record(numbered(99), torn);
    {
        std::ofstream f(dir + "/00000000000000000000.seg", std::ios::app | std::ios::binary);
        f.write(torn.data(), static_cast<std::streamsize>(torn.size() / 2));
    }
    auto spool = ingest::Spool::open(dir, {}, 0).take();
    CHECK(spool->end() == end);
    REQUIRE(spool->append(numbered(10)).ok());
    auto all = read_all(*spool, 0);
    REQUIRE(all.size() == 11);
    CHECK(all.back().message.topic == "t/10");
    std::filesystem::remove_all(dir);
}

TEST_CASE("release deletes only sealed segments every reader has passed") {
    auto dir = fresh_dir("release");
    ingest::SpoolOptions opts;
    opts.segment_bytes = 200;
    auto spool = ingest::Spool::open(dir, opts, 0).take();
    for (int i = 0; i < 100; ++i) REQUIRE(spool->append(numbered(i)).ok());
    auto all = read_all(*spool, 0);
    uint64_t before = spool->bytes();
    spool->release(all[50].offset);
    CHECK(spool->bytes() < before);
    CHECK(spool->begin() <= all[50].offset);
    CHECK(read_all(*spool, all[50].offset).size() == 50);
    spool->release(spool->end());
    // The active segment stays, so positions keep growing after a restart.
    CHECK(std::filesystem::exists(dir));
    CHECK(read_all(*spool, spool->begin()).size() <= 100);
    std::filesystem::remove_all(dir);
}

TEST_CASE("an empty spool starts at the highest checkpoint so positions never go back") {
    auto dir = fresh_dir("start");
    std::filesystem::create_directories(dir);
    REQUIRE(ingest::write_checkpoint(ingest::checkpoint_path(dir, "sqlite"), 4096).ok());
    REQUIRE(ingest::write_checkpoint(ingest::checkpoint_path(dir, "influx"), 1024).ok());
    CHECK(ingest::highest_checkpoint(dir) == 4096);
    CHECK(*ingest::read_checkpoint(ingest::checkpoint_path(dir, "influx")) == 1024);
    CHECK(*ingest::read_checkpoint(ingest::checkpoint_path(dir, "absent")) == 0);
    auto spool = ingest::Spool::open(dir, {}, ingest::highest_checkpoint(dir)).take();
    CHECK(spool->end() == 4096);
    REQUIRE(spool->append(numbered(1)).ok());
    CHECK(read_all(*spool, 4096).size() == 1);
    std::filesystem::remove_all(dir);
}

TEST_CASE("a full spool blocks the appender until a release frees a segment") {
    auto dir = fresh_dir("full");
    ingest::SpoolOptions opts;
    opts.segment_bytes = 100;
    opts.max_bytes = 400;
    auto spool = ingest::Spool::open(dir, opts, 0).take();
    while (spool->bytes() < opts.max_bytes) REQUIRE(spool->append(numbered(1)).ok());
    std::atomic<bool> done{false};
    std::thread appender([&] {
        (void)spool->append(numbered(2));
        done = true;
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    CHECK_FALSE(done.load());
    CHECK(spool->full());
    spool->release(spool->end());
    appender.join();
    CHECK(done.load());
    CHECK(spool->full_events() == 1);
    std::filesystem::remove_all(dir);
}
