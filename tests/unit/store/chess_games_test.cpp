// The chess additions of the store: several games saved and deleted in one transaction (all or
// nothing, also when another process holds the lock), the lower-case id migration with its
// aliases, and the one-time hashing of seat tokens stored in plain text.
#include "test_support.hpp"

#include <kibitz/store/database.hpp>

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <string>
#include <vector>

using namespace kibitz::store;
using kibitz::store::testing::open_or_throw;
using kibitz::store::testing::temp_dir;

namespace {

// Take back migrations 7 (chess), 6 (identity pruning) and 5 (chat message columns), so a file
// looks as an older build left it.
constexpr char const* undo_schema_6 =
    "DROP INDEX messages_from_key; DROP INDEX messages_to_key; DROP INDEX identities_claimed; "
    "ALTER TABLE identities DROP COLUMN claimed_at;";
constexpr char const* undo_schema_5 =
    "ALTER TABLE messages DROP COLUMN action; ALTER TABLE messages DROP COLUMN mentions; "
    "ALTER TABLE messages DROP COLUMN edited; ALTER TABLE messages DROP COLUMN deleted;";
constexpr char const* undo_schema_7 =
    "DROP INDEX games_finished; ALTER TABLE games DROP COLUMN takeback_offer; "
    "ALTER TABLE games DROP COLUMN clock_history; ALTER TABLE games DROP COLUMN white_lag_ms; "
    "ALTER TABLE games DROP COLUMN black_lag_ms; ALTER TABLE games DROP COLUMN ended_at;";

game_record game(std::string id, std::int64_t v = 1) {
    game_record g;
    g.id = std::move(id);
    g.v = v;
    g.created_at = 1000;
    g.creator_color = "white";
    g.status = std::string(game_waiting);
    g.white_name = "Ann";
    g.white_token = std::string(64, 'a');
    g.start_fen = "rnbqkbnr/pppppppp/8/8/8/8/PPPPPPPP/RNBQKBNR w KQkq - 0 1";
    return g;
}

void raw(std::filesystem::path const& file, std::string const& sql) {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(file.c_str(), &db), SQLITE_OK);
    char* error = nullptr;
    EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error), SQLITE_OK)
        << (error != nullptr ? error : "");
    sqlite3_free(error);
    sqlite3_close(db);
}

std::string raw_insert(std::string const& id, std::string const& token,
                       std::string const& rematch = "NULL") {
    return "INSERT INTO games (id, v, created_at, creator_color, status, white_name,"
           " white_token, start_fen, moves, rematch_id) VALUES ('" +
           id + "', 3, 1000, 'white', 'ended', 'Ann', '" + token + "', 'x', '', " + rematch + ");";
}

} // namespace

TEST(chess_games, save_games_writes_and_deletes_in_one_transaction) {
    temp_dir tmp;
    auto db = open_or_throw(tmp.path());
    ASSERT_TRUE(db.save_games({game("gone1234"), game("kept1234")}, {}).ok());
    ASSERT_TRUE(db.save_games({game("kept1234", 2), game("new12345")}, {"gone1234"}).ok());
    EXPECT_FALSE(db.load_game("gone1234").value());
    EXPECT_EQ(db.load_game("kept1234").value()->v, 2);
    EXPECT_TRUE(db.load_game("new12345").value());
    // A bad record fails the whole batch: nothing of it is stored.
    auto bad = game("");
    EXPECT_FALSE(db.save_games({game("other123"), bad}, {"kept1234"}).ok());
    EXPECT_FALSE(db.load_game("other123").value());
    EXPECT_TRUE(db.load_game("kept1234").value());
}

TEST(chess_games, save_games_fails_whole_while_another_connection_holds_the_lock) {
    temp_dir tmp;
    auto r = database::open(tmp.path(), {.busy_timeout_ms = 50});
    ASSERT_TRUE(r.ok());
    auto db = std::move(r).value();
    sqlite3* other = nullptr;
    ASSERT_EQ(sqlite3_open((tmp.path() / "kibitz.db").c_str(), &other), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(other, "BEGIN EXCLUSIVE", nullptr, nullptr, nullptr), SQLITE_OK);
    auto failed = db.save_games({game("locked12"), game("locked34")}, {});
    EXPECT_FALSE(failed.ok());
    EXPECT_EQ(failed.error().code.category(), sqlite_category());
    sqlite3_exec(other, "ROLLBACK", nullptr, nullptr, nullptr);
    sqlite3_close(other);
    EXPECT_FALSE(db.load_game("locked12").value());
    EXPECT_TRUE(db.save_games({game("locked12")}, {}).ok()) << "usable again";
}

