// The SQL layout logic shared by the MySQL and SQLite sinks (core/sinks/sql_schema.h,
// core/sinks/sql_statements.h): names, types, column evolution, statements. Pure, no database.
#include <doctest/doctest.h>

#include <cmath>

#include "core/sinks/sql_schema.h"
#include "core/sinks/sql_statements.h"

using namespace iotctl;

TEST_SUITE_BEGIN("sql_schema");

namespace {

base::Record hexaboard(std::string board, double temperature, int64_t ts = 1) {
    return base::Record{
        "hexaboard", {{"board", std::move(board)}}, {{"temperature", temperature}}, ts};
}

// The rejection reason for batch index `i`, or "" when it was not rejected.
std::string reason_for(const sinks::BatchPlan& plan, size_t i) {
    for (const auto& [index, why] : plan.rejected)
        if (index == i) return why;
    return "";
}

}  // namespace

TEST_CASE("identifiers: [A-Za-z0-9_]{1,64} only") {
    CHECK(sinks::valid_identifier("hexaboard"));
    CHECK(sinks::valid_identifier("gateway_climate"));
    CHECK(sinks::valid_identifier("Temperature"));
    CHECK(sinks::valid_identifier(std::string(64, 'a')));
    CHECK_FALSE(sinks::valid_identifier(std::string(65, 'a')));
    CHECK_FALSE(sinks::valid_identifier(""));
    CHECK_FALSE(sinks::valid_identifier("temp erature"));
    CHECK_FALSE(sinks::valid_identifier("`; DROP TABLE hexaboard; --"));
    CHECK_FALSE(sinks::valid_identifier("a-b"));
    CHECK_FALSE(sinks::valid_identifier("é"));
    CHECK(sinks::lower_name("Gateway_X1") == "gateway_x1");
}

TEST_CASE("column types: created from the first value, widened only without loss") {
    CHECK(sinks::column_type_for(base::FieldValue{1.5}) == sinks::ColumnType::real);
    CHECK(sinks::column_type_for(base::FieldValue{int64_t{1}}) == sinks::ColumnType::integer);
    CHECK(sinks::column_type_for(base::FieldValue{true}) == sinks::ColumnType::boolean);
    CHECK(sinks::column_type_for(base::FieldValue{std::string("x")}) == sinks::ColumnType::text);
    CHECK(sinks::column_accepts(sinks::ColumnType::real, base::FieldValue{int64_t{3}}));
    CHECK(sinks::column_accepts(sinks::ColumnType::real, base::FieldValue{true}));
    CHECK(sinks::column_accepts(sinks::ColumnType::integer, base::FieldValue{false}));
    CHECK_FALSE(sinks::column_accepts(sinks::ColumnType::integer, base::FieldValue{2.5}));
    CHECK_FALSE(
        sinks::column_accepts(sinks::ColumnType::real, base::FieldValue{std::string("25")}));
    CHECK_FALSE(sinks::column_accepts(sinks::ColumnType::text, base::FieldValue{1.0}));
    CHECK_FALSE(sinks::column_accepts(sinks::ColumnType::tag, base::FieldValue{std::string("x")}));
    CHECK_FALSE(sinks::column_accepts(sinks::ColumnType::other, base::FieldValue{1.0}));
}

TEST_CASE("declared SQL types read back as the sinks wrote them (MySQL and SQLite spellings)") {
    CHECK(sinks::column_type_from_sql("varchar(255)") == sinks::ColumnType::tag);
    CHECK(sinks::column_type_from_sql("VARCHAR(255)") == sinks::ColumnType::tag);
    CHECK(sinks::column_type_from_sql("double") == sinks::ColumnType::real);
    CHECK(sinks::column_type_from_sql("DOUBLE") == sinks::ColumnType::real);
    CHECK(sinks::column_type_from_sql("bigint(20)") == sinks::ColumnType::integer);
    CHECK(sinks::column_type_from_sql("BIGINT") == sinks::ColumnType::integer);
    CHECK(sinks::column_type_from_sql("tinyint(1)") == sinks::ColumnType::boolean);
    CHECK(sinks::column_type_from_sql("BOOLEAN") == sinks::ColumnType::boolean);
    CHECK(sinks::column_type_from_sql("text") == sinks::ColumnType::text);
    CHECK(sinks::column_type_from_sql("datetime(6)") == sinks::ColumnType::other);
}

