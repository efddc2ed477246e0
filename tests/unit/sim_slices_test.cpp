// run_in_slices: a large fleet split over child processes, their summaries added up, and a
// slice's error or crash reported (the slices here are plain functions, no broker).
#include <doctest/doctest.h>

#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdlib>

#include "core/base/stop_signal.h"
#include "core/sim/process_shards.h"

using namespace iotctl;

TEST_CASE("slices run in child processes and their summaries add up") {
    const pid_t parent = getpid();
    auto result = sim::run_in_slices(10, 3, [&](size_t begin, size_t end) {
        sim::FleetStats s;
        s.devices = end - begin;
        s.connected = getpid() != parent ? end - begin : 0;  // counted only in a child
        s.messages = begin * 100 + end;
        s.max_lag = static_cast<double>(begin);
        s.ramp_up = 0.5;
        return base::Result<sim::FleetStats>(s);
    });
    REQUIRE(result.ok());
    CHECK(result->devices == 10);
    CHECK(result->connected == 10);
    // 4 slices: [0,2) [2,5) [5,7) [7,10)
    CHECK(result->messages == (0 + 2) + (200 + 5) + (500 + 7) + (700 + 10));
    CHECK(result->max_lag == 7.0);
    CHECK(result->ramp_up == 0.5);
}

TEST_CASE("a fleet that fits in one slice runs in this process") {
    const pid_t parent = getpid();
    auto result = sim::run_in_slices(3, 3, [&](size_t begin, size_t end) {
        sim::FleetStats s;
        s.devices = end - begin;
        s.connected = getpid() == parent ? 1 : 0;
        return base::Result<sim::FleetStats>(s);
    });
    REQUIRE(result.ok());
    CHECK(result->devices == 3);
    CHECK(result->connected == 1);
}

TEST_CASE("a slice's error is the result, with its exit code") {
    auto result =
        sim::run_in_slices(6, 2, [](size_t begin, size_t) -> base::Result<sim::FleetStats> {
            if (begin == 2) return base::Error{base::ExitCode::refused, "broker said no"};
            return sim::FleetStats{};
        });
    REQUIRE_FALSE(result.ok());
    CHECK(result.error().code == base::ExitCode::refused);
    CHECK(result.error().message == "broker said no");
    base::reset_stop();  // the failure asked the other slices (and this process) to stop
}

TEST_CASE("a slice that dies is reported with its devices") {
    auto result =
        sim::run_in_slices(4, 2, [](size_t begin, size_t) -> base::Result<sim::FleetStats> {
            if (begin == 2) {
                std::signal(SIGABRT, SIG_DFL);
                std::abort();
            }
            return sim::FleetStats{};
        });
    REQUIRE_FALSE(result.ok());
    CHECK(result.error().code == base::ExitCode::runtime);
    CHECK(result.error().message ==
          "the simulator process for devices 3-4 was killed by signal " + std::to_string(SIGABRT));
    base::reset_stop();
}

TEST_CASE("a slice that fails stops the others") {
    // The other slices would run until stopped (as with --duration 0): they end on the stop
    // request the failure makes, and the failure is the result.
    auto result =
        sim::run_in_slices(4, 2, [](size_t begin, size_t) -> base::Result<sim::FleetStats> {
            if (begin == 0) return base::Error{base::ExitCode::connect, "no broker"};
            while (!base::stop_requested()) base::wait_for_stop(std::chrono::milliseconds(10));
            return sim::FleetStats{};
        });
    REQUIRE_FALSE(result.ok());
    CHECK(result.error().message == "no broker");
    base::reset_stop();
}
