#include "core/base/predicate_lexer.h"

#include <variant>

#include <fmt/format.h>

namespace iotctl::base {

namespace {

constexpr std::string_view k_indent = "    ";

bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

// Characters of names and numbers: letters, digits, `_ . * $ - + : @ /` and any byte of a
// multi-byte UTF-8 character (keys such as `Température`).
bool is_word_char(char c) {
    auto u = static_cast<unsigned char>(c);
    if (u >= 0x80) return true;
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
    return std::string_view("_.*$-+:@/").find(c) != std::string_view::npos;
}

// A quoted string from its opening quote; `\"` (or `\'`) and `\\` are escapes, any other
// backslash stays as written, so a regular expression such as "\d+" needs no doubling.
// `after` is set to the offset after the closing quote.
std::variant<Token, SyntaxError> read_string(std::string_view text, size_t start, size_t& after) {
    const char quote = text[start];
    Token t{TokenKind::string, "", start};
    for (size_t i = start + 1; i < text.size(); ++i) {
        char c = text[i];
        if (c == quote) {
            after = i + 1;
            return t;
        }
        if (c == '\\' && i + 1 < text.size() && (text[i + 1] == quote || text[i + 1] == '\\')) {
            t.text += text[++i];
            continue;
        }
        t.text += c;
    }
    return SyntaxError{start, "this string has no closing " + std::string(1, quote)};
}

std::string shown_char(char c) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) return fmt::format("\\x{:02x}", u);
    return std::string(1, c);
}

}  // namespace

std::variant<std::vector<Token>, SyntaxError> tokenize_predicate(std::string_view text) {
    std::vector<Token> tokens;
    size_t i = 0;
    while (true) {
        while (i < text.size() && is_space(text[i])) ++i;
        if (i == text.size()) break;
        const char c = text[i];
        const char next = i + 1 < text.size() ? text[i + 1] : '\0';
        auto single = [&](TokenKind kind) {
            tokens.push_back(Token{kind, std::string(1, c), i});
            ++i;
        };
        switch (c) {
            case '(':
                single(TokenKind::lparen);
                continue;
            case ')':
                single(TokenKind::rparen);
                continue;
            case '[':
                single(TokenKind::lbracket);
                continue;
            case ']':
                single(TokenKind::rbracket);
                continue;
            case ',':
                single(TokenKind::comma);
                continue;
            case '~':
                single(TokenKind::op);
                continue;
            case '<':
            case '>':
                tokens.push_back(
                    Token{TokenKind::op, next == '=' ? std::string{c, '='} : std::string(1, c), i});
                i += next == '=' ? 2 : 1;
                continue;
            case '=':
                if (next != '=')
                    return SyntaxError{i, "'=' is not an operator: use '==' to compare"};
                tokens.push_back(Token{TokenKind::op, "==", i});
                i += 2;
                continue;
            case '!':
                if (next != '=' && next != '~')
                    return SyntaxError{i, "'!' is not an operator: use 'not', '!=' or '!~'"};
                tokens.push_back(Token{TokenKind::op, std::string{'!', next}, i});
                i += 2;
                continue;
            case '"':
            case '\'': {
                auto s = read_string(text, i, i);
                if (auto* e = std::get_if<SyntaxError>(&s)) return *e;
                tokens.push_back(std::get<Token>(std::move(s)));
                continue;
            }
            default:
                break;
        }
        if (!is_word_char(c))
            return SyntaxError{i, fmt::format("unexpected character '{}'", shown_char(c))};
        size_t start = i;
        while (i < text.size() && is_word_char(text[i])) ++i;
        tokens.push_back(Token{TokenKind::word, std::string(text.substr(start, i - start)), start});
    }
    tokens.push_back(Token{TokenKind::end, "", text.size()});
    return tokens;
}

std::string caret_message(std::string_view text, const SyntaxError& error) {
    std::string shown;
    size_t column = 0;
    for (size_t i = 0; i < text.size(); ++i) {
        auto u = static_cast<unsigned char>(text[i]);
        shown += u < 0x20 || u == 0x7f ? ' ' : text[i];
        if (i < error.pos && (u & 0xC0) != 0x80) ++column;  // continuation bytes take no column
    }
    return fmt::format("--where: {}\n{}{}\n{}{}^", error.what, k_indent, shown, k_indent,
                       std::string(column, ' '));
}

}  // namespace iotctl::base
