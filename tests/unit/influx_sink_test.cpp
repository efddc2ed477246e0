// The InfluxDB sink's decisions (core/sinks/influx_sink.h) over a fake HTTP client: what is sent,
// and how answers map to ok / retry / reject. The real servers are in sinks_integration_test.
#include <doctest/doctest.h>

#include <cmath>
#include <deque>
#include <functional>

#include "core/sinks/influx_errors.h"
#include "core/sinks/influx_sink.h"

using namespace iotctl;

TEST_SUITE_BEGIN("influx_sink");

namespace {

// Answers each POST with the next scripted response (or through `handler` when set).
struct FakeHttp : sinks::HttpClient {
    std::vector<sinks::HttpRequest> requests;
    std::deque<sinks::HttpResponse> answers;
    std::function<sinks::HttpResponse(const sinks::HttpRequest&)> handler;
    sinks::HttpResponse post(const sinks::HttpRequest& request) override {
        requests.push_back(request);
        if (handler) return handler(request);
        REQUIRE_FALSE(answers.empty());
        sinks::HttpResponse r = answers.front();
        answers.pop_front();
        return r;
    }
};

struct Fixture {
    FakeHttp* http = nullptr;
    std::unique_ptr<sinks::Sink> sink;
    explicit Fixture(sinks::InfluxSinkOptions options) {
        auto fake = std::make_unique<FakeHttp>();
        http = fake.get();
        auto made = sinks::make_influx_sink(options, std::move(fake));
        REQUIRE(made.ok());
        sink = std::move(*made);
    }
};

sinks::InfluxSinkOptions v1(std::string url = "http://127.0.0.1:8086") {
    sinks::InfluxSinkOptions o;
    o.url = std::move(url);
    o.db = "iot db";
    o.gzip = false;
    return o;
}

std::vector<base::Record> batch_of(int n) {
    std::vector<base::Record> batch;
    for (int i = 0; i < n; ++i)
        batch.push_back(base::Record{"m", {{"k", std::to_string(i)}}, {{"v", double(i)}}, i + 1});
    return batch;
}

}  // namespace

TEST_CASE("v1: /write with db and precision=ns; 204 is ok") {
    Fixture f(v1());
    f.http->answers.push_back({204, "", ""});
    sinks::WriteOutcome o = f.sink->write(batch_of(2));
    CHECK(o.kind == sinks::WriteOutcome::ok);
    REQUIRE(f.http->requests.size() == 1);
    CHECK(f.http->requests[0].url == "http://127.0.0.1:8086/write?db=iot%20db&precision=ns");
    CHECK(f.http->requests[0].body == "m,k=0 v=0 1\nm,k=1 v=1 2\n");
    CHECK(f.sink->name() == "influx");
}

TEST_CASE("v2: /api/v2/write with org, bucket, token header") {
    sinks::InfluxSinkOptions o;
    o.url = "http://127.0.0.1:8428/";
    o.org = "acme";
    o.bucket = "iot";
    o.token = "tok-123";
    Fixture f(o);
    f.http->answers.push_back({204, "", ""});
    CHECK(f.sink->write(batch_of(1)).kind == sinks::WriteOutcome::ok);
    CHECK(f.http->requests[0].url ==
          "http://127.0.0.1:8428/api/v2/write?org=acme&bucket=iot&precision=ns");
    CHECK(f.http->requests[0].headers == std::vector<std::string>{"Authorization: Token tok-123"});
    CHECK(f.http->requests[0].username.empty());
}

TEST_CASE("credentials in the URL become basic auth and never appear in messages") {
    Fixture f(v1("http://admin:pa%24%24word@127.0.0.1:8086"));
    f.http->answers.push_back(
        {0, "", "Failed to connect to 127.0.0.1 port 8086: Connection refused"});
    sinks::WriteOutcome o = f.sink->write(batch_of(1));
    CHECK(o.kind == sinks::WriteOutcome::retry);
    CHECK(f.http->requests[0].username == "admin");
    CHECK(f.http->requests[0].password == "pa$$word");
    CHECK(f.http->requests[0].url.find("pa") == std::string::npos);
    CHECK(o.message.find("pa$$word") == std::string::npos);
    CHECK(o.message.find("admin") == std::string::npos);
    CHECK(o.message.find("Connection refused") != std::string::npos);
}

TEST_CASE("5xx, 401, 429 and transport errors are retried, with the server's reason") {
    for (long status : {500L, 503L, 401L, 429L}) {
        Fixture f(v1());
        f.http->answers.push_back({status, "{\"error\":\"engine: cache full\"}", ""});
        sinks::WriteOutcome o = f.sink->write(batch_of(3));
        CHECK(o.kind == sinks::WriteOutcome::retry);
        CHECK(o.message.find("engine: cache full") != std::string::npos);
        CHECK(o.rejected.empty());
    }
}

