// The SQL layout logic shared by the MySQL and SQLite sinks (core/sql_schema.h,
// core/sql_statements.h): names, types, column evolution, statements. Pure, no database.
#include <doctest/doctest.h>

#include <cmath>

#include "core/sql_schema.h"
#include "core/sql_statements.h"

using namespace iotctl;

TEST_SUITE_BEGIN("sql_schema");

namespace {

Record hexaboard(std::string board, double temperature, int64_t ts = 1) {
    return Record{"hexaboard", {{"board", std::move(board)}}, {{"temperature", temperature}}, ts};
}

// The rejection reason for batch index `i`, or "" when it was not rejected.
std::string reason_for(const BatchPlan& plan, size_t i) {
    for (const auto& [index, why] : plan.rejected)
        if (index == i) return why;
    return "";
}

}  // namespace

TEST_CASE("identifiers: [A-Za-z0-9_]{1,64} only") {
    CHECK(valid_identifier("hexaboard"));
    CHECK(valid_identifier("gateway_climate"));
    CHECK(valid_identifier("Temperature"));
    CHECK(valid_identifier(std::string(64, 'a')));
    CHECK_FALSE(valid_identifier(std::string(65, 'a')));
    CHECK_FALSE(valid_identifier(""));
    CHECK_FALSE(valid_identifier("temp erature"));
    CHECK_FALSE(valid_identifier("`; DROP TABLE hexaboard; --"));
    CHECK_FALSE(valid_identifier("a-b"));
    CHECK_FALSE(valid_identifier("é"));
    CHECK(lower_name("Gateway_X1") == "gateway_x1");
}

TEST_CASE("column types: created from the first value, widened only without loss") {
    CHECK(column_type_for(FieldValue{1.5}) == ColumnType::real);
    CHECK(column_type_for(FieldValue{int64_t{1}}) == ColumnType::integer);
    CHECK(column_type_for(FieldValue{true}) == ColumnType::boolean);
    CHECK(column_type_for(FieldValue{std::string("x")}) == ColumnType::text);
    CHECK(column_accepts(ColumnType::real, FieldValue{int64_t{3}}));
    CHECK(column_accepts(ColumnType::real, FieldValue{true}));
    CHECK(column_accepts(ColumnType::integer, FieldValue{false}));
    CHECK_FALSE(column_accepts(ColumnType::integer, FieldValue{2.5}));
    CHECK_FALSE(column_accepts(ColumnType::real, FieldValue{std::string("25")}));
    CHECK_FALSE(column_accepts(ColumnType::text, FieldValue{1.0}));
    CHECK_FALSE(column_accepts(ColumnType::tag, FieldValue{std::string("x")}));
    CHECK_FALSE(column_accepts(ColumnType::other, FieldValue{1.0}));
}

TEST_CASE("declared SQL types read back as the sinks wrote them (MySQL and SQLite spellings)") {
    CHECK(column_type_from_sql("varchar(255)") == ColumnType::tag);
    CHECK(column_type_from_sql("VARCHAR(255)") == ColumnType::tag);
    CHECK(column_type_from_sql("double") == ColumnType::real);
    CHECK(column_type_from_sql("DOUBLE") == ColumnType::real);
    CHECK(column_type_from_sql("bigint(20)") == ColumnType::integer);
    CHECK(column_type_from_sql("BIGINT") == ColumnType::integer);
    CHECK(column_type_from_sql("tinyint(1)") == ColumnType::boolean);
    CHECK(column_type_from_sql("BOOLEAN") == ColumnType::boolean);
    CHECK(column_type_from_sql("text") == ColumnType::text);
    CHECK(column_type_from_sql("datetime(6)") == ColumnType::other);
}

TEST_CASE("series hash: stable, order- and case-independent, empty tags ignored") {
    Record a{"m", {{"gateway", "gw1"}, {"device", "0x6E5B"}}, {{"v", 1.0}}, 1};
    Record b{"m", {{"Device", "0x6E5B"}, {"gateway", "gw1"}, {"name", ""}}, {{"w", 2.0}}, 2};
    Record c{"m", {{"gateway", "gw1"}, {"device", "0x6E5C"}}, {{"v", 1.0}}, 1};
    Record split{"m", {{"ab", "c"}}, {{"v", 1.0}}, 1};
    Record joined{"m", {{"a", "bc"}}, {{"v", 1.0}}, 1};
    CHECK(series_hash(a) == series_hash(b));
    CHECK(series_hash(a) != series_hash(c));
    CHECK(series_hash(split) != series_hash(joined));
    // FNV-1a of nothing: fixed forever, since rows already stored depend on it.
    CHECK(series_hash(Record{"m", {}, {{"v", 1.0}}, 1}) ==
          static_cast<int64_t>(14695981039346656037ull));
}

