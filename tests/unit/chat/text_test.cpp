#include <kibitz/chat/text.hpp>

#include <gtest/gtest.h>

#include <string>
#include <vector>

using namespace kibitz::chat;
using namespace std::string_literals;

TEST(names, accept_letters_of_any_script_digits_and_punctuation) {
    for (auto name : {"alice", "Zoë", "Ångström", "Иван", "李雷", "Ελένη", "e\u0301", "x_1-2.3",
                      "٣٤", "_", "a", "abcdefghijklmnopqrstuvwx", "नमस्ते", "Đặng"})
        EXPECT_TRUE(is_valid_name(name)) << name;
}

TEST(names, refuse_empty_long_spaces_symbols_and_leading_marks) {
    for (auto name : {"", "abcdefghijklmnopqrstuvwxy", "a b", "a@b", "<b>", "a/b", "\u0301e", "😀",
                      "a\tb", "a\u200bb", "a\u202eb", "x²", "Ⅷ"})
        EXPECT_FALSE(is_valid_name(name)) << name;
}

TEST(names, count_code_points_not_bytes) {
    std::string cjk;
    for (int i = 0; i < 24; ++i)
        cjk += "李";
    EXPECT_TRUE(is_valid_name(cjk));
    EXPECT_FALSE(is_valid_name(cjk + "李"));
}

TEST(names, refuse_invalid_utf8) {
    EXPECT_FALSE(is_valid_name("\xff"));
    EXPECT_FALSE(is_valid_name("a\xc3"));
    EXPECT_FALSE(is_valid_name("\xed\xa0\x80"));
    EXPECT_FALSE(is_valid_name("\xc0\xae"));
}

TEST(names, compare_case_insensitively_across_scripts) {
    EXPECT_EQ(name_key("ZOË"), name_key("zoë"));
    EXPECT_EQ(name_key("Zoë"), name_key("zoe\u0308"));
    EXPECT_EQ(name_key("ИВАН"), name_key("иван"));
    EXPECT_EQ(name_key("ΕΛΈΝΗ"), name_key("ελένη"));
    EXPECT_EQ(name_key("ÅNGSTRÖM"), name_key("ångström"));
    EXPECT_EQ(name_key("e\u0301"), name_key("é"));
    EXPECT_NE(name_key("alice"), name_key("alicia"));
    EXPECT_EQ(name_key("李雷"), "李雷");
    EXPECT_EQ(name_key("bad name"), "");
}

TEST(rooms, accept_the_room_alphabet) {
    for (std::string room : {"lobby"s, "game:abc123"s, "a.b-c_d"s, "0"s, std::string(64, 'x')})
        EXPECT_TRUE(is_valid_room(room)) << room;
}

TEST(rooms, refuse_anything_else) {
    for (std::string room : {""s, "Lobby"s, "a b"s, "a/b"s, "lobby!"s, "ä"s, std::string(65, 'x')})
        EXPECT_FALSE(is_valid_room(room)) << room;
}

TEST(text, keeps_ordinary_text_with_its_spaces_tabs_and_newlines) {
    EXPECT_TRUE(is_valid_text("hello"));
    EXPECT_TRUE(is_valid_text("  hi  "));
    EXPECT_TRUE(is_valid_text("a\tb\nc"));
    EXPECT_TRUE(is_valid_text("<script>alert(1)</script>"));
    EXPECT_TRUE(is_valid_text("שלום עולם"));
    EXPECT_TRUE(is_valid_text("😀"));
}

TEST(text, refuses_empty_and_white_space_only) {
    EXPECT_FALSE(is_valid_text(""));
    EXPECT_FALSE(is_valid_text(" "));
    EXPECT_FALSE(is_valid_text(" \t\n "));
    EXPECT_FALSE(is_valid_text("\u00a0\u3000\u2003"));
}

TEST(text, refuses_the_replacement_character_that_stands_for_a_lone_surrogate) {
    EXPECT_FALSE(is_valid_text("a\xEF\xBF\xBD"));
}

TEST(text, limits_to_2000_code_points) {
    EXPECT_TRUE(is_valid_text(std::string(2000, 'a')));
    EXPECT_FALSE(is_valid_text(std::string(2001, 'a')));
    std::string wide;
    for (int i = 0; i < 2000; ++i)
        wide += "é";
    EXPECT_TRUE(is_valid_text(wide));
    EXPECT_FALSE(is_valid_text(wide + "é"));
}

