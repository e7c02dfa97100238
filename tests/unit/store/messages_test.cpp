#include "connection.hpp"
#include "test_support.hpp"

#include <kibitz/store/database.hpp>

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <string>
#include <tuple>
#include <vector>

using namespace kibitz::store;
using kibitz::store::testing::open_or_throw;
using kibitz::store::testing::temp_dir;

namespace {

message_draft public_message(std::string from, std::string text,
                             std::optional<std::string> client_id = std::nullopt) {
    message_draft d;
    d.room = "lobby";
    d.from_key = from;
    d.from_name = std::move(from);
    d.text = std::move(text);
    d.ts = 1'700'000'000'000;
    d.client_id = std::move(client_id);
    return d;
}

message_draft private_message(std::string from, std::string to, std::string text) {
    auto d = public_message(std::move(from), std::move(text));
    d.to_key = to;
    d.to_name = std::move(to);
    return d;
}

message_record insert(database& db, message_draft const& d) {
    auto r = db.insert_message(d);
    if (!r) throw std::runtime_error(r.error().message);
    return r->message;
}

std::vector<std::string> texts(result<std::vector<message_record>> const& r) {
    std::vector<std::string> out;
    if (!r) ADD_FAILURE() << r.error().message;
    if (r) {
        for (auto const& m : r.value())
            out.push_back(m.text);
    }
    return out;
}

std::int64_t number(message_record const& m) {
    return parse_message_id(m.id).value_or(0);
}

} // namespace

TEST(messages, insert_returns_the_stored_message_with_rising_ids) {
    temp_dir tmp;
    auto db = open_or_throw(tmp.path());
    auto d = private_message("Zoë", "Bob", "  hi <b>there</b>\n");
    d.from_key = "zoë";
    d.to_key = "bob";
    d.room = "game:abcdefgh";
    d.client_id = "c-1";
    auto const r = db.insert_message(d);
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_FALSE(r->duplicate);
    auto const& m = r->message;
    EXPECT_EQ(m.room, "game:abcdefgh");
    EXPECT_EQ(m.from_name, "Zoë");
    EXPECT_EQ(m.from_key, "zoë");
    EXPECT_EQ(m.to_name, "Bob");
    EXPECT_EQ(m.to_key, "bob");
    EXPECT_EQ(m.text, "  hi <b>there</b>\n");
    EXPECT_EQ(m.ts, 1'700'000'000'000);
    EXPECT_EQ(m.client_id, "c-1");
    auto const second = insert(db, public_message("a", "next"));
    EXPECT_GT(number(second), number(m));
    EXPECT_GT(number(m), 0);
}

TEST(messages, text_with_nul_bytes_is_stored_exactly) {
    temp_dir tmp;
    auto db = open_or_throw(tmp.path());
    std::string const text("a\0b", 3);
    insert(db, public_message("a", text));
    auto const h = db.history("lobby", "a", std::nullopt, 10);
    ASSERT_TRUE(h.ok());
    ASSERT_EQ(h->size(), 1U);
    EXPECT_EQ(h->front().text, text);
}

TEST(messages, resending_a_client_id_returns_the_stored_message_and_inserts_nothing) {
    temp_dir tmp;
    auto db = open_or_throw(tmp.path());
    auto const first = db.insert_message(public_message("ann", "hello", "m1"));
    ASSERT_TRUE(first.ok());
    auto const again = db.insert_message(public_message("ann", "hello edited", "m1"));
    ASSERT_TRUE(again.ok());
    EXPECT_TRUE(again->duplicate);
    EXPECT_EQ(again->message, first->message);
    EXPECT_EQ(texts(db.history("lobby", "ann", std::nullopt, 50)),
              std::vector<std::string>{"hello"});
}

TEST(messages, resending_a_client_id_after_a_reopen_is_still_a_duplicate) {
    temp_dir tmp;
    message_record stored;
    {
        auto db = open_or_throw(tmp.path());
        stored = insert(db, public_message("ann", "hello", "m1"));
    }
    auto db = open_or_throw(tmp.path());
    auto const again = db.insert_message(public_message("ann", "hello", "m1"));
    ASSERT_TRUE(again.ok());
    EXPECT_TRUE(again->duplicate);
    EXPECT_EQ(again->message, stored);
    EXPECT_EQ(db.history("lobby", "ann", std::nullopt, 50)->size(), 1U);
}

