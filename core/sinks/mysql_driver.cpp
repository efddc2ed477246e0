#include "core/sinks/mysql_driver.h"

#include <map>

#include <fmt/format.h>
#include <mysql.h>
#include <mysqld_error.h>

#include "core/sinks/url_parts.h"
#include "core/sinks/write_outcome.h"

namespace iotctl::sinks {
namespace {

constexpr size_t k_max_cached_statements = 32;

// True for errors that say nothing about the data: connection, locks, permissions, disk, or a
// table changed under us. The rest (bad value, too long, packet too large...) reject.
bool transient_error(unsigned code) {
    if (code >= 2000 && code <= 2999) return true;  // client side: connection lost, refused...
    switch (code) {
        case ER_CON_COUNT_ERROR:
        case ER_SERVER_SHUTDOWN:
        case ER_LOCK_WAIT_TIMEOUT:
        case ER_LOCK_DEADLOCK:
        case ER_ACCESS_DENIED_ERROR:
        case ER_DBACCESS_DENIED_ERROR:
        case ER_BAD_DB_ERROR:
        case ER_TABLEACCESS_DENIED_ERROR:
        case ER_NO_SUCH_TABLE:
        case ER_BAD_FIELD_ERROR:
        case ER_DISK_FULL:
        case ER_RECORD_FILE_FULL:
        case ER_GET_ERRNO:
        case ER_CONNECTION_KILLED:
        case ER_QUERY_INTERRUPTED:
        case ER_OPTION_PREVENTS_STATEMENT:
        case ER_ABORTING_CONNECTION:
        case ER_NET_READ_ERROR:
        case ER_NET_WRITE_INTERRUPTED:
        case ER_NEED_REPREPARE:
        case 4031 /* idle client timed out */:
            return true;
        default:
            return false;
    }
}

// True for errors that say the account may not log in or use the database: retrying cannot help.
bool refused_error(unsigned code) {
    return code == ER_ACCESS_DENIED_ERROR || code == ER_DBACCESS_DENIED_ERROR ||
           code == 1698 /* ER_ACCESS_DENIED_NO_PASSWORD_ERROR */;
}

// Storage for one bound parameter's value.
struct ParamSlot {
    long long integer = 0;
    double real = 0;
    unsigned long length = 0;
};

class MysqlDriver : public SqlDriver {
  public:
    explicit MysqlDriver(MysqlTarget target) : target_(std::move(target)) {}
    ~MysqlDriver() override { close(); }

    SqlDialect dialect() const override { return SqlDialect::mysql; }
    std::string target() const override {
        if (!target_.socket.empty())
            return fmt::format("MySQL at {}/{}", target_.socket, target_.db);
        return fmt::format("MySQL at {}:{}/{}", target_.host, target_.port, target_.db);
    }
    size_t max_parameters() const override { return 65535; }

