// `--where` expressions as tokens: names and numbers (words), quoted strings, operators and
// brackets, each with its byte offset for error carets (docs/where.md).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/base/error.h"

namespace iotctl::base {

/// What a token is.
enum class TokenKind {
    word,      // a name, keyword or number: `temperature`, `and`, `30`, `ZbReceived.*.Contact`
    string,    // a quoted string, escapes resolved
    op,        // == != < <= > >= ~ !~
    lparen,    // (
    rparen,    // )
    lbracket,  // [
    rbracket,  // ]
    comma,     // ,
    end,       // after the last token
};

/// One token: its kind, its text (a string's value without quotes) and where it starts.
struct Token {
    TokenKind kind = TokenKind::end;
    std::string text;
    size_t pos = 0;
};

/// A place in an expression and what is wrong there.
struct SyntaxError {
    size_t pos = 0;
    std::string what;
};

/// The tokens of an expression, ending with a TokenKind::end token at its length; or the first
/// character that cannot start a token (or a string that is not closed).
std::variant<std::vector<Token>, SyntaxError> tokenize_predicate(std::string_view text);

/// The error shown for a bad `--where` expression: the message, then the expression and a caret
/// under the byte at `pos` (control characters shown as spaces, the column counted in UTF-8
/// characters): `--where: expected a value after '>'\n    temperature >\n                  ^`.
std::string caret_message(std::string_view text, const SyntaxError& error);

}  // namespace iotctl::base
