// Unit tests of the ingest pipeline at its seams: a fake Mapper and fake Sinks, a real spool.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <tuple>

#include <fmt/format.h>
#include <unistd.h>
#include <nlohmann/json.hpp>

#include "core/base/payload.h"
#include "core/base/timestamps.h"
#include "core/ingest/checkpoint.h"
#include "core/ingest/pipeline.h"
#include "fake_disk.h"

using namespace iotctl;

namespace {
// Maps `n/<i>` to one record with seq i; payload "dead" is dead, "skip" is skipped.
class FakeMapper : public mapping::Mapper {
  public:
    std::vector<std::string> filters() const override { return {"n/#"}; }
    mapping::MapOutcome map(const base::Message& m, std::vector<base::Record>& out) const override {
        if (m.payload == "dead") return {mapping::MapOutcome::dead, "fake: dead", {}};
        if (m.payload == "skip") return {mapping::MapOutcome::skipped, "", {}};
        base::Record r;
        r.measurement = m.payload;  // "bad" marks a record the sink rejects
        r.fields.emplace_back("i", static_cast<int64_t>(std::stoll(m.topic.substr(2))));
        out.push_back(std::move(r));
        return {};
    }
};

// Stores record values; fails the first `failures` writes; rejects batches holding "bad".
struct FakeStore {
    std::mutex mutex;
    std::vector<int64_t> values;
    std::atomic<int> failures{0};
    std::atomic<bool> down{false};
};

class FakeSink : public sinks::Sink {
  public:
    FakeSink(std::string name, FakeStore& store) : name_(std::move(name)), store_(store) {}
    std::string name() const override { return name_; }
    sinks::WriteOutcome write(const std::vector<base::Record>& batch) override {
        if (store_.down || store_.failures.fetch_sub(1) > 0)
            return {sinks::WriteOutcome::retry, "fake down", {}, {}, {}};
        for (const auto& r : batch)
            if (r.measurement == "bad")
                return {sinks::WriteOutcome::reject, "fake 400", {}, {}, {}};
        std::lock_guard lock(store_.mutex);
        for (const auto& r : batch) store_.values.push_back(std::get<int64_t>(r.fields[0].second));
        return {};
    }

  private:
    std::string name_;
    FakeStore& store_;
};

struct Fixture {
    std::string dir;
    std::unique_ptr<ingest::IngestLog>
        log;  // a file in dir: the retries tests provoke stay off stderr
    std::unique_ptr<ingest::DeadLetterFile> dead;

    // `dead_path` empty: dead.jsonl in the directory.
    explicit Fixture(const std::string& name, const std::string& dead_path = "") {
        dir = (std::filesystem::temp_directory_path() /
               ("iotctl-pipeline-" + name + "-" + std::to_string(::getpid())))
                  .string();
        std::filesystem::remove_all(dir);
        std::filesystem::create_directories(dir);
        log = ingest::IngestLog::open(dir + "/ingest.log").take();
        std::filesystem::create_directories(dir + "/state");
        dead = ingest::DeadLetterFile::open(dead_path.empty() ? dir + "/dead.jsonl" : dead_path)
                   .take();
    }
    ~Fixture() { std::filesystem::remove_all(dir); }
    std::string log_text() const {
        std::ifstream in(dir + "/ingest.log");
        return {std::istreambuf_iterator<char>(in), {}};
    }

    std::unique_ptr<ingest::IngestPipeline> open(
        std::vector<std::pair<std::string, FakeStore*>> sinks, ingest::SpoolDisk* disk = nullptr) {
        ingest::PipelineOptions o;
        o.spool.disk = disk;
        o.state_dir = dir + "/state";
        o.batcher.batch_size = 64;
        o.batcher.flush_interval = std::chrono::milliseconds(50);
        o.batcher.first_backoff = std::chrono::milliseconds(5);
        o.drain_time = std::chrono::milliseconds(2000);
        o.spool.segment_bytes = 4096;
        std::vector<ingest::PipelineSink> ps;
        for (auto& [name, store] : sinks)
            ps.push_back(
                {std::make_unique<FakeSink>(name, *store), std::make_unique<FakeMapper>()});
        return ingest::IngestPipeline::open(std::move(o), std::move(ps), *dead, *log).take();
    }
};

base::Message msg(int i, std::string payload = "m") {
    base::Message m;
    m.topic = "n/" + std::to_string(i);
    m.payload = std::move(payload);
    m.ts_ns = base::now_ns();
    return m;
}

std::set<int64_t> distinct(FakeStore& s) {
    std::lock_guard lock(s.mutex);
    return {s.values.begin(), s.values.end()};
}
}  // namespace

