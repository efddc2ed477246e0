// Asking the scheduler to wake a thread on time on a busy machine: replay's schedule and the
// receive times a subscriber stamps both depend on it.
#pragma once

namespace iotctl::base {

/// Asks for prompt wake-ups for the calling thread and the threads it creates afterwards: a timer
/// slack of 1 ns instead of 50 us, and a 100 us scheduler slice (SCHED_OTHER, no privilege
/// needed; on Linux 6.12+ EEVDF lets a waking task with a short slice preempt the running one
/// instead of waiting for its slice or the next tick; older kernels ignore it). Best effort.
void request_prompt_wakeups();

}  // namespace iotctl::base