TEST_CASE("404 database not found: CREATE DATABASE once, then the write again") {
    Fixture f(v1());
    f.http->answers = {{404, "{\"error\":\"database not found: \\\"iot db\\\"\"}", ""},
                       {200, "{\"results\":[{\"statement_id\":0}]}", ""},
                       {204, "", ""}};
    CHECK(f.sink->write(batch_of(1)).kind == sinks::WriteOutcome::ok);
    REQUIRE(f.http->requests.size() == 3);
    CHECK(f.http->requests[1].url ==
          "http://127.0.0.1:8086/query?q=CREATE%20DATABASE%20%22iot%20db%22");
    CHECK(f.http->requests[2].body == f.http->requests[0].body);
}

TEST_CASE("400 naming lines: those are rejected, the rest sent again") {
    Fixture f(v1());
    std::vector<base::Record> batch = batch_of(3);
    batch[1].fields = {{"v", std::string("text")}};
    f.http->answers = {
        {400,
         "{\"error\":\"partial write: field type conflict: input field \\\"v\\\" on measurement "
         "\\\"m\\\" is type string, already exists as type float dropped=1\"}",
         ""},
        {204, "", ""}};
    sinks::WriteOutcome o = f.sink->write(batch);
    CHECK(o.kind == sinks::WriteOutcome::reject);
    CHECK(o.rejected == std::vector<size_t>{1});
    CHECK(o.message.find("1 of 3 records rejected") != std::string::npos);
    CHECK(o.message.find("field type conflict") != std::string::npos);
    REQUIRE(f.http->requests.size() == 2);
    CHECK(f.http->requests[1].body == "m,k=0 v=0 1\nm,k=2 v=2 3\n");
}

TEST_CASE("400 naming nothing: halves are sent until the bad line is found") {
    Fixture f(v1());
    f.http->handler = [](const sinks::HttpRequest& r) -> sinks::HttpResponse {
        if (r.body.find("k=5 ") != std::string::npos) return {400, "bad request", ""};
        return {204, "", ""};
    };
    sinks::WriteOutcome o = f.sink->write(batch_of(8));
    CHECK(o.kind == sinks::WriteOutcome::reject);
    CHECK(o.rejected == std::vector<size_t>{5});
    CHECK(f.http->requests.size() <= 8);
}

TEST_CASE("413: the batch is split and each half sent; one line too large is rejected") {
    Fixture f(v1());
    f.http->handler = [](const sinks::HttpRequest& r) -> sinks::HttpResponse {
        if (r.body.size() > 30 || r.body.find("k=3 ") != std::string::npos)
            return {413, "{\"error\":\"Request Entity Too Large\"}", ""};
        return {204, "", ""};
    };
    sinks::WriteOutcome o = f.sink->write(batch_of(6));
    CHECK(o.kind == sinks::WriteOutcome::reject);
    CHECK(o.rejected == std::vector<size_t>{3});
    std::string delivered;
    for (const auto& r : f.http->requests)
        if (r.body.size() <= 30 && r.body.find("k=3 ") == std::string::npos) delivered += r.body;
    for (int i : {0, 1, 2, 4, 5})
        CHECK(delivered.find("k=" + std::to_string(i) + " ") != std::string::npos);
}

TEST_CASE("a retry during splitting makes the whole batch a retry") {
    Fixture f(v1());
    f.http->answers = {{413, "", ""}, {204, "", ""}, {503, "", ""}};
    CHECK(f.sink->write(batch_of(4)).kind == sinks::WriteOutcome::retry);
}

TEST_CASE("records line protocol cannot carry are rejected locally; the rest are written") {
    Fixture f(v1());
    f.http->answers.push_back({204, "", ""});
    std::vector<base::Record> batch = batch_of(3);
    batch[0].fields = {{"v", std::nan("")}};
    sinks::WriteOutcome o = f.sink->write(batch);
    CHECK(o.kind == sinks::WriteOutcome::reject);
    CHECK(o.rejected == std::vector<size_t>{0});
    CHECK(f.http->requests[0].body == "m,k=1 v=1 2\nm,k=2 v=2 3\n");
}

TEST_CASE("gzip: large bodies are compressed; 415 turns it off for good") {
    sinks::InfluxSinkOptions o = v1();
    o.gzip = true;
    Fixture f(o);
    f.http->answers = {{415, "", ""}, {204, "", ""}, {204, "", ""}};
    CHECK(f.sink->write(batch_of(100)).kind == sinks::WriteOutcome::ok);
    CHECK(f.http->requests[0].gzip);
    CHECK_FALSE(f.http->requests[1].gzip);
    CHECK(f.sink->write(batch_of(100)).kind == sinks::WriteOutcome::ok);
    CHECK_FALSE(f.http->requests[2].gzip);
}

