#include "core/capture/rolling_means.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/base/number_text.h"

namespace iotctl::capture {

void RollingMeans::update(const base::Message& m, std::string& out) {
    out += "\"rolling\":{";
    if (base::json_object_leaves(m.payload, leaves_)) {
        auto& series = topics_[m.topic];
        bool first = true;
        for (const auto& leaf : leaves_) {
            auto v = base::parse_number_text(leaf.text);
            if (!v) continue;
            auto& values = series[leaf.path];
            values.push_back(*v);
            if (values.size() > n_) values.pop_front();
            double sum = 0;  // summed afresh: no rounding drift over hours
            for (double x : values) sum += x;
            if (!first) out += ',';
            first = false;
            out += nlohmann::json(leaf.path).dump();
            out += ':';
            out += fmt::format("{}", sum / static_cast<double>(values.size()));
        }
    }
    out += '}';
}

void RollingMeans::append_to_line(const base::Message& m, std::string& line) {
    const size_t close = line.rfind('}');
    if (close == std::string::npos) return;
    std::string member(",");
    update(m, member);
    line.insert(close, member);
}

}  // namespace iotctl::capture
