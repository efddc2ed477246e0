// A one-line progress bar with rate and ETA, redrawn on a terminal at most a few times a second.
#pragma once

#include <cstdint>
#include <string>

namespace iotctl::capture {

/// Renders `[#####-----]  50%  5000/10000 msg  1200 msg/s  ETA 0:00:04` (total 0: unknown).
std::string render_progress(uint64_t done, uint64_t total, double rate, double eta_s,
                            int bar_width = 24);

/// Draws the bar on a file descriptor (stderr) when it is a terminal; otherwise does nothing.
class ProgressMeter {
  public:
    /// Enabled only when `fd` is a terminal (isatty).
    explicit ProgressMeter(int fd);
    /// True when the bar is drawn.
    bool enabled() const { return enabled_; }
    /// Redraws the bar if 200 ms have passed since the last draw; `now_ns` is monotonic.
    void update(uint64_t done, uint64_t total, double eta_s, int64_t now_ns, int64_t elapsed_ns);
    /// Clears the bar line so a summary can follow.
    void finish();

  private:
    int fd_;
    bool enabled_;
    int64_t last_draw_ns_ = 0;
};

}  // namespace iotctl::capture