TEST(messages, two_names_with_the_same_client_id_make_two_messages) {
    temp_dir tmp;
    auto db = open_or_throw(tmp.path());
    auto const a = db.insert_message(public_message("ann", "from ann", "same"));
    auto const b = db.insert_message(public_message("bob", "from bob", "same"));
    ASSERT_TRUE(a.ok());
    ASSERT_TRUE(b.ok());
    EXPECT_FALSE(b->duplicate);
    EXPECT_NE(a->message.id, b->message.id);
    EXPECT_EQ(texts(db.history("lobby", "x", std::nullopt, 50)),
              (std::vector<std::string>{"from ann", "from bob"}));
}

TEST(messages, messages_without_a_client_id_are_never_duplicates) {
    temp_dir tmp;
    auto db = open_or_throw(tmp.path());
    for (int i = 0; i < 3; ++i) {
        auto const r = db.insert_message(public_message("ann", "same"));
        ASSERT_TRUE(r.ok());
        EXPECT_FALSE(r->duplicate);
    }
    EXPECT_EQ(db.history("lobby", "ann", std::nullopt, 50)->size(), 3U);
}

TEST(messages, a_recipient_name_without_its_key_is_invalid) {
    temp_dir tmp;
    auto db = open_or_throw(tmp.path());
    auto d = public_message("ann", "x");
    d.to_name = "Bob";
    auto const r = db.insert_message(d);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, store_error::invalid_argument);
    EXPECT_TRUE(db.history("lobby", "ann", std::nullopt, 50)->empty());
}

TEST(messages, history_shows_public_messages_and_private_ones_to_or_from_the_viewer) {
    temp_dir tmp;
    auto db = open_or_throw(tmp.path());
    insert(db, public_message("ann", "public 1"));
    insert(db, private_message("ann", "bob", "ann to bob"));
    insert(db, private_message("bob", "ann", "bob to ann"));
    insert(db, private_message("bob", "cat", "bob to cat"));
    insert(db, private_message("cat", "ann", "cat to ann"));
    insert(db, public_message("cat", "public 2"));
    EXPECT_EQ(texts(db.history("lobby", "ann", std::nullopt, 50)),
              (std::vector<std::string>{"public 1", "ann to bob", "bob to ann", "cat to ann",
                                        "public 2"}));
    EXPECT_EQ(texts(db.history("lobby", "bob", std::nullopt, 50)),
              (std::vector<std::string>{"public 1", "ann to bob", "bob to ann", "bob to cat",
                                        "public 2"}));
    EXPECT_EQ(texts(db.history("lobby", "dan", std::nullopt, 50)),
              (std::vector<std::string>{"public 1", "public 2"}));
}

TEST(messages, history_is_per_room) {
    temp_dir tmp;
    auto db = open_or_throw(tmp.path());
    insert(db, public_message("ann", "in lobby"));
    auto other = public_message("ann", "in other");
    other.room = "other";
    insert(db, other);
    EXPECT_EQ(texts(db.history("other", "ann", std::nullopt, 50)),
              std::vector<std::string>{"in other"});
    EXPECT_TRUE(db.history("empty", "ann", std::nullopt, 50)->empty());
}

TEST(messages, history_returns_the_last_messages_oldest_first_before_an_id) {
    temp_dir tmp;
    auto db = open_or_throw(tmp.path());
    std::vector<message_record> stored;
    for (int i = 0; i < 10; ++i) {
        stored.push_back(insert(db, public_message("ann", std::to_string(i))));
        insert(db, private_message("bob", "cat", "hidden " + std::to_string(i)));
    }
    EXPECT_EQ(texts(db.history("lobby", "ann", std::nullopt, 3)),
              (std::vector<std::string>{"7", "8", "9"}));
    EXPECT_EQ(texts(db.history("lobby", "ann", number(stored[5]), 3)),
              (std::vector<std::string>{"2", "3", "4"}));
    EXPECT_EQ(texts(db.history("lobby", "ann", number(stored[2]), 50)),
              (std::vector<std::string>{"0", "1"}));
    EXPECT_TRUE(db.history("lobby", "ann", number(stored[0]), 50)->empty());
    EXPECT_TRUE(db.history("lobby", "ann", std::nullopt, 0)->empty());
    EXPECT_EQ(db.history("lobby", "ann", std::nullopt, 1'000'000)->size(), 10U);
}

