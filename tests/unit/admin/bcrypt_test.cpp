#include <kibitz/admin/bcrypt.hpp>
#include <kibitz/admin/verifier.hpp>

#include <gtest/gtest.h>

#include <functional>
#include <future>
#include <mutex>
#include <string>
#include <vector>

using namespace kibitz::admin;

namespace {
// The hash @socket.io/admin-ui's README gives for "changeit" ($2b$, cost 10), and one bcryptjs
// (what the README tells people to use) wrote for it ($2a$, cost 8).
constexpr char const* readme_hash = "$2b$10$heqvAkYMez.Va6Et2uXInOnkCT6/uQj1brkrbyG3LpopDklcq7ZOS";
constexpr char const* bcryptjs_hash =
    "$2a$08$mNg/V8SL4NRSD98uZx.GM.p5i8k5xthZvnL8BujDyG7agu4t/hW36";
} // namespace

TEST(bcrypt, accepts_the_right_password_for_2b_and_2a_hashes) {
    EXPECT_TRUE(bcrypt_check("changeit", readme_hash));
    EXPECT_TRUE(bcrypt_check("changeit", bcryptjs_hash));
}

TEST(bcrypt, refuses_a_wrong_password) {
    EXPECT_FALSE(bcrypt_check("changeIt", readme_hash));
    EXPECT_FALSE(bcrypt_check("", readme_hash));
    EXPECT_FALSE(bcrypt_check("changeit ", bcryptjs_hash));
}

TEST(bcrypt, refuses_a_password_with_a_nul_byte) {
    // crypt takes C strings: "changeit\0x" would otherwise be checked as "changeit".
    EXPECT_FALSE(bcrypt_check(std::string("changeit\0x", 10), readme_hash));
}

TEST(bcrypt, tells_bcrypt_hashes_from_anything_else) {
    EXPECT_TRUE(is_bcrypt_hash(readme_hash));
    EXPECT_TRUE(is_bcrypt_hash(bcryptjs_hash));
    std::string h = readme_hash;
    EXPECT_FALSE(is_bcrypt_hash(h.substr(0, 59)));                      // too short
    EXPECT_FALSE(is_bcrypt_hash(h + "x"));                              // too long
    EXPECT_FALSE(is_bcrypt_hash("$1$" + h.substr(3)));                  // MD5-crypt prefix
    EXPECT_FALSE(is_bcrypt_hash("$2b$03$" + h.substr(7)));              // cost below 4
    EXPECT_FALSE(is_bcrypt_hash("$2b$32$" + h.substr(7)));              // cost above 31
    EXPECT_FALSE(is_bcrypt_hash(h.substr(0, 20) + "!" + h.substr(21))); // not bcrypt base64
    EXPECT_FALSE(is_bcrypt_hash("changeit"));
    EXPECT_FALSE(is_bcrypt_hash(""));
    // Nothing matches an invalid hash, even its own text.
    EXPECT_FALSE(bcrypt_check("changeit", "changeit"));
}

TEST(verifier, answers_each_check_through_post_in_order) {
    std::mutex m;
    std::vector<std::function<void()>> posted;
    std::promise<void> two_posted;
    verifier v(
        bcryptjs_hash,
        [&](std::function<void()> fn) {
            std::lock_guard lock(m);
            posted.push_back(std::move(fn));
            if (posted.size() == 2) two_posted.set_value();
        },
        8);
    std::vector<bool> answers;
    ASSERT_TRUE(v.check("changeit", [&](bool ok) { answers.push_back(ok); }));
    ASSERT_TRUE(v.check("wrong", [&](bool ok) { answers.push_back(ok); }));
    // The thread hands the answers over; they run only where post() puts them (the loop).
    ASSERT_EQ(two_posted.get_future().wait_for(std::chrono::seconds(30)),
              std::future_status::ready);
    EXPECT_TRUE(answers.empty());
    std::lock_guard lock(m);
    for (auto& fn : posted)
        fn();
    EXPECT_EQ(answers, (std::vector<bool>{true, false}));
}

TEST(verifier, refuses_a_check_past_its_queue_limit) {
    // The cost-10 hash keeps the thread busy with the first check while the others queue.
    std::promise<void> first_posted;
    bool once = false;
    std::mutex m;
    verifier v(
        readme_hash,
        [&](std::function<void()>) {
            std::lock_guard lock(m);
            if (!once) first_posted.set_value();
            once = true;
        },
        2);
    int accepted = 0;
    for (int i = 0; i < 10; ++i)
        accepted += v.check("changeit", [](bool) {}) ? 1 : 0;
    // At most one in progress and two waiting: 3 of the 10 at the most, 2 at the least.
    EXPECT_GE(accepted, 2);
    EXPECT_LE(accepted, 3);
    ASSERT_EQ(first_posted.get_future().wait_for(std::chrono::seconds(30)),
              std::future_status::ready);
}
