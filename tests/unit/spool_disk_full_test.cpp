// Unit tests of the spool on a full disk, through the SpoolDisk seam (tests/unit/fake_disk.h):
// short and failed writes leave whole records only, a consumed active segment gives its space
// back, checkpoints survive ENOSPC, and the open-time scan reports what it drops.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

#include <fmt/format.h>
#include <unistd.h>

#include "core/ingest/checkpoint.h"
#include "core/ingest/spool.h"
#include "core/ingest/spool_reader.h"
#include "fake_disk.h"

using namespace iotctl;

namespace {
std::string fresh_dir(const std::string& name) {
    auto dir = std::filesystem::temp_directory_path() /
               ("iotctl-diskfull-" + name + "-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    return std::filesystem::canonical(dir).string();
}

base::Message numbered(int i) {
    base::Message m;
    m.topic = "t/" + std::to_string(i);
    m.payload = std::string(60, 'p') + std::to_string(i);
    m.qos = 1;
    m.ts_ns = 1000 + i;
    return m;
}

size_t record_size(int i) {
    std::string bytes;
    ingest::encode_spool_record(numbered(i), bytes);
    return bytes.size();
}

std::vector<ingest::SpoolEntry> read_all(const ingest::Spool& spool, uint64_t from,
                                         uint64_t* skipped = nullptr) {
    ingest::SpoolReader reader(spool, from);
    std::vector<ingest::SpoolEntry> out;
    while (reader.read(out, 7, 1 << 20) > 0) {
    }
    if (skipped) *skipped = reader.skipped_bytes();
    return out;
}

void check_in_order(const std::vector<ingest::SpoolEntry>& all, int n) {
    REQUIRE(all.size() == static_cast<size_t>(n));
    for (int i = 0; i < n; ++i)
        CHECK(all[static_cast<size_t>(i)].message.topic == "t/" + std::to_string(i));
}

uint64_t files_bytes(const std::string& dir, const std::string& suffix) {
    uint64_t total = 0;
    for (const auto& e : std::filesystem::directory_iterator(dir))
        if (e.path().string().ends_with(suffix)) total += e.file_size();
    return total;
}

/// Descriptors of this process open on deleted files in `dir`.
int deleted_but_open(const std::string& dir) {
    int n = 0;
    for (const auto& e : std::filesystem::directory_iterator("/proc/self/fd")) {
        std::error_code ec;
        auto target = std::filesystem::read_symlink(e.path(), ec).string();
        if (target.starts_with(dir) && target.ends_with(" (deleted)")) ++n;
    }
    return n;
}
}  // namespace

TEST_CASE("a short write, then a retry, leaves whole records only") {
    auto dir = fresh_dir("short");
    test::FakeDisk disk(dir);
    ingest::SpoolOptions opts;
    opts.disk = &disk;
    auto spool = ingest::Spool::open(dir, opts, 0).take();
    for (int i = 0; i < 10; ++i) REQUIRE(spool->append(numbered(i)).ok());
    // Room for half of the next record: write(2) stores half, then fails with ENOSPC.
    disk.capacity = static_cast<int64_t>(spool->end() + record_size(10) / 2);
    auto failed = spool->append(numbered(10));
    REQUIRE_FALSE(failed.ok());
    CHECK(disk.short_writes.load() == 1);
    CHECK(failed.error().message.find("No space left on device") != std::string::npos);
    CHECK(failed.error().message.find("cut back to the last whole record") != std::string::npos);
    CHECK(spool->write_failing());
    // The torn half is gone at once: the file ends with the last whole record.
    CHECK(files_bytes(dir, ".seg") == spool->end());
    CHECK_FALSE(spool->append(numbered(10)).ok());  // still full: nothing written at all
    CHECK(files_bytes(dir, ".seg") == spool->end());
    disk.capacity = -1;  // space returns
    REQUIRE(spool->append(numbered(10)).ok());
    REQUIRE(spool->append(numbered(11)).ok());
    CHECK_FALSE(spool->write_failing());
    uint64_t skipped = 1;
    check_in_order(read_all(*spool, 0, &skipped), 12);
    CHECK(skipped == 0);
    uint64_t end = spool->end();
    spool.reset();
    auto again = ingest::Spool::open(dir, {}, 0).take();
    CHECK(again->repairs().empty());  // nothing for the validity scan to cut
    CHECK(again->end() == end);
    std::filesystem::remove_all(dir);
}

TEST_CASE("a torn write that cannot be cut at once is cut before the next write") {
    auto dir = fresh_dir("cutlater");
    test::FakeDisk disk(dir);
    ingest::SpoolOptions opts;
    opts.disk = &disk;
    auto spool = ingest::Spool::open(dir, opts, 0).take();
    for (int i = 0; i < 5; ++i) REQUIRE(spool->append(numbered(i)).ok());
    disk.capacity = static_cast<int64_t>(spool->end() + 10);
    disk.truncate_failures = 1;
    auto failed = spool->append(numbered(5));
    REQUIRE_FALSE(failed.ok());
    CHECK(failed.error().message.find("cutting them failed") != std::string::npos);
    CHECK(files_bytes(dir, ".seg") == spool->end() + 10);  // the torn bytes are still there
    disk.capacity = -1;
    REQUIRE(spool->append(numbered(5)).ok());
    check_in_order(read_all(*spool, 0), 6);
    CHECK(files_bytes(dir, ".seg") == spool->end());
    std::filesystem::remove_all(dir);
}

TEST_CASE("ENOSPC, then space returns: every record is readable, in order, once") {
    auto dir = fresh_dir("enospc");
    test::FakeDisk disk(dir);
    ingest::SpoolOptions opts;
    opts.disk = &disk;
    opts.segment_bytes = 1500;  // several segments, so rotation meets a full disk too
    auto spool = ingest::Spool::open(dir, opts, 0).take();
    disk.capacity = 700;
    int failures = 0;
    for (int i = 0; i < 200; ++i) {
        while (!spool->append(numbered(i)).ok()) {
            ++failures;
            CHECK(spool->write_failing());
            CHECK(spool->write_errno() == ENOSPC);
            disk.capacity = disk.capacity.load() + 333;  // some space comes back each time
        }
    }
    CHECK(failures > 20);
    CHECK(disk.short_writes.load() > 0);
    uint64_t skipped = 1;
    check_in_order(read_all(*spool, 0, &skipped), 200);
    CHECK(skipped == 0);
    spool.reset();
    auto again = ingest::Spool::open(dir, opts, 0).take();
    CHECK(again->repairs().empty());
    check_in_order(read_all(*again, 0), 200);
    std::filesystem::remove_all(dir);
}

TEST_CASE("an active segment every reader has passed is sealed and given back") {
    auto dir = fresh_dir("reclaim");
    test::FakeDisk disk(dir);
    ingest::SpoolOptions opts;
    opts.disk = &disk;  // segment_bytes stays 64 MiB: only the active segment exists
    auto spool = ingest::Spool::open(dir, opts, 0).take();
    int n = 0;
    while (spool->end() < opts.reclaim_bytes + 1000) REQUIRE(spool->append(numbered(n++)).ok());
    ingest::SpoolReader reader(*spool, 0);
    std::vector<ingest::SpoolEntry> got;
    while (reader.read(got, 100, 1 << 20) > 0) {
    }
    REQUIRE(got.size() == static_cast<size_t>(n));
    const std::string first = dir + "/00000000000000000000.seg";
    spool->release(spool->end() - 1);  // one byte short: nothing goes
    CHECK(std::filesystem::exists(first));
    spool->release(spool->end());
    CHECK_FALSE(std::filesystem::exists(first));
    CHECK(spool->begin() == spool->end());
    CHECK(std::filesystem::exists(dir + fmt::format("/{:020}.seg", spool->end())));
    // The reader lets go of the deleted file at its next look, so the space really comes back.
    CHECK(reader.read(got, 100, 1 << 20) == 0);
    CHECK(deleted_but_open(dir) == 0);
    // Its records stay only as the seed of the next run's redelivery filter (a small segment
    // while writes succeed; see the full-disk case below for when it goes too).
    const std::string seed = dir + "/redelivery.seed";
    REQUIRE(std::filesystem::exists(seed));
    CHECK(disk.used() == std::filesystem::file_size(seed));
    CHECK(std::filesystem::file_size(seed) <= ingest::Spool::k_seed_max_bytes);
    // Reading goes on in the new segment.
    REQUIRE(spool->append(numbered(n)).ok());
    CHECK(reader.read(got, 100, 1 << 20) == 1);
    CHECK(got.back().message.topic == "t/" + std::to_string(n));
    // A small consumed segment stays (no file churn per batch) unless writes are failing.
    uint64_t small_start = spool->begin();
    spool->release(spool->end());
    CHECK(spool->begin() == small_start);
    std::filesystem::remove_all(dir);
}

TEST_CASE("a full disk comes back once the reader has caught up: the consumed segment goes") {
    auto dir = fresh_dir("fullreclaim");
    test::FakeDisk disk(dir);
    ingest::SpoolOptions opts;
    opts.disk = &disk;
    auto spool = ingest::Spool::open(dir, opts, 0).take();
    disk.capacity = 4000;  // far below reclaim_bytes
    int n = 0;
    while (spool->append(numbered(n)).ok()) ++n;
    REQUIRE(spool->write_failing());
    ingest::SpoolReader reader(*spool, 0);
    std::vector<ingest::SpoolEntry> got;
    while (reader.read(got, 100, 1 << 20) > 0) {
    }
    REQUIRE(got.size() == static_cast<size_t>(n));
    CHECK_FALSE(spool->wait_for_space(std::chrono::milliseconds(1)));
    spool->release(reader.position());
    CHECK(spool->wait_for_space(std::chrono::milliseconds(1)) == false);  // already happened
    CHECK(reader.read(got, 100, 1 << 20) == 0);  // lets go of the deleted file
    REQUIRE(spool->append(numbered(n)).ok());    // the message that failed goes in now
    CHECK(reader.read(got, 100, 1 << 20) == 1);
    CHECK(got.back().message.topic == "t/" + std::to_string(n));
    std::filesystem::remove_all(dir);
}

TEST_CASE("a checkpoint write that hits ENOSPC keeps the old checkpoint and leaves no .tmp") {
    auto dir = fresh_dir("checkpoint");
    test::FakeDisk disk(dir);
    auto path = ingest::checkpoint_path(dir, "influx");
    REQUIRE(ingest::write_checkpoint(path, 4096, disk).ok());
    disk.capacity = disk.used();  // not one byte more
    auto failed = ingest::write_checkpoint(path, 8192, disk);
    REQUIRE_FALSE(failed.ok());
    CHECK(failed.error().message.find("No space left on device") != std::string::npos);
    CHECK(*ingest::read_checkpoint(path) == 4096);
    CHECK_FALSE(std::filesystem::exists(path + ".tmp"));
    disk.capacity = disk.used() + 2;  // a short write: "81" of "8192\n"
    REQUIRE_FALSE(ingest::write_checkpoint(path, 8192, disk).ok());
    CHECK(disk.short_writes.load() == 1);
    CHECK(*ingest::read_checkpoint(path) == 4096);
    CHECK_FALSE(std::filesystem::exists(path + ".tmp"));
    disk.capacity = -1;
    REQUIRE(ingest::write_checkpoint(path, 8192, disk).ok());
    CHECK(*ingest::read_checkpoint(path) == 8192);
    // A stray (empty) temporary file from a crash is no checkpoint, and is cleaned away.
    std::ofstream(dir + "/checkpoint.sqlite.tmp").flush();
    CHECK(ingest::highest_checkpoint(dir) == 8192);
    ingest::remove_stray_checkpoint_files(dir);
    CHECK_FALSE(std::filesystem::exists(dir + "/checkpoint.sqlite.tmp"));
    CHECK(std::filesystem::exists(path));
    std::filesystem::remove_all(dir);
}

TEST_CASE(
    "the open-time scan reports each drop with its bytes and reason, and keeps what follows") {
    auto dir = fresh_dir("scan");
    const std::string seg = dir + "/00000000000000000000.seg";
    std::string whole, torn;
    for (int i = 0; i < 3; ++i) {
        std::string r;
        ingest::encode_spool_record(numbered(i), r);
        whole += r;
    }
    ingest::encode_spool_record(numbered(3), torn);
    std::string after;
    for (int i = 3; i < 6; ++i) {
        std::string r;
        ingest::encode_spool_record(numbered(i), r);
        after += r;
    }
    SUBCASE("a torn tail is cut and reported") {
        std::ofstream(seg, std::ios::binary) << whole << torn.substr(0, 20);
        auto spool = ingest::Spool::open(dir, {}, 0).take();
        REQUIRE(spool->repairs().size() == 1);
        const auto& r = spool->repairs()[0];
        CHECK(r.drop.offset == whole.size());
        CHECK(r.drop.bytes == 20);
        CHECK(r.drop.reason == fmt::format("torn record (20 of {} bytes)", torn.size()));
        CHECK_FALSE(r.records_follow);
        CHECK(spool->end() == whole.size());
        CHECK(read_all(*spool, 0).size() == 3);
    }
    SUBCASE("a torn record followed by whole ones (what the old retry left): those are kept") {
        std::ofstream(seg, std::ios::binary) << whole << torn.substr(0, 30) << after;
        auto spool = ingest::Spool::open(dir, {}, 0).take();
        REQUIRE(spool->repairs().size() == 1);
        const auto& r = spool->repairs()[0];
        CHECK(r.drop.offset == whole.size());
        CHECK(r.drop.bytes == 30);
        CHECK(r.drop.reason.starts_with("bad CRC"));
        CHECK(r.records_follow);
        REQUIRE(spool->append(numbered(6)).ok());
        uint64_t skipped = 0;
        check_in_order(read_all(*spool, 0, &skipped), 7);
        CHECK(skipped == 30);
    }
    SUBCASE("a header cut short is a torn header") {
        std::ofstream(seg, std::ios::binary) << whole << torn.substr(0, 5);
        auto spool = ingest::Spool::open(dir, {}, 0).take();
        REQUIRE(spool->repairs().size() == 1);
        CHECK(spool->repairs()[0].drop.reason == "torn header (5 of 8 bytes)");
    }
    std::filesystem::remove_all(dir);
}
