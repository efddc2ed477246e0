#include "core/base/payload.h"

#include <array>
#include <atomic>
#include <cstring>
#include <limits>

#include <fmt/format.h>

#include "core/base/json_text.h"

namespace iotctl::base {

namespace {
// The length of the well-formed UTF-8 sequence at the start of `s` (no overlongs, no
// surrogates), and its code point; 0 when the bytes there are not one.
size_t utf8_sequence(std::string_view s, uint32_t& cp) {
    const auto* p = reinterpret_cast<const unsigned char*>(s.data());
    unsigned char c = p[0];
    if (c < 0x80) {
        cp = c;
        return 1;
    }
    size_t len;
    if ((c & 0xE0) == 0xC0) {
        len = 2;
        cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
        len = 3;
        cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
        len = 4;
        cp = c & 0x07;
    } else {
        return 0;
    }
    if (len > s.size()) return 0;
    for (size_t k = 1; k < len; ++k) {
        if ((p[k] & 0xC0) != 0x80) return 0;
        cp = (cp << 6) | (p[k] & 0x3F);
    }
    if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
        cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return len;
}
}  // namespace

bool is_valid_utf8(std::string_view s) {
    uint32_t cp;
    for (size_t i = 0, len; i < s.size(); i += len)
        if ((len = utf8_sequence(s.substr(i), cp)) == 0) return false;
    return true;
}

std::string printable(std::string_view s, size_t max_bytes) {
    constexpr char k_hex[] = "0123456789ABCDEF";
    std::string out;
    uint32_t cp;
    for (size_t i = 0, len; i < s.size(); i += len) {
        if (out.size() >= max_bytes) {
            out += "...";
            break;
        }
        len = utf8_sequence(s.substr(i), cp);
        // Control characters (C0, DEL, C1) would act on a terminal: shown as their bytes.
        if (len == 0 || cp < 0x20 || (cp >= 0x7F && cp <= 0x9F)) {
            len = len == 0 ? 1 : len;
            for (size_t k = 0; k < len; ++k) {
                auto b = static_cast<unsigned char>(s[i + k]);
                out += "\\x";
                out += k_hex[b >> 4];
                out += k_hex[b & 0xF];
            }
            continue;
        }
        out.append(s.substr(i, len));
    }
    return out;
}

namespace {
constexpr char k_b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
}

std::string base64_encode(std::string_view in) {
    std::string out;
    append_base64(out, in);
    return out;
}

void append_base64(std::string& out, std::string_view in) {
    out.reserve(out.size() + (in.size() + 2) / 3 * 4);
    size_t i = 0;
    const auto* p = reinterpret_cast<const unsigned char*>(in.data());
    for (; i + 2 < in.size(); i += 3) {
        uint32_t v = (p[i] << 16) | (p[i + 1] << 8) | p[i + 2];
        out += k_b64[v >> 18];
        out += k_b64[(v >> 12) & 63];
        out += k_b64[(v >> 6) & 63];
        out += k_b64[v & 63];
    }
    if (i < in.size()) {
        uint32_t v = p[i] << 16;
        if (i + 1 < in.size()) v |= p[i + 1] << 8;
        out += k_b64[v >> 18];
        out += k_b64[(v >> 12) & 63];
        out += i + 1 < in.size() ? k_b64[(v >> 6) & 63] : '=';
        out += '=';
    }
}

Result<std::string> base64_decode(std::string_view in) {
    std::array<int, 256> table;
    table.fill(-1);
    for (int i = 0; i < 64; ++i) table[static_cast<unsigned char>(k_b64[i])] = i;
    std::string out;
    uint32_t acc = 0;
    int bits = 0;
    size_t pad = 0;
    for (size_t i = 0; i < in.size(); ++i) {
        unsigned char c = in[i];
        if (c == '=') {
            ++pad;
            continue;
        }
        if (pad > 0 || table[c] < 0)
            return runtime_error("invalid base64 at offset " + std::to_string(i));
        acc = (acc << 6) | table[c];
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out += static_cast<char>((acc >> bits) & 0xFF);
        }
    }
    if (pad > 2 || (in.size() % 4) != 0) return runtime_error("invalid base64 length");
    return out;
}

namespace {
std::atomic<size_t> g_max_json_bytes{k_default_max_json_bytes};

// The limit check every parse below starts with; fills `reason` when one is exceeded.
// nlohmann's lexer ends the input at a NUL byte and ignores what follows ("5\0junk" would be
// JSON, and be embedded whole in a --json line); JSON has no raw NUL, so such text is not JSON.
bool has_nul(std::string_view text) {
    return std::memchr(text.data(), '\0', text.size()) != nullptr;
}

// The check every parse below starts with: the limits (filling `reason` when one is exceeded),
// then no NUL byte.
bool within_limits(std::string_view text, size_t max_bytes, std::string* reason) {
    auto exceeded = json_limit_exceeded(text, max_bytes);
    if (exceeded && reason) *reason = std::move(*exceeded);
    return !exceeded && !has_nul(text);
}

constexpr size_t k_no_size_limit = std::numeric_limits<size_t>::max();
}  // namespace

