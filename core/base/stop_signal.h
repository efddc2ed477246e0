// Process-wide stop requests: SIGINT/SIGTERM (and our own "done") wake whoever waits.
#pragma once

#include <chrono>
#include <functional>

namespace iotctl::base {

/// Blocks SIGINT, SIGTERM and SIGHUP in this thread and starts a thread that receives them.
/// Call first in main(), before any other thread (Paho's included) exists.
void install_signal_handling();

/// Asks every waiter to stop (used when a command has finished, e.g. -C reached).
void request_stop();

/// True once a stop was requested by a signal or request_stop().
bool stop_requested();

/// The signal that asked to stop (SIGINT or SIGTERM), or 0.
int stop_signal();

/// Waits until a stop is requested or the timeout passes; true when stop was requested.
bool wait_for_stop(std::chrono::milliseconds timeout);

/// Sets the function run (on the signal thread) when SIGHUP arrives, e.g. to reopen a log.
void on_hangup(std::function<void()> handler);

/// Clears a previous stop request (for tests that run several commands in one process).
void reset_stop();

}  // namespace iotctl::base