TEST(text, refuses_invalid_utf8_including_encoded_surrogates) {
    EXPECT_FALSE(is_valid_text("\xff"));
    EXPECT_FALSE(is_valid_text("abc\xe2\x82"));
    EXPECT_FALSE(is_valid_text("\xed\xa0\x80"));             // CESU-8 high surrogate
    EXPECT_FALSE(is_valid_text("\xed\xbf\xbf"));             // low surrogate
    EXPECT_FALSE(is_valid_text("\xed\xa0\xbd\xed\xb8\x80")); // CESU-8 pair
    EXPECT_FALSE(is_valid_text("\xc0\x80"));                 // overlong NUL
    EXPECT_FALSE(is_valid_text("\xf4\x90\x80\x80"));         // above U+10FFFF
}

TEST(text, refuses_control_characters_but_tab_and_line_feed) {
    EXPECT_FALSE(is_valid_text("a\rb"));
    EXPECT_FALSE(is_valid_text("a\0b"s));
    EXPECT_FALSE(is_valid_text("a\x1b[31mb"));
    EXPECT_FALSE(is_valid_text("a\x7f"));
    EXPECT_FALSE(is_valid_text("a\u0085b"));
    EXPECT_FALSE(is_valid_text("a\u009fb"));
    EXPECT_FALSE(is_valid_text("a\x01"));
    EXPECT_TRUE(is_valid_text("a\u00a0b"));
}

TEST(text, refuses_bidi_overrides_and_isolates) {
    for (char32_t cp = 0x202A; cp <= 0x202E; ++cp) {
        std::string t = "ab";
        t.insert(1, std::string{char(0xE2), char(0x80), char(0x80 | (cp & 0x3F))});
        EXPECT_FALSE(is_valid_text(t)) << std::hex << unsigned(cp);
    }
    for (auto t : {"a\u2066b", "a\u2067b", "a\u2068b", "a\u2069b"})
        EXPECT_FALSE(is_valid_text(t));
    EXPECT_TRUE(is_valid_text("a\u200eb")); // LRM is not an override
    EXPECT_TRUE(is_valid_text("a\u2065b"));
}

TEST(client_ids, are_1_to_64_code_points) {
    EXPECT_TRUE(is_valid_client_id("x"));
    EXPECT_TRUE(is_valid_client_id(std::string(64, 'x')));
    EXPECT_FALSE(is_valid_client_id(""));
    EXPECT_FALSE(is_valid_client_id(std::string(65, 'x')));
    EXPECT_FALSE(is_valid_client_id("\xff"));
}

TEST(mentions, take_a_leading_name_and_one_space) {
    auto m = parse_mention("@bob hello there");
    ASSERT_TRUE(m);
    EXPECT_EQ(m->name, "bob");
    EXPECT_EQ(m->rest, "hello there");
    auto spaced = parse_mention("@Zoë  two spaces ");
    ASSERT_TRUE(spaced);
    EXPECT_EQ(spaced->name, "Zoë");
    EXPECT_EQ(spaced->rest, " two spaces ");
    auto empty = parse_mention("@bob ");
    ASSERT_TRUE(empty);
    EXPECT_EQ(empty->rest, "");
}

TEST(mentions, leave_other_text_alone) {
    EXPECT_FALSE(parse_mention("hi @bob there"));
    EXPECT_FALSE(parse_mention("@bob"));
    EXPECT_FALSE(parse_mention("@bob\thi"));
    EXPECT_FALSE(parse_mention("@ bob hi"));
    EXPECT_FALSE(parse_mention("@b<o>b hi"));
    EXPECT_FALSE(parse_mention(" @bob hi"));
    EXPECT_FALSE(parse_mention(""));
}

TEST(mentions, find_names_after_an_at_sign_with_their_readings) {
    using v = std::vector<std::vector<std::string>>;
    EXPECT_EQ(mention_candidates("hi @bob and @Zoë!"), (v{{"bob"}, {"Zoë"}}));
    EXPECT_EQ(mention_candidates("@bob. @a-b_ ok"), (v{{"bob.", "bob"}, {"a-b_", "a-b"}}));
    // Not after a name character (an e-mail address), and nothing after a bare '@'.
    EXPECT_EQ(mention_candidates("mail ann@example.org @ @@x"), (v{{"x"}}));
    EXPECT_EQ(mention_candidates("(@bob)"), (v{{"bob"}}));
    // Too long for a name: no reading.
    EXPECT_TRUE(mention_candidates("@" + std::string(30, 'a')).empty());
    EXPECT_TRUE(mention_candidates("\xff@bob").empty()); // not UTF-8
    std::string many;
    for (int i = 0; i < 100; ++i)
        many += "@u" + std::to_string(i) + " ";
    EXPECT_EQ(mention_candidates(many).size(), 50u);
    EXPECT_EQ(mention_candidates(many, 3).size(), 3u);
}