TEST_CASE("a new table: every tag and field becomes a column, in order of first sight") {
    std::vector<Record> batch{
        hexaboard("A", 25), Record{"hexaboard", {{"board", "B"}}, {{"humidity", int64_t{58}}}, 2}};
    SchemaCache known{{"hexaboard", TableSchema{"hexaboard", false, {}}}};
    BatchPlan plan = plan_batch(batch, known);
    REQUIRE(plan.tables.size() == 1);
    CHECK(plan.rejected.empty());
    const TablePlan& t = plan.tables[0];
    CHECK(t.create);
    REQUIRE(t.new_columns.size() == 3);
    CHECK(t.new_columns[0].name == "board");
    CHECK(t.new_columns[0].type == ColumnType::tag);
    CHECK(t.new_columns[1].name == "temperature");
    CHECK(t.new_columns[1].type == ColumnType::real);
    CHECK(t.new_columns[2].name == "humidity");
    CHECK(t.new_columns[2].type == ColumnType::integer);
    CHECK(t.rows == std::vector<size_t>{0, 1});
    CHECK(t.insert_columns.size() == 3);
}

TEST_CASE("an existing table: only unseen columns are added; names match case-insensitively") {
    SchemaCache known{{"hexaboard", TableSchema{"hexaboard",
                                                true,
                                                {{"board", ColumnType::tag},
                                                 {"temperature", ColumnType::real},
                                                 {"note", ColumnType::text}}}}};
    std::vector<Record> batch{Record{
        "HexaBoard", {{"Board", "A"}}, {{"Temperature", int64_t{25}}, {"light", int64_t{800}}}, 1}};
    BatchPlan plan = plan_batch(batch, known);
    REQUIRE(plan.tables.size() == 1);
    CHECK_FALSE(plan.tables[0].create);
    CHECK(plan.tables[0].table == "hexaboard");
    REQUIRE(plan.tables[0].new_columns.size() == 1);
    CHECK(plan.tables[0].new_columns[0].name == "light");
    // note is not used by the batch, so the insert leaves it alone
    REQUIRE(plan.tables[0].insert_columns.size() == 3);
    CHECK(plan.tables[0].insert_columns[0].name == "board");
    CHECK(plan.tables[0].insert_columns[2].name == "light");
}

TEST_CASE("bad records are rejected with a reason; the rest of the batch goes on") {
    SchemaCache known{
        {"hexaboard",
         TableSchema{
             "hexaboard", true, {{"board", ColumnType::tag}, {"temperature", ColumnType::real}}}},
        {"m", TableSchema{"m", false, {}}}};
    std::vector<Record> batch{
        hexaboard("A", 25),  // 0 ok
        Record{
            "hexaboard", {{"board", "A"}}, {{"`; DROP TABLE hexaboard; --", int64_t{1}}}, 1},  // 1
        Record{"hex board", {}, {{"v", 1.0}}, 1},                                              // 2
        Record{"hexaboard", {{"board", "A"}}, {{"temperature", std::string("hot")}}, 1},       // 3
        Record{"hexaboard", {{"board", std::string(256, 'x')}}, {{"temperature", 1.0}}, 1},    // 4
        Record{"hexaboard", {{"board", "A"}}, {{"temperature", std::nan("")}}, 1},             // 5
        Record{"hexaboard", {{"ts_ns", "x"}}, {{"temperature", 1.0}}, 1},                      // 6
        Record{"hexaboard", {}, {{"board", 1.0}}, 1},                                          // 7
        Record{"hexaboard", {{"board", "\xff"}}, {{"temperature", 1.0}}, 1},                   // 8
        Record{"m", {{"k", "v"}}, {{"k", 1.0}}, 1},                                            // 9
        Record{"hexaboard",
               {{"board", "'; DROP TABLE hexaboard; --"}},
               {{"temperature", 2.0}},
               3},  // 10 ok
        Record{
            "hexaboard", {{"board", std::string(255, 'y')}}, {{"temperature", 1.0}}, 1},  // 11 ok
    };
    BatchPlan plan = plan_batch(batch, known);
    CHECK(plan.rejected.size() == 9);
    CHECK(reason_for(plan, 1).find("not a usable column name") != std::string::npos);
    CHECK(reason_for(plan, 2).find("not a usable table name") != std::string::npos);
    CHECK(reason_for(plan, 3).find("DOUBLE") != std::string::npos);
    CHECK(reason_for(plan, 4).find("longer than 255") != std::string::npos);
    CHECK(reason_for(plan, 5).find("no field") != std::string::npos);
    CHECK(reason_for(plan, 6).find("not a usable column name") != std::string::npos);
    CHECK(reason_for(plan, 7).find("a tag") != std::string::npos);
    CHECK(reason_for(plan, 8).find("UTF-8") != std::string::npos);
    CHECK(reason_for(plan, 9).find("a tag") != std::string::npos);
    REQUIRE(plan.tables.size() == 1);  // m had no good row: no table planned for it
    CHECK(plan.tables[0].rows == std::vector<size_t>{0, 10, 11});
    CHECK(plan.tables[0].new_columns.empty());
}