TEST_CASE("every accepted message reaches every sink; one down sink does not hold up another") {
    Fixture f("fanout");
    FakeStore a, b;
    b.failures = 5;
    auto p = f.open({{"a", &a}, {"b", &b}});
    p->start();
    for (int i = 0; i < 1000; ++i) p->accept(msg(i));
    CHECK(p->stop() == 0);
    CHECK(distinct(a).size() == 1000);
    CHECK(distinct(b).size() == 1000);
    CHECK(p->stats().sinks[1]->retries.load() >= 5);
    CHECK(p->stats().received.load() == 1000);
}

TEST_CASE("what a stopped run could not write is written first by the next run") {
    Fixture f("restart");
    FakeStore store;
    store.down = true;
    {
        auto p = f.open({{"a", &store}});
        p->start();
        for (int i = 0; i < 300; ++i) p->accept(msg(i));
        CHECK(p->stop() > 0);  // the sink stayed down: everything is still spooled
    }
    CHECK(distinct(store).empty());
    store.down = false;
    auto p = f.open({{"a", &store}});
    p->start();
    CHECK(p->stop() == 0);
    CHECK(distinct(store).size() == 300);
}

TEST_CASE("two sinks of one kind keep their own checkpoints (influx, influx-2)") {
    Fixture f("samekind");
    FakeStore up, down;
    down.down = true;
    {
        auto p = f.open({{"influx", &up}, {"influx", &down}});
        p->start();
        for (int i = 0; i < 200; ++i) p->accept(msg(i));
        CHECK(p->stop() > 0);  // the second stayed down
    }
    CHECK(std::filesystem::exists(f.dir + "/state/checkpoint.influx"));
    CHECK(distinct(up).size() == 200);
    down.down = false;
    auto p = f.open({{"influx", &up}, {"influx", &down}});
    p->start();
    CHECK(p->stop() == 0);
    CHECK(distinct(down).size() == 200);  // resumed from its own checkpoint, not the first's
    CHECK(std::filesystem::exists(f.dir + "/state/checkpoint.influx-2"));
    CHECK(p->stats().sinks.size() == 2);
}

TEST_CASE("dead, skipped and rejected messages are counted and dead-lettered; the rest stored") {
    Fixture f("dead");
    FakeStore store;
    auto p = f.open({{"a", &store}});
    p->start();
    for (int i = 0; i < 200; ++i) {
        std::string payload = i == 10 ? "dead" : i == 20 ? "skip" : i == 30 ? "bad" : "m";
        p->accept(msg(i, payload));
    }
    CHECK(p->stop() == 0);
    CHECK(distinct(store).size() == 197);
    CHECK(p->stats().dead.load() == 1);
    CHECK(p->stats().skipped.load() == 1);
    CHECK(p->stats().sinks[0]->rejected.load() == 1);
    std::ifstream in(f.dir + "/dead.jsonl");
    std::string line, all;
    int lines = 0;
    while (std::getline(in, line)) {
        ++lines;
        all += line + "\n";
    }
    CHECK(lines == 2);
    CHECK(all.find("\"topic\":\"n/10\"") != std::string::npos);
    CHECK(all.find("fake: dead") != std::string::npos);
    CHECK(all.find("\"topic\":\"n/30\"") != std::string::npos);
    CHECK(all.find("fake 400") != std::string::npos);
}

TEST_CASE("segments are deleted once every sink has passed them") {
    Fixture f("release");
    FakeStore a;
    auto p = f.open({{"a", &a}});
    p->start();
    for (int i = 0; i < 2000; ++i) p->accept(msg(i, std::string(100, 'p')));
    CHECK(p->stop() == 0);
    CHECK(p->spool().bytes() < 3 * 4096);
}

TEST_CASE("a full disk holds accept() until the sinks catch up and free it; nothing is lost") {
    Fixture f("diskfull");
    test::FakeDisk disk(f.dir + "/state");
    disk.capacity = 8000;  // a tiny tmpfs: a few dozen messages, far below every size limit
    FakeStore store;
    store.down = true;
    auto p = f.open({{"a", &store}}, &disk);
    p->start();
    std::atomic<int> accepted{0};
    std::thread mqtt([&] {
        for (int i = 0; i < 500; ++i) {
            p->accept(msg(i, std::string(80, 'p')));
            accepted = i + 1;
        }
    });
    // The disk fills: accept() holds the message it could not write (no acknowledgement).
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (!p->spool().write_failing() && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    REQUIRE(p->spool().write_failing());
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));  // at least one retry
    int held_at = accepted.load();
    CHECK(held_at < 500);
    CHECK(p->summary().find("(DISK FULL)") != std::string::npos);
    CHECK(accepted.load() == held_at);  // still holding: nothing acknowledged meanwhile
    store.down = false;                 // the sink catches up; the consumed segment is deleted
    mqtt.join();
    CHECK(p->stop() == 0);
    CHECK(distinct(store).size() == 500);
    CHECK(p->stats().received.load() == 500);
    CHECK(p->stats().spool_retries.load() > 0);
    CHECK(p->summary().find("spool_retries=") != std::string::npos);
    CHECK(*ingest::read_checkpoint(f.dir + "/state/checkpoint.a") == p->spool().end());
    auto log = f.log_text();
    CHECK(log.find("No space left on device") != std::string::npos);
    CHECK(log.find("cut back to the last whole record") != std::string::npos);
    CHECK(log.find("not acknowledging messages until the spool can be written again") !=
          std::string::npos);
    CHECK(log.find("spool written again after") != std::string::npos);
}

