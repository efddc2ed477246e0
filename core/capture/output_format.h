// How `sub` prints a message: mosquitto_sub's -F specifiers, -v, and --json lines. Pure code.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/base/error.h"
#include "core/base/message.h"

namespace iotctl::capture {

/// A parsed -F format: literal text and specifiers, checked once before connecting.
class OutputFormat {
  public:
    /// Parses a mosquitto_sub -F string; an error names the bad specifier and its position.
    static base::Result<OutputFormat> parse(const std::string& spec);
    /// The format `-v` uses ("%t %p"), or the default ("%p").
    static OutputFormat plain(bool verbose);
    /// One JSON object per message (`--json`); a trailing newline is added by render.
    static OutputFormat json_lines();
    /// What sub's output flags ask for: `--json`, else `-F spec` (checked), else plain with `-v`;
    /// `-N` (no_eol) leaves out the newline except for JSON lines.
    static base::Result<OutputFormat> from_flags(bool json, const std::string& spec, bool verbose,
                                                 bool no_eol);

    /// Whether render() ends each message with a newline (mosquitto's -N turns it off).
    void set_newline(bool on) { add_newline_ = on; }
    /// Whether %j, %J and JSON lines are indented (mosquitto's --pretty), one tab per level.
    void set_pretty(bool on) { pretty_ = on; }
    /// A step that adds members to each JSON line (`--rolling`) before it is indented; it
    /// runs in render(), so render() and render_pieces() must then be called from one thread.
    void set_json_extra(std::function<void(const base::Message&, std::string&)> extra) {
        json_extra_ = std::move(extra);
    }

    /// Appends the rendered message (and a newline unless set_newline(false)) to out.
    void render(const base::Message& message, std::string& out) const;
    /// Renders the same text in pieces handed to `emit`, a large payload in slices rather than
    /// one copy (for payloads of many megabytes).
    void render_pieces(const base::Message& message,
                       const std::function<void(std::string_view)>& emit) const;

  private:
    struct Piece {
        char spec = 0;       // 0: literal text; '@': strftime char in `text`
        std::string text{};  // literal text, or the strftime conversion
        bool left = false, zero = false;
        int width = -1, precision = -1;
    };
    void append_piece(const Piece& piece, const base::Message& m, std::string& out) const;

    std::vector<Piece> pieces_;
    bool add_newline_ = true;
    bool json_ = false;
    bool pretty_ = false;
    std::function<void(const base::Message&, std::string&)> json_extra_;
};

}  // namespace iotctl::capture
