// Applies mapping rules to messages: the one Mapper behind every preset and map file.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/mapping/mapper.h"
#include "core/mapping/rules.h"

namespace iotctl::mapping {

/// Limits that keep one odd payload from producing an unbounded record.
inline constexpr size_t k_max_auto_fields = 256;     // per record
inline constexpr size_t k_max_auto_tags = 32;        // per record
inline constexpr size_t k_max_auto_tag_value = 256;  // bytes; longer strings are not tags
inline constexpr int k_max_flatten_depth = 8;        // levels below the record's root
inline constexpr size_t k_max_reason = 500;          // bytes of an outcome's reason

/// A Mapper over rules; the first rule whose filter matches (and whose `when` is present) decides.
class RuleMapper : public Mapper {
  public:
    /// Takes the rules as loaded (rules_from_json has checked them).
    explicit RuleMapper(std::vector<MappingRule> rules);
    /// The filters of the storing rules, without duplicates or filters another one covers.
    std::vector<std::string> filters() const override;
    /// Maps one message; never throws for any payload.
    MapOutcome map(const base::Message& message, std::vector<base::Record>& out) const override;

  private:
    std::vector<MappingRule> rules_;
};

/// True when every topic that matches `inner` also matches `outer` (so `inner` adds nothing).
bool filter_covers(std::string_view outer, std::string_view inner);

}  // namespace iotctl::mapping
