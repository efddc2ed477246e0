#include "core/capture/progress_meter.h"

#include <unistd.h>
#include <algorithm>
#include <cmath>

#include <fmt/format.h>

namespace iotctl::capture {

std::string render_progress(uint64_t done, uint64_t total, double rate, double eta_s,
                            int bar_width) {
    std::string out;
    if (total > 0) {
        double frac = std::min(1.0, static_cast<double>(done) / static_cast<double>(total));
        int filled = static_cast<int>(frac * bar_width);
        out = fmt::format("[{}{}] {:3d}%  {}/{} msg", std::string(filled, '#'),
                          std::string(bar_width - filled, '-'), static_cast<int>(frac * 100), done,
                          total);
    } else {
        out = fmt::format("{} msg", done);
    }
    out += fmt::format("  {:.0f} msg/s", rate);
    if (eta_s >= 0 && std::isfinite(eta_s)) {
        auto s = static_cast<int64_t>(std::llround(eta_s));
        out += fmt::format("  ETA {}:{:02d}:{:02d}", s / 3600, s / 60 % 60, s % 60);
    }
    return out;
}

ProgressMeter::ProgressMeter(int fd) : fd_(fd), enabled_(::isatty(fd) == 1) {}

void ProgressMeter::update(uint64_t done, uint64_t total, double eta_s, int64_t now_ns,
                           int64_t elapsed_ns) {
    if (!enabled_ || now_ns - last_draw_ns_ < 200'000'000) return;
    last_draw_ns_ = now_ns;
    double rate = elapsed_ns > 0 ? done * 1e9 / static_cast<double>(elapsed_ns) : 0;
    std::string line = "\r" + render_progress(done, total, rate, eta_s) + "\x1b[K";
    [[maybe_unused]] auto n = ::write(fd_, line.data(), line.size());
}

void ProgressMeter::finish() {
    if (!enabled_ || last_draw_ns_ == 0) return;
    [[maybe_unused]] auto n = ::write(fd_, "\r\x1b[K", 4);
}

}  // namespace iotctl::capture
