#include "core/sinks/write_outcome.h"

#include <algorithm>

#include <fmt/format.h>

namespace iotctl::sinks {

std::string shorten_reason(std::string text) {
    constexpr size_t k_max = 300;
    if (text.size() > k_max) text = text.substr(0, k_max) + "...";
    return text;
}

WriteOutcome failed_outcome(WriteOutcome::Kind kind, std::string message) {
    WriteOutcome outcome;
    outcome.kind = kind;
    outcome.message = std::move(message);
    return outcome;
}

WriteOutcome rejection_outcome(const std::string& target, size_t batch_size,
                               std::vector<size_t> rejected, const std::string& first_reason) {
    if (rejected.empty()) return {};
    std::sort(rejected.begin(), rejected.end());
    rejected.erase(std::unique(rejected.begin(), rejected.end()), rejected.end());
    return {WriteOutcome::reject,
            fmt::format("{}: {} of {} records rejected: {}", target, rejected.size(), batch_size,
                        shorten_reason(first_reason)),
            std::move(rejected),
            {},
            {}};
}

}  // namespace iotctl::sinks
