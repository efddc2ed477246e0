// `sub --json --rolling N`: the mean of the last N numeric readings of each JSON leaf, per topic.
#pragma once

#include <cstddef>
#include <deque>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/base/json_leaves.h"
#include "core/base/message.h"

namespace iotctl::capture {

/// Keeps the last N numbers of every (topic, leaf path) and averages them.
class RollingMeans {
  public:
    /// Means over the last `n` (>= 1) readings.
    explicit RollingMeans(size_t n) : n_(n) {}

    /// Takes the message's numeric leaves (numbers, or numbers sent as text) as readings of
    /// its topic and appends `"rolling":{"<path>":<mean>,...}` for each of them, in payload
    /// order, to `out` (`"rolling":{}` when it has none, e.g. text payloads).
    void update(const base::Message& m, std::string& out);

    /// Inserts the update()'s member as the last member of the JSON object line `line` (a
    /// `sub --json` line without its newline).
    void append_to_line(const base::Message& m, std::string& line);

  private:
    size_t n_;
    std::unordered_map<std::string, std::unordered_map<std::string, std::deque<double>>> topics_;
    std::vector<base::JsonLeaf> leaves_;
};

}  // namespace iotctl::capture
