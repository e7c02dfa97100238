#include "test_support.hpp"

#include <kibitz/store/database.hpp>

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <fstream>
#include <string>

using namespace kibitz::store;
using kibitz::store::testing::open_or_throw;
using kibitz::store::testing::temp_dir;

namespace {

// Runs `sql` on the file with a plain SQLite connection (outside the store).
void raw_exec(std::filesystem::path const& file, std::string const& sql) {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(file.c_str(), &db), SQLITE_OK);
    char* error = nullptr;
    int const rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error);
    EXPECT_EQ(rc, SQLITE_OK) << (error != nullptr ? error : "");
    sqlite3_free(error);
    sqlite3_close(db);
}

// The one-value answer of `sql` on the file, as text.
std::string raw_value(std::filesystem::path const& file, std::string const& sql) {
    sqlite3* db = nullptr;
    std::string out;
    if (sqlite3_open(file.c_str(), &db) == SQLITE_OK) {
        sqlite3_stmt* s = nullptr;
        if (sqlite3_prepare_v2(db, sql.c_str(), -1, &s, nullptr) == SQLITE_OK &&
            sqlite3_step(s) == SQLITE_ROW) {
            out = reinterpret_cast<char const*>(sqlite3_column_text(s, 0));
        }
        sqlite3_finalize(s);
    }
    sqlite3_close(db);
    return out;
}

// The version 1 schema as an older build left it (a copy of migration 1).
constexpr char const* version_1_schema = R"sql(
CREATE TABLE messages (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    room TEXT NOT NULL,
    from_name TEXT NOT NULL,
    from_key TEXT NOT NULL,
    to_name TEXT,
    to_key TEXT,
    text TEXT NOT NULL,
    ts INTEGER NOT NULL,
    client_id TEXT,
    CHECK ((to_name IS NULL) = (to_key IS NULL))
);
CREATE UNIQUE INDEX messages_client_id ON messages (from_key, client_id)
    WHERE client_id IS NOT NULL;
CREATE INDEX messages_public ON messages (room, id) WHERE to_key IS NULL;
CREATE INDEX messages_private_from ON messages (room, from_key, id) WHERE to_key IS NOT NULL;
CREATE INDEX messages_private_to ON messages (room, to_key, id) WHERE to_key IS NOT NULL;
INSERT INTO messages (room, from_name, from_key, text, ts, client_id)
    VALUES ('lobby', 'Ann', 'ann', 'from an old build', 42, 'c1');
PRAGMA user_version = 1;
)sql";

} // namespace

TEST(database, open_creates_missing_directories_and_the_file_at_the_latest_schema) {
    temp_dir tmp;
    auto const dir = tmp.path() / "nested" / "var";
    auto db = open_or_throw(dir);
    EXPECT_EQ(db.path(), dir / "kibitz.db");
    EXPECT_TRUE(std::filesystem::exists(dir / "kibitz.db"));
    EXPECT_EQ(db.schema_version(), latest_schema_version());
    EXPECT_GE(latest_schema_version(), 2);
}

TEST(database, uses_write_ahead_logging) {
    temp_dir tmp;
    auto db = open_or_throw(tmp.path());
    ASSERT_TRUE(db.insert_message({.room = "lobby", .from_name = "a", .from_key = "a"}).ok());
    EXPECT_EQ(raw_value(db.path(), "PRAGMA journal_mode"), "wal");
    EXPECT_TRUE(std::filesystem::exists(tmp.path() / "kibitz.db-wal"));
}

TEST(database, reopening_is_idempotent_and_keeps_the_data) {
    temp_dir tmp;
    {
        auto db = open_or_throw(tmp.path());
        ASSERT_TRUE(db.insert_message({.room = "lobby", .from_name = "a", .from_key = "a"}).ok());
    }
    for (int i = 0; i < 3; ++i) {
        auto db = open_or_throw(tmp.path());
        EXPECT_EQ(db.schema_version(), latest_schema_version());
        auto const h = db.history("lobby", "a", std::nullopt, 50);
        ASSERT_TRUE(h.ok());
        EXPECT_EQ(h->size(), 1U);
    }
    EXPECT_EQ(raw_value(tmp.path() / "kibitz.db", "PRAGMA user_version"),
              std::to_string(latest_schema_version()));
}

