#include "core/base/prompt_wakeups.h"

#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstdint>

namespace iotctl::base {

namespace {

constexpr uint64_t k_slice_ns = 100'000;  // the kernel's floor for a requested slice

}  // namespace

void request_prompt_wakeups() {
    // The kernel may delay a sleeper's wake-up by its timer slack (50 us by default).
    ::prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL);
    struct SchedAttr {  // struct sched_attr, which glibc 2.36 does not declare
        uint32_t size, policy;
        uint64_t flags;
        int32_t nice;
        uint32_t priority;
        uint64_t runtime, deadline, period;
    } attr{};
    attr.size = sizeof attr;
    attr.policy = 0;  // SCHED_OTHER, at the nice value the process already has
    attr.nice = ::getpriority(PRIO_PROCESS, 0);
    attr.runtime = k_slice_ns;
    ::syscall(SYS_sched_setattr, 0, &attr, 0);  // threads created later inherit it
}

}  // namespace iotctl::base