TEST_CASE("what the validity scan drops at start is logged with its size and reason and counted") {
    Fixture f("scanlog");
    std::string record;
    ingest::encode_spool_record(msg(1), record);
    {
        std::ofstream seg(f.dir + "/state/00000000000000000000.seg", std::ios::binary);
        seg << record << record.substr(0, 11);
    }
    FakeStore store;
    auto p = f.open({{"a", &store}});
    p->start();
    CHECK(p->stop() == 0);
    CHECK(distinct(store).size() == 1);
    CHECK(p->stats().spool_dropped.load() == 1);
    CHECK(p->summary().find("spool_dropped=1 (11B)") != std::string::npos);
    auto log = f.log_text();
    CHECK(log.find(fmt::format("00000000000000000000.seg: dropped 11 bytes at offset {} that are "
                               "not a whole record (torn record (11 of {} bytes))",
                               record.size(), record.size())) != std::string::npos);
}

TEST_CASE("a dead letter the file cannot take goes whole into the log and is counted") {
    Fixture f("deadfull", "/dev/full");  // every write fails with ENOSPC
    FakeStore store;
    auto p = f.open({{"a", &store}});
    p->start();
    for (int i = 0; i < 200; ++i)
        p->accept(msg(i, i == 10 ? "dead" : i == 30 ? "bad" : i == 40 ? "dead" : "m"));
    CHECK(p->stop() == 0);
    CHECK(distinct(store).size() == 197);  // ingest went on with the good ones
    CHECK(p->stats().dead_logged.load() == 3);
    CHECK(p->summary().find("dead_logged=3") != std::string::npos);
    // Each letter is one ERROR line: why the file failed, then the letter as JSON.
    std::ifstream in(f.dir + "/ingest.log");
    const std::string marker = "(payload in base64): ";
    std::map<std::string, nlohmann::json> letters;
    for (std::string line; std::getline(in, line);) {
        const size_t at = line.find(marker);
        if (at == std::string::npos) continue;
        CHECK(line.find(" ERROR cannot write dead-letter file /dev/full: ") != std::string::npos);
        auto j = nlohmann::json::parse(line.substr(at + marker.size()));
        letters[j.at("topic").get<std::string>()] = j;
    }
    REQUIRE(letters.size() == 3);
    for (const auto& [topic, payload, reason] :
         {std::tuple{"n/10", "dead", "fake: dead"}, std::tuple{"n/30", "bad", "fake 400"},
          std::tuple{"n/40", "dead", "fake: dead"}}) {
        CAPTURE(topic);
        const nlohmann::json& j = letters[topic];
        CHECK(j.at("payload_encoding") == "base64");
        CHECK(base::base64_decode(j.at("payload").get<std::string>()).take() == payload);
        CHECK(j.at("reason").get<std::string>().find(reason) != std::string::npos);
        CHECK(j.contains("ts"));
    }
}

TEST_CASE("a dead letter that cannot be written is retried, then reported as an error") {
    auto file = ingest::DeadLetterFile::open("/dev/full").take();
    base::Message m = msg(1, "x");
    auto started = std::chrono::steady_clock::now();
    base::Status s = file->write(m, "why");
    auto took = std::chrono::steady_clock::now() - started;
    REQUIRE_FALSE(s.ok());
    CHECK(s.error().message.find("No space left on device") != std::string::npos);
    CHECK(s.error().message.find("tried 4 times") != std::string::npos);
    CHECK(took >= std::chrono::milliseconds(350));  // 50 + 100 + 200 ms between the attempts
    // While the file keeps failing, later letters are tried once (no stall per letter).
    started = std::chrono::steady_clock::now();
    s = file->write(m, "why");
    CHECK_FALSE(s.ok());
    CHECK(s.error().message.find("tried once") != std::string::npos);
    CHECK(std::chrono::steady_clock::now() - started < std::chrono::milliseconds(300));
}