TEST(database, migrates_a_file_left_at_version_1_and_keeps_its_messages) {
    temp_dir tmp;
    std::filesystem::create_directories(tmp.path());
    raw_exec(tmp.path() / "kibitz.db", version_1_schema);
    auto db = open_or_throw(tmp.path());
    EXPECT_EQ(db.schema_version(), latest_schema_version());
    auto const h = db.history("lobby", "ann", std::nullopt, 50);
    ASSERT_TRUE(h.ok());
    ASSERT_EQ(h->size(), 1U);
    EXPECT_EQ(h->front().text, "from an old build");
    // The old client id still deduplicates, and the tables of later migrations exist.
    auto const again = db.insert_message(
        {.room = "lobby", .from_name = "Ann", .from_key = "ann", .text = "x", .client_id = "c1"});
    ASSERT_TRUE(again.ok());
    EXPECT_TRUE(again->duplicate);
    EXPECT_TRUE(db.load_active_games().ok());
}

TEST(database, refuses_a_file_from_a_newer_schema) {
    temp_dir tmp;
    std::filesystem::create_directories(tmp.path());
    raw_exec(tmp.path() / "kibitz.db", "PRAGMA user_version = 999;");
    auto const r = database::open(tmp.path());
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, store_error::schema_too_new);
    EXPECT_NE(r.error().message.find("999"), std::string::npos);
}

TEST(database, data_dir_that_is_a_file_is_an_error) {
    temp_dir tmp;
    std::filesystem::create_directories(tmp.path());
    std::ofstream(tmp.path() / "file") << "not a directory";
    auto const r = database::open(tmp.path() / "file");
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code.category(), std::generic_category());
    EXPECT_FALSE(r.error().message.empty());
}

TEST(database, database_path_that_is_a_directory_is_an_error) {
    temp_dir tmp;
    std::filesystem::create_directories(tmp.path() / "kibitz.db");
    auto const r = database::open(tmp.path());
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code.category(), sqlite_category());
}

TEST(database, a_file_that_is_not_a_database_is_an_error) {
    temp_dir tmp;
    std::filesystem::create_directories(tmp.path());
    std::ofstream(tmp.path() / "kibitz.db") << std::string(4096, 'x');
    auto const r = database::open(tmp.path());
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, std::error_code(SQLITE_NOTADB, sqlite_category()));
    EXPECT_FALSE(r.error().code.message().empty());
}

TEST(database, a_moved_from_database_answers_closed) {
    temp_dir tmp;
    auto db = open_or_throw(tmp.path());
    auto other = std::move(db);
    EXPECT_EQ(db.history("lobby", "a", std::nullopt, 1).error().code, store_error::closed);
    EXPECT_EQ(db.insert_message({}).error().code, store_error::closed);
    EXPECT_EQ(db.save_game({}).error().code, store_error::closed);
    EXPECT_EQ(db.load_game("x").error().code, store_error::closed);
    EXPECT_EQ(db.load_active_games().error().code, store_error::closed);
    EXPECT_TRUE(other.history("lobby", "a", std::nullopt, 1).ok());
}

TEST(database, parses_only_server_message_ids) {
    EXPECT_EQ(parse_message_id("1"), 1);
    EXPECT_EQ(parse_message_id("9223372036854775807"), 9223372036854775807);
    EXPECT_FALSE(parse_message_id(""));
    EXPECT_FALSE(parse_message_id("0"));
    EXPECT_FALSE(parse_message_id("01"));
    EXPECT_FALSE(parse_message_id("-1"));
    EXPECT_FALSE(parse_message_id("+1"));
    EXPECT_FALSE(parse_message_id("1x"));
    EXPECT_FALSE(parse_message_id(" 1"));
    EXPECT_FALSE(parse_message_id("9223372036854775808"));
}
