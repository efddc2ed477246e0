#include <doctest/doctest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <thread>

#include <SQLiteCpp/SQLiteCpp.h>

#include "core/capture/reader.h"
#include "core/capture/recorder.h"
#include "core/capture/store.h"

using namespace iotctl;

namespace {

std::string temp_path(const char* name) {
    auto dir =
        std::filesystem::temp_directory_path() / ("iotctl-unit-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    auto p = dir / name;
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(p.string() + suffix);
    return p.string();
}

base::Message msg(std::string topic, std::string payload, int qos, bool retain, int64_t ts) {
    base::Message m;
    m.topic = std::move(topic);
    m.payload = std::move(payload);
    m.qos = qos;
    m.retain = retain;
    m.ts_ns = ts;
    return m;
}

std::vector<base::Message> read_all(const std::string& path, capture::CaptureSelection sel = {}) {
    auto src = capture::open_selected(path, sel);
    REQUIRE(src.ok());
    std::vector<base::Message> out;
    base::Message m;
    while (true) {
        auto more = (*src)->next(m);
        REQUIRE(more.ok());
        if (!*more) break;
        out.push_back(m);
    }
    return out;
}

// Notes batch sizes in a log the test keeps (the recorder owns the writer); can fail.
struct BatchLog {
    std::mutex mutex;
    std::vector<size_t> batches;
};
struct FakeWriter : capture::BatchWriter {
    std::shared_ptr<BatchLog> log = std::make_shared<BatchLog>();
    bool fail = false;
    base::Status write_batch(const std::vector<base::Message>& batch) override {
        std::lock_guard lock(log->mutex);
        if (fail) return base::runtime_error("disk full");
        if (!batch.empty()) log->batches.push_back(batch.size());
        return {};
    }
};

}  // namespace

TEST_CASE("SQLite capture: write, append, read back byte for byte with properties") {
    auto path = temp_path("cap.db");
    std::string binary("\x00\xff\n\"", 4);
    {
        auto store = capture::CaptureStore::open(path, "mqttv5");
        REQUIRE(store.ok());
        base::Message with_props = msg("a/b", "{\"x\":1}", 1, false, 10);
        with_props.user_properties = {{"k", "v"}, {"k", "w"}};
        with_props.content_type = "application/json";
        REQUIRE((*store)->write_batch({with_props, msg("bin", binary, 2, true, 20)}).ok());
    }
    {
        auto again = capture::CaptureStore::open(path, "mqttv311");
        REQUIRE(again.ok());
        REQUIRE((*again)->write_batch({msg("c", "", 0, false, 30)}).ok());
    }
    std::string version;
    REQUIRE(capture::open_selected(path, {}, &version).ok());
    CHECK(version == "mixed");
    auto all = read_all(path);
    REQUIRE(all.size() == 3);
    CHECK(all[0].user_properties ==
          std::vector<std::pair<std::string, std::string>>{{"k", "v"}, {"k", "w"}});
    CHECK(all[0].content_type == "application/json");
    CHECK((all[1].payload == binary && all[1].qos == 2 && all[1].retain && all[1].ts_ns == 20));
    CHECK((all[2].payload.empty() && all[2].user_properties.empty()));
    capture::CaptureSelection sel;
    sel.topics = {"a/#", "c"};
    sel.window.from_ns = 15;
    auto some = read_all(path, sel);
    REQUIRE(some.size() == 1);
    CHECK(some[0].topic == "c");
}

TEST_CASE("capture kinds are told by content; foreign files are refused") {
    auto jsonl = temp_path("cap.txt");
    std::ofstream(jsonl)
        << "\n  {\"topic\":\"t\",\"payload\":\"p\",\"ts\":\"2026-11-20T10:00:00Z\"}\n";
    CHECK(*capture::detect_capture_kind(jsonl) == capture::CaptureKind::json_lines);
    auto all = read_all(jsonl);
    REQUIRE(all.size() == 1);
    CHECK(all[0].ts_ns == 1795168800'000000000);
    auto junk = temp_path("junk.db");
    std::ofstream(junk) << "hello";
    CHECK(capture::detect_capture_kind(junk).error().message ==
          "'" + junk + "' is neither a SQLite capture (sub --record) nor JSON lines (sub --json)");
    CHECK(capture::CaptureStore::open(junk, "mqttv311").error().message ==
          "'" + junk + "' exists and is not a SQLite capture; not appending to it");
    CHECK_FALSE(capture::open_capture(temp_path("missing.db")).ok());
    auto scan = capture::scan_capture(
        jsonl,
        capture::CaptureSelection{.window = base::TimeWindow{int64_t{1795168801'000000000}, {}}},
        {});
    CHECK(scan.error().message ==
          "no messages in '" + jsonl +
              "' from 2026-11-20T10:00:01Z to the end: it holds 1 messages from "
              "2026-11-20T10:00:00Z to 2026-11-20T10:00:00Z");
}

TEST_CASE("recorder: batches on size, commits the rest on close, stops on a write error") {
    auto writer = std::make_unique<FakeWriter>();
    auto log = writer->log;
    {
        capture::CaptureRecorder rec(std::move(writer),
                                     capture::RecorderLimits{100, 10000, 1 << 30});
        for (int i = 0; i < 100; ++i) rec.append(msg("t", "p", 0, false, i));
        // A full batch is written without waiting for the (10 s) flush interval.
        for (int i = 0; i < 500 && rec.written() < 100; ++i)
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        CHECK(rec.written() == 100);
        for (int i = 100; i < 250; ++i) rec.append(msg("t", "p", 0, false, i));
        REQUIRE(rec.close().ok());
        CHECK(rec.written() == 250);
    }
    size_t total = 0;
    for (auto n : log->batches) total += n;
    CHECK(total == 250);
    CHECK(log->batches.size() >= 2);

    auto failing = std::make_unique<FakeWriter>();
    failing->fail = true;
    capture::CaptureRecorder rec(std::move(failing), capture::RecorderLimits{1, 10, 1 << 30});
    rec.append(msg("t", "p", 0, false, 1));
    auto status = rec.close();
    CHECK_FALSE(status.ok());
    CHECK(status.error().message == "disk full");
    CHECK(rec.failed());
}

TEST_CASE("scanning all of a SQLite capture (SQLite counts) finds what reading every row finds") {
    auto path = temp_path("scan.db");
    auto read_scan = [&] {  // with something to do per message, every row is read
        return capture::scan_capture(path, {}, [](const base::Message&) {});
    };
    {
        auto store = capture::CaptureStore::open(path, "mqttv5");
        REQUIRE(store.ok());
    }
    CHECK(capture::scan_capture(path, {}, {}).error().message ==
          "capture '" + path + "' holds no messages");
    CHECK(read_scan().error().message == "capture '" + path + "' holds no messages");
    {
        auto store = capture::CaptureStore::open(path, "mqttv5");
        base::Message with_props = msg("a", "1", 1, false, 30);
        with_props.content_type = "text/plain";
        REQUIRE(
            (*store)
                ->write_batch({with_props, msg("b", "2", 0, false, 10), msg("c", "3", 0, true, 20)})
                .ok());
    }
    auto quick = capture::scan_capture(path, {}, {});
    REQUIRE(quick.ok());
    CHECK(quick->selected == 3);
    CHECK(quick->first_ns == 30);  // in recorded (id) order, not the smallest time
    CHECK(quick->last_ns == 20);
    auto full = read_scan();
    REQUIRE(full.ok());
    CHECK((full->selected == 3 && full->first_ns == 30 && full->last_ns == 20));
    {
        SQLite::Database db(path, SQLite::OPEN_READWRITE);
        db.exec("UPDATE messages SET properties = '{\"content_type\": 7' WHERE id = 1");
    }
    auto bad = capture::scan_capture(path, {}, {});
    REQUIRE_FALSE(bad.ok());
    CHECK(bad.error().message.rfind("capture '" + path + "': ", 0) == 0);
    CHECK(read_scan().error().message == bad.error().message);
}