TEST_CASE("series hash: stable, order- and case-independent, empty tags ignored") {
    base::Record a{"m", {{"gateway", "gw1"}, {"device", "0x6E5B"}}, {{"v", 1.0}}, 1};
    base::Record b{"m", {{"Device", "0x6E5B"}, {"gateway", "gw1"}, {"name", ""}}, {{"w", 2.0}}, 2};
    base::Record c{"m", {{"gateway", "gw1"}, {"device", "0x6E5C"}}, {{"v", 1.0}}, 1};
    base::Record split{"m", {{"ab", "c"}}, {{"v", 1.0}}, 1};
    base::Record joined{"m", {{"a", "bc"}}, {{"v", 1.0}}, 1};
    CHECK(sinks::series_hash(a) == sinks::series_hash(b));
    CHECK(sinks::series_hash(a) != sinks::series_hash(c));
    CHECK(sinks::series_hash(split) != sinks::series_hash(joined));
    // FNV-1a of nothing: fixed forever, since rows already stored depend on it.
    CHECK(sinks::series_hash(base::Record{"m", {}, {{"v", 1.0}}, 1}) ==
          static_cast<int64_t>(14695981039346656037ull));
}

TEST_CASE("a new table: every tag and field becomes a column, in order of first sight") {
    std::vector<base::Record> batch{
        hexaboard("A", 25),
        base::Record{"hexaboard", {{"board", "B"}}, {{"humidity", int64_t{58}}}, 2}};
    sinks::SchemaCache known{{"hexaboard", sinks::TableSchema{"hexaboard", false, {}}}};
    sinks::BatchPlan plan = sinks::plan_batch(batch, known);
    REQUIRE(plan.tables.size() == 1);
    CHECK(plan.rejected.empty());
    const sinks::TablePlan& t = plan.tables[0];
    CHECK(t.create);
    REQUIRE(t.new_columns.size() == 3);
    CHECK(t.new_columns[0].name == "board");
    CHECK(t.new_columns[0].type == sinks::ColumnType::tag);
    CHECK(t.new_columns[1].name == "temperature");
    CHECK(t.new_columns[1].type == sinks::ColumnType::real);
    CHECK(t.new_columns[2].name == "humidity");
    CHECK(t.new_columns[2].type == sinks::ColumnType::integer);
    CHECK(t.rows == std::vector<size_t>{0, 1});
    CHECK(t.insert_columns.size() == 3);
}

TEST_CASE("an existing table: only unseen columns are added; names match case-insensitively") {
    sinks::SchemaCache known{
        {"hexaboard", sinks::TableSchema{"hexaboard",
                                         true,
                                         {{"board", sinks::ColumnType::tag},
                                          {"temperature", sinks::ColumnType::real},
                                          {"note", sinks::ColumnType::text}}}}};
    std::vector<base::Record> batch{base::Record{
        "HexaBoard", {{"Board", "A"}}, {{"Temperature", int64_t{25}}, {"light", int64_t{800}}}, 1}};
    sinks::BatchPlan plan = sinks::plan_batch(batch, known);
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
    sinks::SchemaCache known{
        {"hexaboard", sinks::TableSchema{"hexaboard",
                                         true,
                                         {{"board", sinks::ColumnType::tag},
                                          {"temperature", sinks::ColumnType::real}}}},
        {"m", sinks::TableSchema{"m", false, {}}}};
    std::vector<base::Record> batch{
        hexaboard("A", 25),  // 0 ok
        base::Record{
            "hexaboard", {{"board", "A"}}, {{"`; DROP TABLE hexaboard; --", int64_t{1}}}, 1},   // 1
        base::Record{"hex board", {}, {{"v", 1.0}}, 1},                                         // 2
        base::Record{"hexaboard", {{"board", "A"}}, {{"temperature", std::string("hot")}}, 1},  // 3
        base::Record{
            "hexaboard", {{"board", std::string(256, 'x')}}, {{"temperature", 1.0}}, 1},  // 4
        base::Record{"hexaboard", {{"board", "A"}}, {{"temperature", std::nan("")}}, 1},  // 5
        base::Record{"hexaboard", {{"ts_ns", "x"}}, {{"temperature", 1.0}}, 1},           // 6
        base::Record{"hexaboard", {}, {{"board", 1.0}}, 1},                               // 7
        base::Record{"hexaboard", {{"board", "\xff"}}, {{"temperature", 1.0}}, 1},        // 8
        base::Record{"m", {{"k", "v"}}, {{"k", 1.0}}, 1},                                 // 9
        base::Record{"hexaboard",
                     {{"board", "'; DROP TABLE hexaboard; --"}},
                     {{"temperature", 2.0}},
                     3},  // 10 ok
        base::Record{
            "hexaboard", {{"board", std::string(255, 'y')}}, {{"temperature", 1.0}}, 1},  // 11 ok
    };
    sinks::BatchPlan plan = sinks::plan_batch(batch, known);
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
    std::vector<base::Record> batch{base::Record{"m", {}, {{"v", int64_t{1}}}, 1},
                                    base::Record{"m", {}, {{"v", 2.5}}, 2},
                                    base::Record{"m", {}, {{"v", true}}, 3}};
    sinks::BatchPlan plan =
        sinks::plan_batch(batch, sinks::SchemaCache{{"m", sinks::TableSchema{"m", false, {}}}});
    REQUIRE(plan.rejected.size() == 1);
    CHECK(plan.rejected[0].first == 1);
    CHECK(plan.tables[0].rows == std::vector<size_t>{0, 2});
}