TEST(messages, history_merges_the_three_kinds_of_visibility_under_one_limit) {
    temp_dir tmp;
    auto db = open_or_throw(tmp.path());
    for (int i = 0; i < 4; ++i) {
        insert(db, public_message("cat", "p" + std::to_string(i)));
        insert(db, private_message("ann", "bob", "out" + std::to_string(i)));
        insert(db, private_message("bob", "ann", "in" + std::to_string(i)));
    }
    EXPECT_EQ(texts(db.history("lobby", "ann", std::nullopt, 4)),
              (std::vector<std::string>{"in2", "p3", "out3", "in3"}));
}

TEST(messages, history_of_a_large_room_uses_the_indexes) {
    temp_dir tmp;
    { auto db = open_or_throw(tmp.path()); }
    // 100k rows in one raw transaction (through the store each would be its own fsync).
    sqlite3* raw = nullptr;
    ASSERT_EQ(sqlite3_open((tmp.path() / "kibitz.db").c_str(), &raw), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(raw,
                           "BEGIN;"
                           "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n "
                           "WHERE i < 100000) "
                           "INSERT INTO messages (room, from_name, from_key, to_name, to_key, "
                           "text, ts) SELECT 'big', 'u' || (i % 50), 'u' || (i % 50), "
                           "CASE WHEN i % 3 = 0 THEN 'v' END, CASE WHEN i % 3 = 0 THEN 'v' END, "
                           "'m' || i, i FROM n;"
                           "COMMIT;",
                           nullptr, nullptr, nullptr),
              SQLITE_OK);
    // No full scan of the messages table in the plan of the history statement.
    std::string plan;
    sqlite3_stmt* s = nullptr;
    std::string const sql =
        std::string("EXPLAIN QUERY PLAN ") + detail::statement_sql(detail::stmt::history);
    ASSERT_EQ(sqlite3_prepare_v2(raw, sql.c_str(), -1, &s, nullptr), SQLITE_OK);
    while (sqlite3_step(s) == SQLITE_ROW) {
        plan += reinterpret_cast<char const*>(sqlite3_column_text(s, 3));
        plan += '\n';
    }
    sqlite3_finalize(s);
    sqlite3_close(raw);
    EXPECT_EQ(plan.find("SCAN messages\n"), std::string::npos) << plan;
    EXPECT_NE(plan.find("messages_public"), std::string::npos) << plan;
    EXPECT_NE(plan.find("messages_private_from"), std::string::npos) << plan;
    EXPECT_NE(plan.find("messages_private_to"), std::string::npos) << plan;

    auto db = open_or_throw(tmp.path());
    auto const h = db.history("big", "u7", std::nullopt, 50);
    ASSERT_TRUE(h.ok());
    ASSERT_EQ(h->size(), 50U);
    EXPECT_EQ(h->back().text, "m100000");
    EXPECT_LT(number(h->front()), number(h->back()));
    EXPECT_EQ(texts(db.history("big", "v", 4, 50)), (std::vector<std::string>{"m1", "m2", "m3"}));
}

TEST(identities, a_token_finds_the_identity_it_was_made_for_and_only_that_one) {
    temp_dir tmp;
    auto db = open_or_throw(tmp.path());
    auto first = db.claim_identity("ann", std::nullopt, "hash-1", 1);
    ASSERT_TRUE(first.ok()) << first.error().message;
    EXPECT_FALSE(first->reused);
    // The holder comes back with the token: the same identity.
    auto again = db.claim_identity("ann", std::string("hash-1"), "hash-2", 2);
    ASSERT_TRUE(again.ok());
    EXPECT_TRUE(again->reused);
    EXPECT_EQ(again->id, first->id);
    // A newcomer without the token, or with a wrong one, gets a new identity.
    auto other = db.claim_identity("ann", std::string("guess"), "hash-3", 3);
    ASSERT_TRUE(other.ok());
    EXPECT_FALSE(other->reused);
    EXPECT_NE(other->id, first->id);
    // A token is for one name only.
    auto elsewhere = db.claim_identity("bob", std::string("hash-1"), "hash-4", 4);
    ASSERT_TRUE(elsewhere.ok());
    EXPECT_FALSE(elsewhere->reused);
    EXPECT_NE(elsewhere->id, first->id);
}

TEST(identities, claiming_twice_with_the_same_new_hash_finds_the_first_claim) {
    temp_dir tmp;
    auto db = open_or_throw(tmp.path());
    auto first = db.claim_identity("ann", std::string("offered"), "fresh", 1);
    auto second = db.claim_identity("ann", std::string("offered"), "fresh", 1);
    ASSERT_TRUE(first.ok() && second.ok()) << second.error().message;
    EXPECT_EQ(first->id, second->id);
    EXPECT_EQ(db.claim_identity("", std::nullopt, "x", 1).error().code,
              store_error::invalid_argument);
    EXPECT_EQ(db.claim_identity("a", std::nullopt, "", 1).error().code,
              store_error::invalid_argument);
}