    WriteOutcome open() override {
        if (conn_ != nullptr && mysql_ping(conn_) == 0) return {};
        close();
        conn_ = mysql_init(nullptr);
        if (conn_ == nullptr)
            return failed_outcome(WriteOutcome::retry, target() + ": out of memory");
        const unsigned timeout = static_cast<unsigned>(target_.timeout_s);
        const unsigned protocol =
            target_.socket.empty() ? MYSQL_PROTOCOL_TCP : MYSQL_PROTOCOL_SOCKET;
        mysql_optionsv(conn_, MYSQL_OPT_CONNECT_TIMEOUT, &timeout);
        mysql_optionsv(conn_, MYSQL_OPT_READ_TIMEOUT, &timeout);
        mysql_optionsv(conn_, MYSQL_OPT_WRITE_TIMEOUT, &timeout);
        mysql_optionsv(conn_, MYSQL_OPT_PROTOCOL, &protocol);
        mysql_optionsv(conn_, MYSQL_SET_CHARSET_NAME, "utf8mb4");
        const char* socket = target_.socket.empty() ? nullptr : target_.socket.c_str();
        if (mysql_real_connect(conn_, target_.host.c_str(), target_.user.c_str(),
                               target_.password.c_str(), nullptr, target_.port, socket,
                               0) == nullptr)
            return failure(mysql_errno(conn_), mysql_error(conn_));
        // Select the database, creating it first if it is missing and the account may.
        if (mysql_select_db(conn_, target_.db.c_str()) != 0) {
            // MariaDB answers 1044 for a database the account may not see, missing or not.
            if (mysql_errno(conn_) == ER_DBACCESS_DENIED_ERROR)
                return failure(ER_DBACCESS_DENIED_ERROR,
                               fmt::format("database '{}' does not exist or this account may not "
                                           "use it: {}",
                                           target_.db, mysql_error(conn_)),
                               true);
            if (mysql_errno(conn_) != ER_BAD_DB_ERROR)
                return failure(mysql_errno(conn_), mysql_error(conn_));
            const std::string create =
                "CREATE DATABASE IF NOT EXISTS " + quote_identifier(dialect(), target_.db);
            if (mysql_real_query(conn_, create.c_str(), create.size()) != 0) {
                // Say both: the database is missing (1049) and creating it was refused (1044).
                unsigned code = mysql_errno(conn_);
                std::string why = mysql_error(conn_);
                return failure(code,
                               fmt::format("database '{}' does not exist ({}) and creating "
                                           "it failed: {}",
                                           target_.db, ER_BAD_DB_ERROR, why),
                               true);
            }
            if (MYSQL_RES* result = mysql_store_result(conn_)) mysql_free_result(result);
            if (mysql_select_db(conn_, target_.db.c_str()) != 0)
                return failure(mysql_errno(conn_), mysql_error(conn_));
        }
        return {};
    }

    base::Status check_access() override {
        WriteOutcome o = open();
        if (o.kind == WriteOutcome::ok || !refused_error(last_error_)) return {};
        if (missing_db_) return base::runtime_error(o.message);
        return base::runtime_error(o.message + ": the server refuses this account");
    }

    WriteOutcome describe(const std::string& table, TableSchema& out) override {
        if (mysql_real_query(conn_, describe_sql(dialect(), table).c_str(), ULONG_MAX) != 0) {
            if (mysql_errno(conn_) == ER_NO_SUCH_TABLE) {
                out.exists = false;
                return {};
            }
            return failure(mysql_errno(conn_), mysql_error(conn_));
        }
        MYSQL_RES* result = mysql_store_result(conn_);
        if (result == nullptr) return failure(mysql_errno(conn_), mysql_error(conn_));
        out.exists = true;
        out.columns.clear();
        while (MYSQL_ROW row = mysql_fetch_row(result)) {
            const std::string name = row[0] != nullptr ? row[0] : "";
            if (lower_name(name) == k_datetime_column) out.has_time = true;
            if (is_reserved_column(name)) continue;
            out.columns.push_back({name, column_type_from_sql(row[1] != nullptr ? row[1] : "")});
        }
        mysql_free_result(result);
        return {};
    }

    WriteOutcome execute(const std::string& sql) override {
        if (conn_ == nullptr)
            return failed_outcome(WriteOutcome::retry, target() + ": not connected");
        if (mysql_real_query(conn_, sql.c_str(), sql.size()) != 0)
            return failure(mysql_errno(conn_), mysql_error(conn_));
        if (MYSQL_RES* result = mysql_store_result(conn_)) mysql_free_result(result);
        return {};
    }

    WriteOutcome execute(const std::string& sql, const std::vector<SqlValue>& params) override {
        if (conn_ == nullptr)
            return failed_outcome(WriteOutcome::retry, target() + ": not connected");
        MYSQL_STMT* statement = prepared(sql);
        if (statement == nullptr) return failure(mysql_errno(conn_), mysql_error(conn_));
        binds_.assign(params.size(), MYSQL_BIND{});
        slots_.assign(params.size(), ParamSlot{});
        for (size_t i = 0; i < params.size(); ++i) bind(i, params[i]);
        if (mysql_stmt_bind_param(statement, binds_.data()) != 0 ||
            mysql_stmt_execute(statement) != 0)
            return failure(mysql_stmt_errno(statement), mysql_stmt_error(statement));
        return {};
    }

