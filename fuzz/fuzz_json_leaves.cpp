// libFuzzer target: csv-export's JSON leaves (core/base/json_leaves.cpp), whose plain payloads
// take simdjson's path (core/base/json_leaves_fast.cpp). Checks that it gives what nlohmann's
// path gives for the same JSON (a trailing newline sends a payload there), valid or not.
#include <cstdint>
#include <string>
#include <vector>

#include "core/base/json_leaves.h"

namespace {
void check(bool ok) {
    if (!ok) __builtin_trap();
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string payload(reinterpret_cast<const char*>(data), size);
    std::vector<iotctl::base::JsonLeaf> fast, slow;
    const bool fast_ok = iotctl::base::json_object_leaves(payload, fast);
    const bool slow_ok = iotctl::base::json_object_leaves(payload + "\n", slow);
    check(fast_ok == slow_ok);
    check(fast.size() == slow.size());
    for (size_t i = 0; i < fast.size() && i < slow.size(); ++i)
        check(fast[i].path == slow[i].path && fast[i].text == slow[i].text);
    return 0;
}
