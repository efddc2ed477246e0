#include "core/broker/dotenv.h"

#include <cctype>

#include <fmt/format.h>

namespace iotctl::broker {

namespace {

bool is_blank(char c) {
    return c == ' ' || c == '\t' || c == '\r';
}

bool is_key_char(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-';
}

// Reads one .env file from start to end, keeping the line number for errors.
class DotenvReader {
  public:
    DotenvReader(const std::string& text, const std::string& name) : s_(text), name_(name) {}

    base::Result<std::map<std::string, std::string>> read() {
        std::map<std::string, std::string> vars;
        while (pos_ < s_.size()) {
            skip_blanks();
            if (at_line_end()) {
                next_line();
                continue;
            }
            if (s_[pos_] == '#') {
                skip_to_line_end();
                continue;
            }
            if (s_.compare(pos_, 7, "export ") == 0 || s_.compare(pos_, 7, "export\t") == 0) {
                pos_ += 7;
                skip_blanks();
            }
            size_t key_start = pos_;
            while (pos_ < s_.size() && is_key_char(s_[pos_])) ++pos_;
            std::string key = s_.substr(key_start, pos_ - key_start);
            skip_blanks();
            if (key.empty() || pos_ >= s_.size() || s_[pos_] != '=')
                return error("expected KEY=VALUE");
            ++pos_;
            skip_blanks();
            auto value = read_value();
            if (!value) return value.error();
            vars[key] = std::move(*value);
        }
        return vars;
    }

  private:
    base::Error error(const std::string& what) const {
        return base::usage_error(fmt::format("env file '{}' line {}: {}", name_, line_, what));
    }
    bool at_line_end() const { return pos_ >= s_.size() || s_[pos_] == '\n'; }
    void skip_blanks() {
        while (pos_ < s_.size() && is_blank(s_[pos_])) ++pos_;
    }
    void next_line() {
        if (pos_ < s_.size()) ++pos_;  // the '\n'
        ++line_;
    }
    void skip_to_line_end() {
        while (!at_line_end()) ++pos_;
    }

    base::Result<std::string> read_value() {
        if (pos_ < s_.size() && (s_[pos_] == '"' || s_[pos_] == '\'')) return read_quoted();
        // Unquoted: up to the line end or a '#' after a blank; trailing blanks dropped.
        std::string value;
        while (!at_line_end()) {
            char c = s_[pos_];
            if (c == '#' && (value.empty() || value.back() == ' ' || value.back() == '\t')) {
                skip_to_line_end();
                break;
            }
            value += c;
            ++pos_;
        }
        while (!value.empty() && is_blank(value.back())) value.pop_back();
        next_line();
        return value;
    }

    base::Result<std::string> read_quoted() {
        const char quote = s_[pos_++];
        const int first_line = line_;
        std::string value;
        while (true) {
            if (pos_ >= s_.size())
                return base::usage_error(fmt::format("env file '{}' line {}: unterminated {} quote",
                                                     name_, first_line,
                                                     quote == '"' ? "double" : "single"));
            char c = s_[pos_++];
            if (c == quote) break;
            if (c == '\n') ++line_;
            if (c == '\\' && quote == '"' && pos_ < s_.size()) {
                char e = s_[pos_++];
                switch (e) {
                    case 'n':
                        value += '\n';
                        break;
                    case 'r':
                        value += '\r';
                        break;
                    case 't':
                        value += '\t';
                        break;
                    case '"':
                    case '\\':
                    case '$':
                    case '\'':
                        value += e;
                        break;
                    default:  // an unknown escape stays as written
                        value += '\\';
                        value += e;
                        if (e == '\n') ++line_;
                }
                continue;
            }
            value += c;
        }
        skip_blanks();
        if (!at_line_end() && s_[pos_] != '#')
            return error(fmt::format("unexpected text after the closing {} quote",
                                     quote == '"' ? "double" : "single"));
        skip_to_line_end();
        next_line();
        return value;
    }

    const std::string& s_;
    const std::string& name_;
    size_t pos_ = 0;
    int line_ = 1;
};

}  // namespace

base::Result<std::map<std::string, std::string>> parse_dotenv(const std::string& text,
                                                              const std::string& name) {
    return DotenvReader(text, name).read();
}

}  // namespace iotctl::broker
