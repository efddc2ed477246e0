// Names built from the topic: `{N}` (topic level N) and `{topic}` placeholders in mapping text.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/base/error.h"

namespace iotctl::mapping {

/// Text with `{N}` (topic level N, counted from 1) and `{topic}` placeholders, compiled once.
class TopicTemplate {
  public:
    /// Compiles the template; an error names a bad placeholder.
    static base::Result<TopicTemplate> parse(std::string_view text);
    /// A template that is exactly topic level `level` (from 1).
    static TopicTemplate level(int level);
    /// Fills the placeholders from the topic and its levels (a missing level is empty).
    std::string render(std::string_view topic, const std::vector<std::string_view>& levels) const;

  private:
    struct Piece {
        std::string literal;
        int level = -1;  // -1: literal text; 0: the whole topic; N: topic level N
    };
    std::vector<Piece> pieces_;
};

}  // namespace iotctl::mapping