  private:
    MYSQL_STMT* prepared(const std::string& sql) {
        if (auto it = statements_.find(sql); it != statements_.end()) return it->second;
        if (statements_.size() >= k_max_cached_statements) close_statements();
        MYSQL_STMT* statement = mysql_stmt_init(conn_);
        if (statement == nullptr) return nullptr;
        if (mysql_stmt_prepare(statement, sql.c_str(), sql.size()) != 0) {
            // Keep the error readable through mysql_errno/mysql_error on the connection.
            mysql_stmt_close(statement);
            return nullptr;
        }
        statements_.emplace(sql, statement);
        return statement;
    }

    void bind(size_t i, const SqlValue& value) {
        MYSQL_BIND& b = binds_[i];
        ParamSlot& slot = slots_[i];
        switch (value.index()) {
            case 0:
                b.buffer_type = MYSQL_TYPE_NULL;
                break;
            case 1:
            case 3:
                slot.integer =
                    value.index() == 1 ? std::get<int64_t>(value) : std::get<bool>(value);
                b.buffer_type = MYSQL_TYPE_LONGLONG;
                b.buffer = &slot.integer;
                break;
            case 2:
                slot.real = std::get<double>(value);
                b.buffer_type = MYSQL_TYPE_DOUBLE;
                b.buffer = &slot.real;
                break;
            default: {
                const std::string* text = std::get<const std::string*>(value);
                slot.length = text->size();
                b.buffer_type = MYSQL_TYPE_STRING;
                b.buffer = const_cast<char*>(text->data());
                b.buffer_length = slot.length;
                b.length = &slot.length;
            }
        }
    }

    // `message` is copied first: it may be the connection's own error text, freed by close().
    // `missing_db`: the failure is the missing database's, not the account's (check_access).
    WriteOutcome failure(unsigned code, std::string message, bool missing_db = false) {
        last_error_ = code;
        missing_db_ = missing_db;
        const bool transient = transient_error(code);
        if (transient) close();  // reconnect on the next batch
        return failed_outcome(transient ? WriteOutcome::retry : WriteOutcome::reject,
                              fmt::format("{}: {} ({})", target(), shorten_reason(message), code));
    }

    void close_statements() {
        for (auto& [sql, statement] : statements_) mysql_stmt_close(statement);
        statements_.clear();
    }

    void close() {
        close_statements();
        if (conn_ != nullptr) mysql_close(conn_);
        conn_ = nullptr;
    }

    MysqlTarget target_;
    MYSQL* conn_ = nullptr;
    unsigned last_error_ = 0;  // the server's error number of the last failure
    bool missing_db_ = false;  // the last failure: the database is missing and was not created
    std::map<std::string, MYSQL_STMT*> statements_;
    std::vector<MYSQL_BIND> binds_;
    std::vector<ParamSlot> slots_;
};

}  // namespace

base::Result<MysqlTarget> parse_mysql_url(const std::string& url) {
    auto parts = parse_url(url);
    if (!parts) return base::Error{parts.error().code, "--mysql: " + parts.error().message};
    if (parts->scheme != "mysql" && parts->scheme != "mariadb")
        return base::usage_error(
            fmt::format("--mysql: URL scheme must be mysql://, not '{}://'", parts->scheme));
    MysqlTarget target;
    target.user = parts->user;
    target.password = parts->password;
    target.host = parts->host;
    if (parts->port != 0) target.port = static_cast<unsigned>(parts->port);
    target.db = parts->path.size() > 1 ? parts->path.substr(1) : "";
    if (!valid_identifier(target.db))
        return base::usage_error(
            "--mysql: the URL must end in /DATABASE, a name of [A-Za-z0-9_] (1-64)");
    if (target.user.empty())
        return base::usage_error("--mysql: the URL names no user (mysql://user:pass@host/db)");
    if (parts->query.rfind("socket=", 0) == 0)
        target.socket = parts->query.substr(7);
    else if (!parts->query.empty())
        return base::usage_error("--mysql: the only URL parameter understood is ?socket=PATH");
    return target;
}

std::unique_ptr<SqlDriver> make_mysql_driver(MysqlTarget target) {
    return std::make_unique<MysqlDriver>(std::move(target));
}

}  // namespace iotctl::sinks