TEST_CASE("the first value of a new field decides its type for the rest of the batch") {
    std::vector<Record> batch{Record{"m", {}, {{"v", int64_t{1}}}, 1},
                              Record{"m", {}, {{"v", 2.5}}, 2}, Record{"m", {}, {{"v", true}}, 3}};
    BatchPlan plan = plan_batch(batch, SchemaCache{{"m", TableSchema{"m", false, {}}}});
    REQUIRE(plan.rejected.size() == 1);
    CHECK(plan.rejected[0].first == 1);
    CHECK(plan.tables[0].rows == std::vector<size_t>{0, 2});
}

TEST_CASE("record values by column name") {
    Record r{"m", {{"Board", "A"}}, {{"Temp", 1.5}}, 1};
    CHECK(tag_for(r, "board") == "A");
    CHECK(tag_for(r, "gateway").empty());
    REQUIRE(field_for(r, "temp") != nullptr);
    CHECK(std::get<double>(*field_for(r, "temp")) == 1.5);
    CHECK(field_for(r, "other") == nullptr);
}

TEST_CASE("statements: quoted names, typed columns, unique (ts_ns, series_hash), upsert") {
    std::vector<Column> cols{
        {"board", ColumnType::tag}, {"temperature", ColumnType::real}, {"ok", ColumnType::boolean}};
    auto mysql = create_table_sql(SqlDialect::mysql, "hexaboard", cols);
    REQUIRE(mysql.size() == 1);
    CHECK(mysql[0] ==
          "CREATE TABLE IF NOT EXISTS `hexaboard` (`ts_ns` BIGINT NOT NULL, `series_hash` BIGINT "
          "NOT NULL, `board` VARCHAR(255) NOT NULL DEFAULT '', `temperature` DOUBLE NULL, `ok` "
          "BOOLEAN NULL, UNIQUE (`ts_ns`, `series_hash`), KEY (`board`)) ENGINE=InnoDB DEFAULT "
          "CHARSET=utf8mb4");
    auto sqlite = create_table_sql(SqlDialect::sqlite, "hexaboard", cols);
    REQUIRE(sqlite.size() == 2);
    CHECK(sqlite[1] ==
          "CREATE INDEX IF NOT EXISTS \"hexaboard.board\" ON \"hexaboard\" (\"board\")");

    CHECK(add_column_sql(SqlDialect::mysql, "t", {"gw", ColumnType::tag}) ==
          std::vector<std::string>{"ALTER TABLE `t` ADD COLUMN `gw` VARCHAR(255) NOT NULL DEFAULT "
                                   "'', ADD KEY (`gw`)"});
    CHECK(add_column_sql(SqlDialect::sqlite, "t", {"n", ColumnType::integer}) ==
          std::vector<std::string>{"ALTER TABLE \"t\" ADD COLUMN \"n\" BIGINT NULL"});

    CHECK(
        insert_sql(SqlDialect::mysql, "t", {{"board", ColumnType::tag}, {"v", ColumnType::real}},
                   2) ==
        "INSERT INTO `t` (`ts_ns`, `series_hash`, `board`, `v`) VALUES (?, ?, ?, ?), (?, ?, ?, ?) "
        "ON DUPLICATE KEY UPDATE `v` = COALESCE(VALUES(`v`), `v`)");
    CHECK(insert_sql(SqlDialect::sqlite, "t", {{"v", ColumnType::real}}, 1) ==
          "INSERT INTO \"t\" (\"ts_ns\", \"series_hash\", \"v\") VALUES (?, ?, ?) ON CONFLICT "
          "(\"ts_ns\", \"series_hash\") DO UPDATE SET \"v\" = COALESCE(excluded.\"v\", \"v\")");
    CHECK(describe_sql(SqlDialect::mysql, "t") == "SHOW COLUMNS FROM `t`");
    CHECK(describe_sql(SqlDialect::sqlite, "t") == "PRAGMA table_info(\"t\")");
}

TEST_SUITE_END();
