#include "core/base/predicate_parser.h"

#include <charconv>
#include <variant>

#include <fmt/format.h>
#include <re2/re2.h>

#include "core/base/number_text.h"
#include "core/base/predicate_lexer.h"

namespace iotctl::base {

namespace {

// Carries the first error out of the recursive descent; caught in parse_predicate.
struct Stop {
    SyntaxError error;
};

[[noreturn]] void fail(size_t pos, std::string what) {
    throw Stop{SyntaxError{pos, std::move(what)}};
}

bool is_keyword(std::string_view w) {
    return w == "and" || w == "or" || w == "not" || w == "in" || w == "exists" || w == "true" ||
           w == "false" || w == "null";
}

std::string_view op_words(CompareOp op) {
    switch (op) {
        case CompareOp::lt:
            return "<";
        case CompareOp::le:
            return "<=";
        case CompareOp::gt:
            return ">";
        case CompareOp::ge:
            return ">=";
        default:
            return "";
    }
}

CompareOp op_from(const std::string& text) {
    if (text == "==") return CompareOp::eq;
    if (text == "!=") return CompareOp::ne;
    if (text == "<") return CompareOp::lt;
    if (text == "<=") return CompareOp::le;
    if (text == ">") return CompareOp::gt;
    if (text == ">=") return CompareOp::ge;
    if (text == "~") return CompareOp::match;
    return CompareOp::no_match;
}

class Parser {
  public:
    Parser(std::string_view text, std::vector<Token> tokens, Predicate& out)
        : text_(text), tokens_(std::move(tokens)), out_(out) {}

    PredicateNode parse() {
        if (peek().kind == TokenKind::end) fail(0, "empty expression: give a condition");
        PredicateNode node = parse_or();
        if (peek().kind == TokenKind::rparen) fail(peek().pos, "')' without a matching '('");
        if (peek().kind != TokenKind::end)
            fail(peek().pos, fmt::format("expected 'and', 'or' or the end after '{}', not '{}'",
                                         source(last_start_, previous_end()), peek().text));
        return node;
    }

  private:
    const Token& peek() const { return tokens_[i_]; }
    const Token& take() { return tokens_[i_ < tokens_.size() - 1 ? i_++ : i_]; }
    bool at_word(std::string_view w) const {
        return peek().kind == TokenKind::word && peek().text == w;
    }
    size_t previous_end() const {
        const Token& t = tokens_[i_ - 1];
        return t.kind == TokenKind::string ? source_end_of_string(t) : t.pos + t.text.size();
    }
    // Strings may be shorter than their source (escapes): find the closing quote again.
    size_t source_end_of_string(const Token& t) const {
        char quote = text_[t.pos];
        for (size_t j = t.pos + 1; j < text_.size(); ++j) {
            if (text_[j] == '\\' && j + 1 < text_.size() &&
                (text_[j + 1] == quote || text_[j + 1] == '\\'))
                ++j;
            else if (text_[j] == quote)
                return j + 1;
        }
        return text_.size();
    }
    std::string_view source(size_t from, size_t to) const { return text_.substr(from, to - from); }

    PredicateNode parse_or() { return parse_chain("or", PredicateNode::Kind::any, true); }

    PredicateNode parse_chain(std::string_view word, PredicateNode::Kind kind, bool is_or) {
        PredicateNode first = is_or ? parse_and() : parse_unary();
        if (!at_word(word)) return first;
        PredicateNode node;
        node.kind = kind;
        node.children.push_back(std::move(first));
        while (at_word(word)) {
            take();
            node.children.push_back(is_or ? parse_and() : parse_unary());
        }
        return node;
    }

    PredicateNode parse_and() { return parse_chain("and", PredicateNode::Kind::all, false); }

    PredicateNode parse_unary() {
        if (++depth_ > k_max_predicate_depth)
            fail(peek().pos, fmt::format("nested more than {} levels deep (parentheses and 'not')",
                                         k_max_predicate_depth));
        PredicateNode node;
        if (at_word("not")) {
            take();
            node.kind = PredicateNode::Kind::negate;
            node.children.push_back(parse_unary());
        } else {
            node = parse_primary();
        }
        --depth_;
        return node;
    }

    PredicateNode parse_primary() {
        const Token& t = peek();
        if (t.kind == TokenKind::lparen) {
            size_t open = t.pos;
            take();
            PredicateNode node = parse_or();
            if (peek().kind != TokenKind::rparen)
                fail(peek().pos,
                     fmt::format("expected ')' to close the '(' at column {}", column(open) + 1));
            take();
            return node;
        }
        if (t.kind == TokenKind::end)
            fail(t.pos, i_ == 0
                            ? "expected a condition"
                            : fmt::format("expected a condition after '{}'", tokens_[i_ - 1].text));
        if (t.kind != TokenKind::word)
            fail(t.pos, fmt::format("expected a name (a JSON path, topic, topic[N] or payload) "
                                    "or '(', not '{}'",
                                    t.text));
        if (t.text == "exists") return parse_exists();
        last_start_ = t.pos;
        PredicateNode node;
        node.kind = PredicateNode::Kind::compare;
        node.operand = parse_operand();
        std::string name(source(last_start_, previous_end()));
        if (at_word("in")) {
            take();
            node.op = CompareOp::in;
            parse_list(node);
            return node;
        }
        if (peek().kind != TokenKind::op)
            fail(peek().pos,
                 fmt::format("expected an operator after '{}': ==, !=, <, <=, >, >=, ~, !~ or in",
                             name));
        const Token& op = take();
        node.op = op_from(op.text);
        size_t literal_pos = peek().pos;
        node.literals.push_back(parse_literal(op.text));
        check_literal(node, op.text, literal_pos);
        return node;
    }