TEST_CASE("options are checked before any I/O") {
    sinks::InfluxSinkOptions o;
    o.url = "ftp://x";
    o.db = "d";
    CHECK_FALSE(sinks::make_influx_sink(o).ok());
    o.url = "http://127.0.0.1:8086";
    o.db = "";
    CHECK_FALSE(sinks::make_influx_sink(o).ok());
    o.bucket = "b";
    CHECK(sinks::make_influx_sink(o).error().message.find("--influx-org") != std::string::npos);
    o.org = "o";
    CHECK(sinks::make_influx_sink(o).ok());
}

TEST_CASE("error texts: JSON or plain, one line; lines named in parse errors") {
    CHECK(sinks::influx_error_text("{\"error\":\"a\\nb\"}") == "a b");
    CHECK(sinks::influx_error_text("plain text\n") == "plain text");
    std::vector<base::Record> records = batch_of(2);
    std::vector<std::string> lines{"m,k=0 v=0 1\n", "m,k=1 v=1 2\n"};
    CHECK(sinks::lines_named_in_error("unable to parse 'm,k=1 v=1 2': invalid", records, lines,
                                      {0, 1}) == std::vector<size_t>{1});
    CHECK(sinks::lines_named_in_error("something else", records, lines, {0, 1}).empty());
}

TEST_CASE("a URL's own ?db= or ?org=&bucket= names the target, so v1 and v2 sinks can coexist") {
    sinks::InfluxSinkOptions o;
    o.url = "http://127.0.0.1:8086/?org=my%20org&bucket=b1";
    o.db = "from-flag";
    Fixture v2(o);
    v2.http->handler = [](const sinks::HttpRequest&) { return sinks::HttpResponse{204, "", ""}; };
    CHECK(v2.sink->write(batch_of(1)).kind == sinks::WriteOutcome::ok);
    CHECK(v2.http->requests[0].url ==
          "http://127.0.0.1:8086/api/v2/write?org=my%20org&bucket=b1&precision=ns");
    o.url = "http://127.0.0.1:8086?db=d1";
    o.org = "o";
    o.bucket = "b";
    CHECK(sinks::make_influx_sink(o).ok());
    o.url = "http://127.0.0.1:8086?db=d1&bucket=b";
    CHECK(sinks::make_influx_sink(o).error().message.find("both db") != std::string::npos);
    o.url = "http://127.0.0.1:8086?rp=x";
    CHECK(sinks::make_influx_sink(o).error().message.find("'rp'") != std::string::npos);
    o.url = "http://127.0.0.1:8086?bucket=b";
    CHECK_FALSE(sinks::make_influx_sink(o).ok());  // v2 needs the org too
}

TEST_SUITE_END();

TEST_CASE("check_access: 401 and 403 refuse the account at start; down or 404 do not") {
    for (long status : {401L, 403L}) {
        Fixture f(v1("http://bob:pw@127.0.0.1:8086"));
        f.http->answers.push_back({status, "{\"error\":\"authorization failed\"}", ""});
        base::Status s = f.sink->check_access();
        REQUIRE_FALSE(s.ok());
        CHECK(s.error().code == base::ExitCode::runtime);
        CHECK(s.error().message.find("refuses the credentials") != std::string::npos);
        CHECK(s.error().message.find("authorization failed") != std::string::npos);
        CHECK(s.error().message.find("pw") == std::string::npos);
        CHECK(f.http->requests[0].body.empty());
    }
    Fixture down(v1());
    down.http->answers.push_back({0, "", "Connection refused"});
    CHECK(down.sink->check_access().ok());
    Fixture fine(v1());
    fine.http->answers.push_back({204, "", ""});
    CHECK(fine.sink->check_access().ok());
}

TEST_CASE("check_access: a missing database is created now, and a refusal to is a refusal") {
    Fixture f(v1());
    f.http->answers = {{404, "{\"error\":\"database not found: \\\"iot db\\\"\"}", ""},
                       {403, "{\"error\":\"requires admin privilege\"}", ""}};
    base::Status s = f.sink->check_access();
    REQUIRE_FALSE(s.ok());
    CHECK(s.error().message.find("requires admin privilege") != std::string::npos);
    REQUIRE(f.http->requests.size() == 2);
    CHECK(f.http->requests[1].url.find("/query?q=CREATE%20DATABASE") != std::string::npos);
}
