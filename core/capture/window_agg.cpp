#include "core/capture/window_agg.h"

#include <charconv>
#include <limits>

#include <fmt/format.h>

#include "core/base/number_text.h"
#include "core/base/time_window.h"

namespace iotctl::capture {

namespace {

constexpr int64_t k_ns_per_s = 1'000'000'000;

int64_t floor_div(int64_t a, int64_t b) {
    return a / b - (a % b < 0 ? 1 : 0);
}

// A number as the CSV shows it: the shortest text that reads back as the same double.
std::string number_cell(double v) {
    return fmt::format("{}", v);
}

}  // namespace

base::Result<int64_t> parse_every(const std::string& text) {
    auto bad = [&] {
        return base::usage_error(fmt::format(
            "invalid --every '{}': expected a whole number of seconds, minutes, hours or days "
            "above 0, e.g. 10s, 1m, 1h",
            text));
    };
    if (text.size() < 2) return bad();
    auto unit_s = base::duration_unit_seconds(text.back());
    if (!unit_s || text.back() == 'w') return bad();  // weeks: not a window size here
    const int64_t unit = *unit_s;
    const std::string_view digits(text.data(), text.size() - 1);
    int64_t n = 0;
    auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
    if (ec != std::errc() || ptr != digits.data() + digits.size() || n <= 0 ||
        n > int64_t{366} * 86400 / unit)
        return bad();
    return n * unit * k_ns_per_s;
}

const char* agg_name(Agg agg) {
    switch (agg) {
        case Agg::mean:
            return "mean";
        case Agg::min:
            return "min";
        case Agg::max:
            return "max";
        case Agg::count:
            return "count";
        case Agg::last:
            return "last";
    }
    return "?";
}

base::Result<std::vector<Agg>> parse_agg_list(const std::string& text) {
    std::vector<Agg> aggs;
    size_t pos = 0;
    while (pos <= text.size()) {
        size_t comma = text.find(',', pos);
        if (comma == std::string::npos) comma = text.size();
        const std::string name = text.substr(pos, comma - pos);
        bool known = false;
        for (Agg a : k_all_aggs) {
            if (name != agg_name(a)) continue;
            known = true;
            for (Agg seen : aggs)
                if (seen == a)
                    return base::usage_error(
                        fmt::format("invalid --agg '{}': '{}' is given twice", text, name));
            aggs.push_back(a);
        }
        if (!known)
            return base::usage_error(fmt::format(
                "invalid --agg '{}': '{}' is not one of mean, min, max, count, last", text, name));
        pos = comma + 1;
    }
    return aggs;
}

int64_t window_start(int64_t ts_ns, int64_t every_ns, const base::TimeZone& zone) {
    const int64_t local = zone.unix_to_local_ns(ts_ns);
    return zone.local_to_unix_ns(floor_div(local, every_ns) * every_ns);
}

WindowAggregator::WindowAggregator(int64_t every_ns, std::vector<Agg> aggs, base::TimeZone zone)
    : every_ns_(every_ns), aggs_(std::move(aggs)), zone_(zone) {}

void WindowAggregator::declare_columns(const std::vector<std::string>& names) {
    for (const auto& name : names) column_index(name);
}

std::vector<std::string> WindowAggregator::cell_names() const {
    std::vector<std::string> names;
    for (const auto& column : columns_)
        for (Agg a : aggs_) names.push_back(column + "_" + agg_name(a));
    return names;
}

size_t WindowAggregator::column_index(const std::string& name) {
    if (auto it = index_.find(name); it != index_.end()) return it->second;
    if (frozen_) {
        if (dropped_++ == 0) first_dropped_ = name;
        return std::numeric_limits<size_t>::max();
    }
    index_.emplace(name, columns_.size());
    columns_.push_back(name);
    return columns_.size() - 1;
}

void WindowAggregator::add(int64_t ts_ns, const std::vector<std::string>& group,
                           const std::string& column, std::string_view text) {
    const size_t i = column_index(column);
    if (i == std::numeric_limits<size_t>::max()) return;
    Group& cells = windows_[window_start(ts_ns, every_ns_, zone_)][group];
    if (cells.size() <= i) cells.resize(i + 1);
    Cell& c = cells[i];
    c.last.assign(text);
    auto v = base::parse_number_text(text);
    if (!v) return;
    c.min = c.count == 0 ? *v : std::min(c.min, *v);
    c.max = c.count == 0 ? *v : std::max(c.max, *v);
    c.sum += *v;
    ++c.count;
}

std::string WindowAggregator::render(const Cell& c, Agg agg) const {
    switch (agg) {
        case Agg::mean:
            return c.count ? number_cell(c.sum / static_cast<double>(c.count)) : "";
        case Agg::min:
            return c.count ? number_cell(c.min) : "";
        case Agg::max:
            return c.count ? number_cell(c.max) : "";
        case Agg::count:
            return std::to_string(c.count);
        case Agg::last:
            return c.last;
    }
    return {};
}

void WindowAggregator::flush(int64_t now_ns, const std::function<void(const WindowRow&)>& emit) {
    const Cell empty;
    while (!windows_.empty()) {
        auto first = windows_.begin();
        if (now_ns != std::numeric_limits<int64_t>::max() && first->first + every_ns_ > now_ns)
            break;
        for (const auto& [group, cells] : first->second) {
            WindowRow row;
            row.start_ns = first->first;
            row.group = &group;
            for (size_t i = 0; i < columns_.size(); ++i)
                for (Agg a : aggs_)
                    row.cells.push_back(render(i < cells.size() ? cells[i] : empty, a));
            emit(row);
        }
        windows_.erase(first);
    }
}

}  // namespace iotctl::capture
