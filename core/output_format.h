// How `sub` prints a message: mosquitto_sub's -F specifiers, -v, and --json lines. Pure code.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/message.h"

namespace iotctl {

/// A parsed -F format: literal text and specifiers, checked once before connecting.
class OutputFormat {
  public:
    /// Parses a mosquitto_sub -F string; an error names the bad specifier and its position.
    static Result<OutputFormat> parse(const std::string& spec);
    /// The format `-v` uses ("%t %p"), or the default ("%p").
    static OutputFormat plain(bool verbose);
    /// One JSON object per message (`--json`); a trailing newline is added by render.
    static OutputFormat json_lines();

    /// Whether render() ends each message with a newline (mosquitto's -N turns it off).
    void set_newline(bool on) { add_newline_ = on; }

    /// Appends the rendered message (and a newline unless set_newline(false)) to out.
    void render(const Message& message, std::string& out) const;

  private:
    struct Piece {
        char spec = 0;     // 0: literal text; '@': strftime char in `text`
        std::string text;  // literal text, or the strftime conversion
        bool left = false, zero = false;
        int width = -1, precision = -1;
    };
    std::vector<Piece> pieces_;
    bool add_newline_ = true;
    bool json_ = false;
};

/// The `--json` object for a message: ts, topic, qos, retain, payload (+ payload_encoding).
nlohmann::json message_to_json(const Message& message);

/// Reads a `sub --json` object back into a message; an error says which key is wrong.
Result<Message> message_from_json(const nlohmann::json& object);

/// ISO-8601 UTC time with the given number of fractional digits (0, 3, 6 or 9), e.g. `...Z`.
std::string iso8601_utc(int64_t ts_ns, int fraction_digits);

/// Parses ISO-8601 (`2026-11-20T10:00:00[.fff][Z|+hh:mm]`, no zone = UTC) to Unix nanoseconds.
Result<int64_t> parse_iso8601(const std::string& text);

}  // namespace iotctl