TEST(identities, survive_a_reopen_and_only_hashes_are_stored) {
    temp_dir tmp;
    std::int64_t id = 0;
    {
        auto db = open_or_throw(tmp.path());
        id = db.claim_identity("ann", std::nullopt, "hash-of-token", 1)->id;
    }
    auto db = open_or_throw(tmp.path());
    auto back = db.claim_identity("ann", std::string("hash-of-token"), "other", 2);
    ASSERT_TRUE(back.ok());
    EXPECT_TRUE(back->reused);
    EXPECT_EQ(back->id, id);
}

TEST(identities, prune_takes_only_unreferenced_identities_claimed_before_the_cutoff) {
    temp_dir tmp;
    auto db = open_or_throw(tmp.path());
    auto id_of = [&](char const* name, char const* hash, std::int64_t at) {
        return db.claim_identity(name, std::nullopt, hash, at)->id;
    };
    auto const talker = id_of("talker", "h-talker", 10);
    auto const listener = id_of("listener", "h-listener", 10);
    auto const present = id_of("present", "h-present", 10);
    auto const silent = id_of("silent", "h-silent", 10);
    auto const recent = id_of("recent", "h-recent", 500);
    auto const back = id_of("back", "h-back", 10);
    auto const hash_of = [](std::int64_t id) { return "#" + std::to_string(id); };
    insert(db, public_message(hash_of(talker), "hi"));
    insert(db, private_message("someone", hash_of(listener), "psst"));
    // Coming back with the token counts as a claim now.
    ASSERT_TRUE(db.claim_identity("back", std::string("h-back"), "unused", 600)->reused);
    auto pruned = db.prune_identities(100, {present}, 1000);
    ASSERT_TRUE(pruned.ok()) << pruned.error().message;
    EXPECT_EQ(pruned.value(), 1U) << "only `silent`";
    // The kept ones still answer to their tokens; the pruned one's token makes a new identity.
    for (auto [name, hash, id] : {std::tuple{"talker", "h-talker", talker},
                                  {"listener", "h-listener", listener},
                                  {"present", "h-present", present},
                                  {"recent", "h-recent", recent},
                                  {"back", "h-back", back}}) {
        auto again = db.claim_identity(name, std::string(hash), "x-" + std::string(name), 700);
        EXPECT_TRUE(again->reused) << name;
        EXPECT_EQ(again->id, id) << name;
    }
    auto gone = db.claim_identity("silent", std::string("h-silent"), "h-silent-2", 700);
    EXPECT_FALSE(gone->reused);
    EXPECT_NE(gone->id, silent);
}

TEST(identities, prune_stops_at_its_limit_oldest_claim_first) {
    temp_dir tmp;
    auto db = open_or_throw(tmp.path());
    for (int i = 0; i < 5; ++i) {
        auto const name = "n" + std::to_string(i);
        ASSERT_TRUE(db.claim_identity(name, std::nullopt, "h" + name, 10 + i).ok());
    }
    EXPECT_EQ(db.prune_identities(100, {}, 2).value(), 2U);
    // n0 and n1 went first; n2 still answers to its token.
    EXPECT_FALSE(db.claim_identity("n0", std::string("hn0"), "z0", 200)->reused);
    EXPECT_TRUE(db.claim_identity("n2", std::string("hn2"), "z2", 200)->reused);
    EXPECT_EQ(db.prune_identities(100, {}, 1000).value(), 2U) << "n3 and n4; n2 was claimed at 200";
}

namespace {

message_change change_by(std::string author, std::int64_t id, std::string text = {}) {
    message_change c;
    c.id = id;
    c.author_key = std::move(author);
    c.rooms = {{"lobby", {"bob"}}};
    c.text = std::move(text);
    c.edited = 1'700'000'000'500;
    return c;
}

} // namespace

