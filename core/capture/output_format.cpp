// Parsing mosquitto_sub -F format strings, -v and --json into an OutputFormat (checked before
// connecting); rendering is in output_render.cpp.
#include "core/capture/output_format.h"

#include <algorithm>

#include <fmt/format.h>

namespace iotctl::capture {

namespace {
constexpr std::string_view k_specifiers = "%ACDEFIJPRSUXjlmpqrtx";
// Larger -F widths and precisions are read as this (no int overflow on long digit runs).
constexpr int k_max_field = 1000000;

// strftime conversions glibc knows, for `@X`, plus mosquitto's own @N (nanoseconds).
constexpr std::string_view k_time_conversions = "aAbBcCdDeFgGhHIjklmMnNpPrRsStTuUVwWxXyYzZ+%";

}  // namespace

base::Result<OutputFormat> OutputFormat::parse(const std::string& spec) {
    OutputFormat f;
    std::string literal;
    auto flush_literal = [&] {
        if (!literal.empty()) f.pieces_.push_back(Piece{0, std::move(literal)});
        literal.clear();
    };
    for (size_t i = 0; i < spec.size(); ++i) {
        char c = spec[i];
        if (c == '\\') {
            if (i + 1 >= spec.size())
                return base::usage_error("invalid format '" + spec + "': lone '\\' at the end");
            char e = spec[++i];
            switch (e) {
                case '\\':
                    literal += '\\';
                    break;
                case '0':
                    literal += '\0';
                    break;
                case 'a':
                    literal += '\a';
                    break;
                case 'e':
                    literal += '\033';
                    break;
                case 'n':
                    literal += '\n';
                    break;
                case 'r':
                    literal += '\r';
                    break;
                case 't':
                    literal += '\t';
                    break;
                case 'v':
                    literal += '\v';
                    break;
                default:
                    return base::usage_error(fmt::format(
                        "invalid format '{}': unknown escape '\\{}' at position {}", spec, e, i));
            }
        } else if (c == '@') {
            if (i + 1 >= spec.size())
                return base::usage_error("invalid format '" + spec + "': lone '@' at the end");
            char e = spec[++i];
            if (e == '@') {
                literal += '@';
                continue;
            }
            if (k_time_conversions.find(e) == std::string_view::npos)
                return base::usage_error(
                    fmt::format("invalid format '{}': unknown time conversion '@{}' at position {}",
                                spec, e, i - 1));
            flush_literal();
            f.pieces_.push_back(Piece{'@', std::string("%") + e});
        } else if (c == '%') {
            size_t start = i;
            Piece piece;
            ++i;
            while (i < spec.size() && (spec[i] == '-' || spec[i] == '0')) {
                (spec[i] == '-' ? piece.left : piece.zero) = true;
                ++i;
            }
            int width = -1;
            while (i < spec.size() && isdigit(static_cast<unsigned char>(spec[i])))
                width = std::min((width < 0 ? 0 : width * 10) + (spec[i++] - '0'), k_max_field);
            int precision = -1;
            if (i < spec.size() && spec[i] == '.') {
                ++i;
                precision = 0;
                while (i < spec.size() && isdigit(static_cast<unsigned char>(spec[i])))
                    precision = std::min(precision * 10 + (spec[i++] - '0'), k_max_field);
            }
            if (i >= spec.size())
                return base::usage_error(fmt::format(
                    "invalid format '{}': incomplete specifier at position {}", spec, start));
            char s = spec[i];
            if (k_specifiers.find(s) == std::string_view::npos)
                return base::usage_error(fmt::format(
                    "invalid format '{}': unknown specifier '%{}' at position {}", spec, s, start));
            if (s == '%') {
                literal += '%';
                continue;
            }
            flush_literal();
            piece.spec = s;
            piece.width = width > 4096 ? 4096 : width;
            piece.precision = precision;
            f.pieces_.push_back(std::move(piece));
        } else {
            literal += c;
        }
    }
    flush_literal();
    return f;
}

OutputFormat OutputFormat::plain(bool verbose) {
    OutputFormat f;
    if (verbose) {
        f.pieces_.push_back(Piece{.spec = 't'});
        f.pieces_.push_back(Piece{.text = " "});
    }
    f.pieces_.push_back(Piece{.spec = 'p'});
    return f;
}

OutputFormat OutputFormat::json_lines() {
    OutputFormat f;
    f.json_ = true;
    return f;
}

base::Result<OutputFormat> OutputFormat::from_flags(bool json, const std::string& spec,
                                                    bool verbose, bool no_eol) {
    OutputFormat f = json ? json_lines() : plain(verbose);
    if (!json && !spec.empty()) {
        auto parsed = parse(spec);
        if (!parsed) return parsed.error();
        f = std::move(*parsed);
    }
    f.set_newline(!no_eol || json);
    return f;
}

}  // namespace iotctl::capture
