// Error values and exit codes shared by every part of iotctl (docs/exit-codes.md).
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace iotctl::base {

/// Process exit codes promised to scripts in docs/exit-codes.md and iotctl(1).
enum class ExitCode : int {
    ok = 0,
    runtime = 1,
    usage = 2,
    connect = 3,
    refused = 4,
    timed_out = 5,
    interrupted = 130,
};

/// A failure: what went wrong, in one line, and the exit code it maps to.
struct Error {
    ExitCode code = ExitCode::runtime;
    std::string message;
};

/// Makes a usage error (exit 2) with the given message.
inline Error usage_error(std::string message) {
    return Error{ExitCode::usage, std::move(message)};
}

/// Makes a runtime error (exit 1) with the given message.
inline Error runtime_error(std::string message) {
    return Error{ExitCode::runtime, std::move(message)};
}

/// Thrown only to carry an Error up to the single catch in main().
struct Failure : std::exception {
    Error error;
    explicit Failure(Error e) : error(std::move(e)) {}
    const char* what() const noexcept override { return error.message.c_str(); }
};

/// An expected-style result: either a value or an Error.
template <typename T>
class Result {
  public:
    Result(T value) : v_(std::move(value)) {}
    Result(Error error) : v_(std::move(error)) {}
    /// True when the result holds a value.
    bool ok() const { return v_.index() == 0; }
    explicit operator bool() const { return ok(); }
    /// The value; only valid when ok().
    T& value() { return std::get<0>(v_); }
    const T& value() const { return std::get<0>(v_); }
    T& operator*() { return value(); }
    const T& operator*() const { return value(); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }
    /// The error; only valid when !ok().
    const Error& error() const { return std::get<1>(v_); }
    /// The value, or throws Failure carrying the error (for use at the cmd/ boundary).
    T take() {
        if (!ok()) throw Failure(error());
        return std::move(value());
    }

  private:
    std::variant<T, Error> v_;
};

/// A result with no value: success or an Error.
class Status {
  public:
    Status() = default;
    Status(Error error) : error_(std::move(error)), failed_(true) {}
    /// True on success.
    bool ok() const { return !failed_; }
    explicit operator bool() const { return ok(); }
    /// The error; only valid when !ok().
    const Error& error() const { return error_; }
    /// Throws Failure when this is an error (for use at the cmd/ boundary).
    void check() const {
        if (failed_) throw Failure(error_);
    }

  private:
    Error error_;
    bool failed_ = false;
};

}  // namespace iotctl::base
