// Reads a capture, SQLite (docs/capture.md) or `sub --json` lines, told apart by content.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/base/error.h"
#include "core/base/message.h"
#include "core/base/predicate_eval.h"
#include "core/base/time_window.h"

namespace iotctl::capture {

/// A stream of recorded messages in recorded order.
class MessageSource {
  public:
    virtual ~MessageSource() = default;
    /// Reads the next message into `out` (reusing its buffers); false at the end; error on a
    /// record that cannot be read, naming where it is.
    virtual base::Result<bool> next(base::Message& out) = 0;
};

/// The two capture formats.
enum class CaptureKind { sqlite, json_lines };

/// An open capture: its messages and what the file says about how they were recorded.
struct OpenedCapture {
    std::unique_ptr<MessageSource> source;
    CaptureKind kind = CaptureKind::json_lines;
    std::string protocol_version;  // from the SQLite meta table; empty when not recorded
};

/// Tells the format from the first bytes; error when the file is neither or cannot be read.
base::Result<CaptureKind> detect_capture_kind(const std::string& path);

/// Opens a capture for reading from its first message.
base::Result<OpenedCapture> open_capture(const std::string& path);

/// Which messages of a capture a command works on: a time window and topic filters.
struct CaptureSelection {
    base::TimeWindow window;
    std::vector<std::string> topics{};  // empty: every topic
    base::WhereFilter where{};          // --where: empty selects every message

    /// True when the message is inside the window, matches a filter (or there are none) and
    /// the --where expressions.
    bool selects(const base::Message& m) const;
    /// True when every message is selected (no window, topics or --where).
    bool selects_all() const { return window.unbounded() && topics.empty() && where.empty(); }
};

/// Wraps a source, passing on only selected messages and remembering the span of all it read.
class SelectedSource : public MessageSource {
  public:
    /// Reads from `inner`, keeping the messages `selection` selects.
    SelectedSource(std::unique_ptr<MessageSource> inner, CaptureSelection selection);
    base::Result<bool> next(base::Message& out) override;
    /// Messages read from the capture, selected or not.
    uint64_t read() const { return read_; }
    /// Messages passed on.
    uint64_t selected() const { return selected_; }
    /// The one-line error for a selection that matched nothing in `path` (say what it holds).
    base::Error nothing_selected(const std::string& path) const;

  private:
    std::unique_ptr<MessageSource> inner_;
    CaptureSelection selection_;
    uint64_t read_ = 0, selected_ = 0;
    int64_t first_ns_ = 0, last_ns_ = 0;
};

/// Opens a capture and selects from it; `protocol_version` (if given) gets the recorded one.
base::Result<std::unique_ptr<SelectedSource>> open_selected(
    const std::string& path, const CaptureSelection& selection,
    std::string* protocol_version = nullptr);

/// What one pass over the selected messages found.
struct CaptureScan {
    uint64_t selected = 0;
    int64_t first_ns = 0, last_ns = 0;  // recorded times of the first and last selected
};

/// Reads every selected message once, calling `each` on it (may be empty); error when a record
/// is bad or when nothing is selected (the error says what the capture holds).
base::Result<CaptureScan> scan_capture(const std::string& path, const CaptureSelection& selection,
                                       const std::function<void(const base::Message&)>& each);

}  // namespace iotctl::capture