TEST_CASE("record values by column name") {
    base::Record r{"m", {{"Board", "A"}}, {{"Temp", 1.5}}, 1};
    CHECK(sinks::tag_for(r, "board") == "A");
    CHECK(sinks::tag_for(r, "gateway").empty());
    REQUIRE(sinks::field_for(r, "temp") != nullptr);
    CHECK(std::get<double>(*sinks::field_for(r, "temp")) == 1.5);
    CHECK(sinks::field_for(r, "other") == nullptr);
}

TEST_CASE("statements: quoted names, typed columns, unique (ts_ns, series_hash), upsert") {
    std::vector<sinks::Column> cols{{"board", sinks::ColumnType::tag},
                                    {"temperature", sinks::ColumnType::real},
                                    {"ok", sinks::ColumnType::boolean}};
    auto mysql = sinks::create_table_sql(sinks::SqlDialect::mysql, "hexaboard", cols);
    REQUIRE(mysql.size() == 1);
    CHECK(mysql[0] ==
          "CREATE TABLE IF NOT EXISTS `hexaboard` (`ts_ns` BIGINT NOT NULL, `time` DATETIME(6) "
          "NULL, `series_hash` BIGINT NOT NULL, `board` VARCHAR(255) NOT NULL DEFAULT '', "
          "`temperature` DOUBLE NULL, `ok` BOOLEAN NULL, UNIQUE (`ts_ns`, `series_hash`), KEY "
          "(`time`), KEY (`board`)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4");
    auto sqlite = sinks::create_table_sql(sinks::SqlDialect::sqlite, "hexaboard", cols);
    REQUIRE(sqlite.size() == 3);
    CHECK(sqlite[1] == "CREATE INDEX IF NOT EXISTS \"hexaboard.time\" ON \"hexaboard\" (\"time\")");
    CHECK(sqlite[2] ==
          "CREATE INDEX IF NOT EXISTS \"hexaboard.board\" ON \"hexaboard\" (\"board\")");

    CHECK(sinks::add_column_sql(sinks::SqlDialect::mysql, "t", {"gw", sinks::ColumnType::tag}) ==
          std::vector<std::string>{"ALTER TABLE `t` ADD COLUMN `gw` VARCHAR(255) NOT NULL DEFAULT "
                                   "'', ADD KEY (`gw`)"});
    CHECK(
        sinks::add_column_sql(sinks::SqlDialect::sqlite, "t", {"n", sinks::ColumnType::integer}) ==
        std::vector<std::string>{"ALTER TABLE \"t\" ADD COLUMN \"n\" BIGINT NULL"});

    CHECK(sinks::insert_sql(sinks::SqlDialect::mysql, "t",
                            {{"board", sinks::ColumnType::tag}, {"v", sinks::ColumnType::real}},
                            2) ==
          "INSERT INTO `t` (`ts_ns`, `series_hash`, `time`, `board`, `v`) VALUES (?, ?, ?, ?, ?), "
          "(?, ?, ?, ?, ?) ON DUPLICATE KEY UPDATE `v` = COALESCE(VALUES(`v`), `v`)");
    CHECK(sinks::insert_sql(sinks::SqlDialect::sqlite, "t", {{"v", sinks::ColumnType::real}}, 1) ==
          "INSERT INTO \"t\" (\"ts_ns\", \"series_hash\", \"time\", \"v\") VALUES (?, ?, ?, ?) ON "
          "CONFLICT "
          "(\"ts_ns\", \"series_hash\") DO UPDATE SET \"v\" = COALESCE(excluded.\"v\", \"v\")");
    CHECK(sinks::describe_sql(sinks::SqlDialect::mysql, "t") == "SHOW COLUMNS FROM `t`");
    CHECK(sinks::describe_sql(sinks::SqlDialect::sqlite, "t") == "PRAGMA table_info(\"t\")");
}

TEST_SUITE_END();
