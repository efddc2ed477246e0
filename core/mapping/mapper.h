// Turns decoded MQTT messages into records: presets (hexaboard, tasmota, generic) or a map file.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/base/error.h"
#include "core/base/message.h"
#include "core/base/record.h"
#include "core/base/time_zone.h"

namespace iotctl::mapping {

/// What mapping one message came to.
struct MapOutcome {
    /// mapped: records were appended; skipped: not meant for storage (no rule for the topic, or
    /// a skip rule); dead: nothing could be stored (bad input), for the dead-letter file.
    enum Kind { mapped, skipped, dead } kind = mapped;
    /// Why, in one line, for the dead-letter file and logs. With `mapped` it is non-empty when
    /// some values could not be kept and the rest was stored (`humidity: "sixty" is not a number`).
    std::string reason;
    /// With `mapped`: `measurement.field` of each payload value left out of a stored record.
    std::vector<std::string> dropped;
};

/// Maps messages to records; built once, then used from one thread at a time.
class Mapper {
  public:
    virtual ~Mapper() = default;
    /// The topic filters this mapping wants to subscribe to (e.g. `hexaboard/+/sensor/data`).
    virtual std::vector<std::string> filters() const = 0;
    /// Appends zero or more records for the message to `out`.
    virtual MapOutcome map(const base::Message& message, std::vector<base::Record>& out) const = 0;
};

/// A built-in mapping: `hexaboard`, `tasmota` or `generic` (docs/commands.md#mapping); payload
/// times without a zone are wall-clock times in `zone` (`--payload-timezone`).
base::Result<std::unique_ptr<Mapper>> make_preset_mapper(const std::string& preset,
                                                         const base::TimeZone& zone = {});

/// Several built-in mappings as one: their rules in the order given (the first match wins).
base::Result<std::unique_ptr<Mapper>> make_preset_mapper(const std::vector<std::string>& presets,
                                                         const base::TimeZone& zone = {});

/// A mapping from map-file text (JSON when `json`, else TOML); errors read `<key>: <what>`.
/// Rules without their own `timezone` read zone-less payload times in `zone`.
base::Result<std::unique_ptr<Mapper>> mapper_from_text(std::string_view text, bool json,
                                                       const base::TimeZone& zone = {});

/// A mapping read from a TOML or JSON file (`--map FILE`); errors name the file and the key.
base::Result<std::unique_ptr<Mapper>> load_mapping_file(const std::string& path,
                                                        const base::TimeZone& zone = {});

}  // namespace iotctl::mapping