TEST(message_changes, the_author_edits_text_and_mentions_in_one_transaction) {
    temp_dir tmp;
    auto db = open_or_throw(tmp.path());
    auto d = public_message("ann", "helo @bob");
    d.action = true;
    d.mentions = {"bob"};
    auto m = insert(db, d);
    EXPECT_TRUE(m.action);
    EXPECT_EQ(m.mentions, std::vector<std::string>{"bob"});
    EXPECT_FALSE(m.edited);

    auto c = change_by("ann", number(m), "hello @bob");
    c.rooms = {{"other", {}}, {"lobby", {"bob", "carl"}}};
    auto r = db.edit_message(c);
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r->outcome, change_outcome::changed);
    EXPECT_EQ(r->message.text, "hello @bob");
    EXPECT_EQ(r->message.edited, 1'700'000'000'500);
    EXPECT_EQ(r->message.mentions, (std::vector<std::string>{"bob", "carl"}));
    EXPECT_TRUE(r->message.action);
    EXPECT_EQ(r->message.ts, m.ts);
    auto h = db.history("lobby", "ann", std::nullopt, 10);
    ASSERT_TRUE(h.ok());
    EXPECT_EQ(h->back(), r->message);
}

TEST(message_changes, only_the_author_and_only_where_the_author_can_see) {
    temp_dir tmp;
    auto db = open_or_throw(tmp.path());
    auto pub = insert(db, public_message("ann", "public"));
    auto whisper = insert(db, private_message("ann", "bob", "private"));
    EXPECT_EQ(db.edit_message(change_by("bob", number(pub), "x"))->outcome,
              change_outcome::forbidden);
    EXPECT_EQ(db.delete_message(change_by("bob", number(pub)))->outcome, change_outcome::forbidden);
    // The recipient sees the private message but did not write it; a third person cannot see it.
    EXPECT_EQ(db.edit_message(change_by("bob", number(whisper), "x"))->outcome,
              change_outcome::forbidden);
    EXPECT_EQ(db.edit_message(change_by("eve", number(whisper), "x"))->outcome,
              change_outcome::not_found);
    // Not in one of the author's rooms, or no such message.
    auto elsewhere = change_by("ann", number(pub), "x");
    elsewhere.rooms = {{"other", {}}};
    EXPECT_EQ(db.edit_message(elsewhere)->outcome, change_outcome::not_found);
    EXPECT_EQ(db.edit_message(change_by("ann", 999, "x"))->outcome, change_outcome::not_found);
    EXPECT_EQ(db.delete_message(change_by("ann", 0))->outcome, change_outcome::not_found);
    // Nothing changed.
    auto h = db.history("lobby", "ann", std::nullopt, 10);
    EXPECT_EQ(texts(h), (std::vector<std::string>{"public", "private"}));
    // A private message mentions nobody, whatever the rooms say.
    auto own = db.edit_message(change_by("ann", number(whisper), "@bob hi"));
    ASSERT_TRUE(own.ok());
    EXPECT_TRUE(own->message.mentions.empty());
}

TEST(message_changes, delete_leaves_a_tombstone_that_keeps_its_place) {
    temp_dir tmp;
    std::int64_t id = 0;
    {
        auto db = open_or_throw(tmp.path());
        insert(db, public_message("ann", "before"));
        auto d = public_message("ann", "oops @bob", "cid");
        d.mentions = {"bob"};
        id = number(insert(db, d));
        insert(db, public_message("bob", "after"));
        auto r = db.delete_message(change_by("ann", id));
        ASSERT_TRUE(r.ok());
        EXPECT_EQ(r->outcome, change_outcome::changed);
        EXPECT_TRUE(r->message.deleted);
        EXPECT_TRUE(r->message.text.empty());
        EXPECT_TRUE(r->message.mentions.empty());
        // Again: unchanged; an edit of a tombstone: not found.
        EXPECT_EQ(db.delete_message(change_by("ann", id))->outcome, change_outcome::unchanged);
        EXPECT_EQ(db.edit_message(change_by("ann", id, "back"))->outcome,
                  change_outcome::not_found);
    }
    auto db = open_or_throw(tmp.path());
    auto h = db.history("lobby", "bob", std::nullopt, 10);
    ASSERT_TRUE(h.ok());
    ASSERT_EQ(h->size(), 3u);
    EXPECT_EQ(h.value()[1].id, std::to_string(id));
    EXPECT_TRUE(h.value()[1].deleted);
    EXPECT_EQ(h.value()[1].text, "");
    // The client id still finds it: a resend stores nothing new.
    auto again = db.insert_message(public_message("ann", "oops @bob", "cid"));
    ASSERT_TRUE(again.ok());
    EXPECT_TRUE(again->duplicate);
    EXPECT_TRUE(again->message.deleted);
}