TEST(chess_games, migration_4_makes_ids_lower_case_and_keeps_the_old_ones_as_aliases) {
    temp_dir tmp;
    auto const file = tmp.path() / "kibitz.db";
    { open_or_throw(tmp.path()); }
    // Back to a version-3 file holding games from before the migration.
    raw(file, "DROP TABLE game_aliases; " + std::string(undo_schema_7) + undo_schema_6 +
                  undo_schema_5 + " PRAGMA user_version = 3;" +
                  raw_insert("AbCdEfGh1234", "t1", "'XyZ123456789'") +
                  raw_insert("XyZ123456789", "t2") + raw_insert("already_lower1", "t3") +
                  raw_insert("Taken1234567", "t4") + raw_insert("taken1234567", "t5") +
                  raw_insert("DUPE12345678", "t6") + raw_insert("Dupe12345678", "t7"));
    auto db = open_or_throw(tmp.path());
    EXPECT_EQ(db.schema_version(), latest_schema_version());
    // Migration 6: a game that had ended gets its creation time as its end.
    EXPECT_EQ(db.load_game("already_lower1").value()->ended_at, 1000);
    auto moved = db.load_game("AbCdEfGh1234").value();
    ASSERT_TRUE(moved);
    EXPECT_EQ(moved->id, "abcdefgh1234");
    EXPECT_EQ(moved->rematch_id, "xyz123456789") << "references follow";
    EXPECT_EQ(db.load_game("abcdefgh1234").value()->white_token, "t1");
    EXPECT_EQ(db.load_game("already_lower1").value()->white_token, "t3");
    // Collisions: with a game already lower-case, and between two renamed games.
    EXPECT_EQ(db.load_game("taken1234567").value()->white_token, "t5");
    auto taken = db.load_game("Taken1234567").value();
    ASSERT_TRUE(taken);
    EXPECT_EQ(taken->white_token, "t4");
    EXPECT_EQ(taken->id.rfind("taken1234567-", 0), 0u) << taken->id;
    auto d1 = db.load_game("DUPE12345678").value();
    auto d2 = db.load_game("Dupe12345678").value();
    ASSERT_TRUE(d1 && d2);
    EXPECT_NE(d1->id, d2->id);
    EXPECT_EQ(d1->white_token, "t6");
    EXPECT_EQ(d2->white_token, "t7");
    for (auto const& id : {moved->id, taken->id, d1->id, d2->id})
        EXPECT_EQ(id.find_first_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ"), std::string::npos) << id;
    EXPECT_EQ(db.find_game_alias("XyZ123456789").value(), "xyz123456789");
    EXPECT_FALSE(db.find_game_alias("nosuchgame").value());
}

TEST(chess_games, plain_tokens_are_hashed_once) {
    temp_dir tmp;
    auto db = open_or_throw(tmp.path());
    auto g = game("plain123");
    g.white_token = "plain-token";
    g.black_name = "Bob";
    g.black_token = std::string(64, 'b');
    ASSERT_TRUE(db.save_game(g).ok());
    ASSERT_TRUE(db.save_game(game("hashed12")).ok());
    auto hash = [](std::string_view t) { return std::string(64 - t.size(), '0') + std::string(t); };
    EXPECT_EQ(db.rehash_game_tokens(hash).value(), 1u);
    auto back = db.load_game("plain123").value();
    EXPECT_EQ(back->white_token, hash("plain-token"));
    EXPECT_EQ(back->black_token, std::string(64, 'b')) << "a hash is left alone";
    EXPECT_EQ(db.rehash_game_tokens(hash).value(), 0u);
}

TEST(chess_games, load_active_games_can_take_only_the_newest) {
    temp_dir tmp;
    auto db = open_or_throw(tmp.path());
    for (int i = 0; i < 5; ++i) {
        auto g = game("active1" + std::to_string(i));
        g.created_at = 1000 + i;
        ASSERT_TRUE(db.save_game(g).ok());
    }
    auto ended = game("ended123");
    ended.status = std::string(game_ended);
    ended.created_at = 5000;
    ASSERT_TRUE(db.save_game(ended).ok());
    auto newest = db.load_active_games(2).value();
    ASSERT_EQ(newest.size(), 2u);
    EXPECT_EQ(newest[0].id, "active13") << "oldest first, as load_active_games()";
    EXPECT_EQ(newest[1].id, "active14");
    EXPECT_EQ(db.load_active_games(100).value().size(), 5u);
}
