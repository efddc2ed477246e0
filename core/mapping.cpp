#include "core/mapping.h"

namespace iotctl {

Result<std::unique_ptr<Mapper>> make_preset_mapper(const std::string& preset) {
    return runtime_error("mapping presets are not built yet");
}

Result<std::unique_ptr<Mapper>> load_mapping_file(const std::string& path) {
    return runtime_error("mapping files are not built yet");
}

}  // namespace iotctl
