// kibitz::names: the one validator of chat and chess names (invisible, reserved, look-alikes).
#include <kibitz/names/names.hpp>

#include <gtest/gtest.h>

#include <string>

using namespace kibitz;

TEST(name_rules, accept_ordinary_names_of_any_script) {
    for (auto name : {"alice", "Zoë", "Иван", "李雷", "Ελένη", "x_1-2.3", "e\u0301", "admin2",
                      "rooted", "systemic", "Ådmin_fan"})
        EXPECT_EQ(names::check(name), names::verdict::ok) << name;
}

TEST(name_rules, refuse_names_with_invisible_or_default_ignorable_characters) {
    // Hangul fillers are letters (Lo), so the shape rule alone lets them through.
    for (auto name : {"\u3164", "\u3164\u3164", "\u115F", "\u1160", "\uFFA0", "bob\u3164",
                      "\u3164bob", "a\uFFA0b"})
        EXPECT_EQ(names::check(name), names::verdict::invisible) << name;
    // Format characters (Cf) and spaces fail the shape rule already.
    for (auto name : {"\u200B", "\u180E", "a\u200Bb", "\u2800", "\u00AD", "a\u2060"})
        EXPECT_EQ(names::check(name), names::verdict::invalid) << name;
}

TEST(name_rules, refuse_reserved_names_after_folding_and_skeleton) {
    for (auto name : {"system", "SYSTEM", "Server", "admin", "Administrator", "kibitz", "KIBITZ",
                      "moderator", "root", "ad.min", "_root_", "sys-tem",
                      // Cyrillic а and о, full-width letters, "rn" for "m".
                      "\u0430dmin", "r\u043e\u043et", "\uFF41\uFF44\uFF4D\uFF49\uFF4E", "adrnin"})
        EXPECT_EQ(names::check(name), names::verdict::reserved) << name;
    for (auto r : names::reserved_names())
        EXPECT_EQ(names::check(r), names::verdict::reserved) << r;
}

TEST(name_rules, refuse_malformed_names) {
    for (std::string name : {std::string(), std::string("a b"), std::string("a@b"),
                             std::string("\u0301e"), std::string("\xff"), std::string(25, 'a')})
        EXPECT_EQ(names::check(name), names::verdict::invalid) << name;
}

TEST(name_rules, find_look_alikes) {
    EXPECT_TRUE(names::confusable("paypal", "p\u0430ypal")); // Cyrillic а
    EXPECT_TRUE(names::confusable("alice", "ALICE"));
    EXPECT_TRUE(names::confusable("bill", "biII")); // capital I for l
    EXPECT_TRUE(names::confusable("paypal", "PAYPAI"));
    EXPECT_TRUE(names::confusable("modern", "rnodern"));
    EXPECT_TRUE(names::confusable("zoe", "\uFF5A\uFF4F\uFF45")); // full width
    EXPECT_TRUE(names::confusable("KIBITZ", "kibitz"));
    EXPECT_FALSE(names::confusable("alice", "alicia"));
    EXPECT_FALSE(names::confusable("bob", "rob"));
    EXPECT_TRUE(names::skeletons("not a name").empty());
    EXPECT_FALSE(names::confusable("not a name", "not a name"));
}

TEST(name_rules, fold_case_across_scripts) {
    EXPECT_EQ(names::key("ZOË"), names::key("zoe\u0308"));
    EXPECT_EQ(names::key("ИВАН"), names::key("иван"));
    EXPECT_EQ(names::key("a b"), "");
}

TEST(name_rules, explain_every_verdict) {
    for (auto v : {names::verdict::invalid, names::verdict::invisible, names::verdict::reserved})
        EXPECT_FALSE(names::explain(v).empty());
}
