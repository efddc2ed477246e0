// Building WriteOutcomes the same way in every sink.
#pragma once

#include <string>
#include <vector>

#include "core/sinks/sink.h"

namespace iotctl::sinks {

/// `text` cut to a length fit for one log line (servers' messages can be long).
std::string shorten_reason(std::string text);

/// A retry or reject outcome for the whole batch with a one-line message.
WriteOutcome failed_outcome(WriteOutcome::Kind kind, std::string message);

/// ok when nothing was rejected; else reject with the sorted indexes and a message such as
/// "MySQL at host:3306/db: 2 of 500 records rejected: <first reason>".
WriteOutcome rejection_outcome(const std::string& target, size_t batch_size,
                               std::vector<size_t> rejected, const std::string& first_reason);

}  // namespace iotctl::sinks