void set_max_json_bytes(size_t bytes) {
    g_max_json_bytes.store(bytes);
}

size_t max_json_bytes() {
    return g_max_json_bytes.load();
}

std::optional<std::string> json_limit_exceeded(std::string_view text, size_t max_bytes) {
    if (text.size() > max_bytes)
        return fmt::format("larger than --max-json-bytes ({} > {} bytes)", text.size(), max_bytes);
    if (json_nesting_depth(text, k_max_json_depth) > k_max_json_depth)
        return fmt::format("nested deeper than {} levels", k_max_json_depth);
    return std::nullopt;
}

bool is_json_payload(std::string_view payload, std::string* limit_reason) {
    if (!within_limits(payload, max_json_bytes(), limit_reason)) return false;
    return nlohmann::json::accept(payload.begin(), payload.end());
}

std::optional<nlohmann::json> parse_json_payload(std::string_view payload,
                                                 std::string* limit_reason) {
    if (!within_limits(payload, max_json_bytes(), limit_reason)) return std::nullopt;
    auto j = nlohmann::json::parse(payload.begin(), payload.end(), nullptr, false);
    if (j.is_discarded()) return std::nullopt;
    return j;
}

bool sax_parse_payload(std::string_view payload, nlohmann::json_sax<nlohmann::json>& sax,
                       std::string* limit_reason) {
    if (!within_limits(payload, max_json_bytes(), limit_reason)) return false;
    return nlohmann::json::sax_parse(payload.begin(), payload.end(), &sax);
}

bool is_valid_json(std::string_view text) {
    // nlohmann's parser loops (no recursion), so any depth is safe here.
    return !has_nul(text) && nlohmann::json::accept(text.begin(), text.end());
}

Result<nlohmann::json> parse_json_strict(std::string_view text) {
    if (auto exceeded = json_limit_exceeded(text, k_no_size_limit))
        return runtime_error("invalid JSON: " + *exceeded);
    if (const void* nul = std::memchr(text.data(), '\0', text.size()))
        return runtime_error(fmt::format("invalid JSON at byte {}: a NUL byte",
                                         static_cast<const char*>(nul) - text.data() + 1));
    try {
        return nlohmann::json::parse(text.begin(), text.end());
    } catch (const nlohmann::json::parse_error& e) {
        // what() is "[json.exception.parse_error.101] parse error at line 1, column 9: <why>".
        std::string_view why = e.what();
        auto colon = why.find(": ");
        why = colon == std::string_view::npos ? std::string_view{} : why.substr(colon + 2);
        return runtime_error("invalid JSON at byte " + std::to_string(e.byte) +
                             (why.empty() ? "" : ": " + printable(why)));
    } catch (const nlohmann::json::exception& e) {
        return runtime_error(std::string("invalid JSON: ") + e.what());
    }
}

size_t json_string_size(std::string_view text) {
    size_t size = text.size() + 2;
    for (char ch : text) {
        auto c = static_cast<unsigned char>(ch);
        if (c >= 0x20 && c != '"' && c != '\\') continue;
        bool short_escape =
            c == '"' || c == '\\' || c == '\b' || c == '\f' || c == '\n' || c == '\r' || c == '\t';
        size += short_escape ? 1 : 5;
    }
    return size;
}

void append_json_string(std::string& out, std::string_view text) {
    if (!is_valid_utf8(text)) {
        out += dump_json(nlohmann::json(std::string(text)));  // replaces the bad bytes
        return;
    }
    out.reserve(out.size() + json_string_size(text));  // one allocation, also for huge payloads
    out += '"';
    append_json_escaped(out, text);
    out += '"';
}

void append_json_escaped(std::string& out, std::string_view text) {
    static constexpr char k_hex[] = "0123456789abcdef";
    size_t run = 0;  // start of the bytes not yet copied
    for (size_t i = 0; i < text.size(); ++i) {
        auto c = static_cast<unsigned char>(text[i]);
        if (c >= 0x20 && c != '"' && c != '\\') continue;
        out.append(text.data() + run, i - run);
        run = i + 1;
        switch (c) {
            case '"':
                out += "\\\"";
                break;
            case '\\':
                out += "\\\\";
                break;
            case '\b':
                out += "\\b";
                break;
            case '\f':
                out += "\\f";
                break;
            case '\n':
                out += "\\n";
                break;
            case '\r':
                out += "\\r";
                break;
            case '\t':
                out += "\\t";
                break;
            default:
                out += "\\u00";
                out += k_hex[c >> 4];
                out += k_hex[c & 15];
        }
    }
    out.append(text.data() + run, text.size() - run);
}

std::string dump_json(const nlohmann::json& value) {
    return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace iotctl::base