    PredicateNode parse_exists() {
        take();
        if (peek().kind != TokenKind::lparen) fail(peek().pos, "expected '(' after 'exists'");
        take();
        const Token& t = peek();
        if (t.kind != TokenKind::word || is_keyword(t.text) || t.text == "topic" ||
            t.text == "payload")
            fail(t.pos, "expected a JSON path in exists(...)");
        PredicateNode node;
        node.kind = PredicateNode::Kind::exists;
        node.operand.path = path_of(take());
        out_.uses_json = true;
        if (peek().kind != TokenKind::rparen) fail(peek().pos, "expected ')' after the path");
        take();
        return node;
    }

    PredicateOperand parse_operand() {
        const Token& t = take();
        PredicateOperand operand;
        if (t.text == "payload") {
            operand.kind = PredicateOperand::Kind::payload;
        } else if (t.text == "topic") {
            operand.kind = PredicateOperand::Kind::topic;
            if (peek().kind == TokenKind::lbracket) {
                take();
                const Token& n = peek();
                size_t level = 0;
                auto [end, ec] =
                    std::from_chars(n.text.data(), n.text.data() + n.text.size(), level);
                if (n.kind != TokenKind::word || n.text.empty() || ec != std::errc() ||
                    end != n.text.data() + n.text.size())
                    fail(n.pos, "expected a topic level number (0, 1, 2, ...) in topic[N]");
                take();
                if (peek().kind != TokenKind::rbracket)
                    fail(peek().pos, "expected ']' after the topic level");
                take();
                operand.kind = PredicateOperand::Kind::topic_level;
                operand.level = level;
            }
        } else if (is_keyword(t.text)) {
            fail(t.pos, fmt::format("expected a name before '{}'", t.text));
        } else if (parse_number_text(t.text)) {
            fail(t.pos, fmt::format("expected a name on the left, not the number {} (write the "
                                    "name first: temperature > 30)",
                                    t.text));
        } else {
            operand.path = path_of(t);
            out_.uses_json = true;
        }
        return operand;
    }

    JsonPath path_of(const Token& t) {
        auto path = JsonPath::parse(t.text);
        if (!path) fail(t.pos, path.error().message);
        return std::move(*path);
    }

    PredicateLiteral parse_literal(const std::string& after) {
        const Token& t = peek();
        PredicateLiteral lit;
        if (t.kind == TokenKind::string) {
            lit.kind = PredicateLiteral::Kind::string;
            lit.text = take().text;
            return lit;
        }
        if (t.kind != TokenKind::word)
            fail(t.pos, fmt::format("expected a value after '{}'", after));
        if (t.text == "true" || t.text == "false") {
            lit.kind = PredicateLiteral::Kind::boolean;
            lit.boolean = t.text == "true";
        } else if (t.text == "null") {
            lit.kind = PredicateLiteral::Kind::null;
        } else if (auto d = parse_number_text(t.text)) {
            lit.kind = PredicateLiteral::Kind::number;
            lit.number = *d;
        } else {
            fail(t.pos, fmt::format("expected a value after '{}' (a number, a \"string\", true, "
                                    "false or null), not {}: text needs quotes: \"{}\"",
                                    after, t.text, t.text));
        }
        take();
        return lit;
    }

    void parse_list(PredicateNode& node) {
        if (peek().kind != TokenKind::lbracket)
            fail(peek().pos, "expected a list after 'in': [\"A\", \"C\"] or [1, 2]");
        take();
        if (peek().kind == TokenKind::rbracket)
            fail(peek().pos, "expected a value: the list is empty");
        while (true) {
            node.literals.push_back(parse_literal(node.literals.empty() ? "[" : ","));
            if (peek().kind == TokenKind::rbracket) break;
            if (peek().kind != TokenKind::comma)
                fail(peek().pos, "expected ',' or ']' in the list");
            take();
        }
        take();
    }

    void check_literal(PredicateNode& node, const std::string& op, size_t pos) {
        const PredicateLiteral& lit = node.literals.front();
        using Kind = PredicateLiteral::Kind;
        if (!op_words(node.op).empty() && lit.kind != Kind::number && lit.kind != Kind::string)
            fail(pos, fmt::format("'{}' compares numbers or strings, not {}", op,
                                  lit.kind == Kind::null ? "null" : "true/false"));
        if (node.op != CompareOp::match && node.op != CompareOp::no_match) return;
        if (lit.kind != Kind::string)
            fail(pos, fmt::format("'{}' needs a regular expression in quotes: \"^Kitchen\"", op));
        RE2::Options options;
        options.set_log_errors(false);
        auto regex = std::make_shared<RE2>(lit.text, options);
        if (!regex->ok()) fail(pos, "invalid regular expression: " + regex->error());
        node.regex = std::move(regex);
    }

    size_t column(size_t pos) const {
        size_t c = 0;
        for (size_t i = 0; i < pos; ++i)
            if ((static_cast<unsigned char>(text_[i]) & 0xC0) != 0x80) ++c;
        return c;
    }

    std::string_view text_;
    std::vector<Token> tokens_;
    Predicate& out_;
    size_t i_ = 0, depth_ = 0, last_start_ = 0;
};

}  // namespace

Result<Predicate> parse_predicate(std::string_view text) {
    auto tokens = tokenize_predicate(text);
    if (auto* e = std::get_if<SyntaxError>(&tokens)) return usage_error(caret_message(text, *e));
    Predicate predicate;
    predicate.text = std::string(text);
    try {
        Parser parser(text, std::get<std::vector<Token>>(std::move(tokens)), predicate);
        predicate.root = parser.parse();
    } catch (const Stop& stop) {
        return usage_error(caret_message(text, stop.error));
    }
    return predicate;
}

}  // namespace iotctl::base
