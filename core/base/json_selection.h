// Decoding only the parts of a JSON payload that a set of paths can reach, for `--where`:
// simdjson scans the payload (about ten times faster than building a whole nlohmann document)
// and only the reachable parts are copied into nlohmann::json for the evaluator.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/base/json_path.h"

namespace iotctl::base {

/// The parts of a document a set of JSON paths can name, and the decoder that keeps only those.
class JsonSelection {
  public:
    /// Adds what `path` can name: the nodes on its way and, where it ends, the whole subtree.
    void add(const JsonPath& path);
    /// Parses `payload` as parse_json_payload() does (same limits, same documents refused) and
    /// keeps only the selected parts: any selected path finds in the result what it finds in
    /// the whole document. Arrays keep their length, unselected elements becoming null.
    std::optional<nlohmann::json> parse(std::string_view payload) const;

    /// One level of the selection: `whole` keeps the subtree, `children` are the member names
    /// or array indexes (as text) below it, "*" standing for every one.
    struct Node {
        bool whole = false;
        std::map<std::string, Node, std::less<>> children;
    };

  private:
    Node root_;
};

}  // namespace iotctl::base
