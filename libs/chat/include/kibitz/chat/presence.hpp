#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

namespace kibitz::chat {

// Who is connected to /chat under which name, and in which rooms (PROTOCOL.md: a name is unique
// across the namespace; one socket holds it; a token lets a new socket take it over). Pure state,
// keyed by name keys (name_key()) and socket ids; the service turns its changes into events.
// One owner thread.
//
// Identity: a name is held by an identity (the store's identity id), proven by its token. A
// claimed name is pending until the store has said which identity it is (confirm()): the
// token the joiner offered, when it belongs to that name's earlier identity, else the new token
// made at the claim. Tokens are compared by their SHA-256, in constant time.
class presence {
public:
    struct user {
        std::string name;                   // as joined
        std::string key;                    // name_key(name)
        std::vector<std::string> skeletons; // names::skeletons(name): look-alikes share one
        std::string token;      // the token of the identity (the new token while pending)
        std::string token_hash; // SHA-256 hex of `token` once confirmed
        std::optional<std::string> offered_token; // what the claiming join gave, until confirmed
        std::int64_t identity = 0;                // 0 while pending
        std::string sid;                          // the socket holding the name
        std::set<std::string> rooms;
    };

    enum class claim_status { created, taken_over, name_taken, confusable };
    struct claim_result {
        claim_status status = claim_status::name_taken;
        std::string previous_sid; // the socket that lost the name (taken_over only)
    };

    // Gives `key` to socket `sid`. A free key is created (pending) with `name`, the offered
    // `token` and `new_token`, unless another present name looks like it (same skeleton):
    // confusable. A held key moves to `sid` when it is confirmed and `token` is its token (its
    // rooms go with it), else name_taken. `sid` must not hold a name already.
    claim_result claim(std::string const& name, std::string const& key,
                       std::optional<std::string> const& token, std::string const& sid,
                       std::string const& new_token);

    // The store's answer for the pending `key`: its identity and its token (the offered one when
    // it was reused, else the new one). Nothing happens for an unknown or confirmed key.
    void confirm(std::string const& key, std::int64_t identity, std::string const& token);

    // Frees the name held by `sid`, if any, and returns that user as it was.
    std::optional<user> release(std::string const& sid);

    user const* find(std::string const& key) const;
    user const* by_socket(std::string const& sid) const;

    // Adds / removes the user `key` to / from `room`; true when that changed anything. A room
    // that `enter` opens is counted against `address` (the opener's) until it is empty again.
    bool enter(std::string const& key, std::string const& room, std::string const& address = {});
    bool leave(std::string const& key, std::string const& room);
    bool in_room(std::string const& key, std::string const& room) const;
    bool room_exists(std::string const& room) const { return rooms_.count(room) > 0; }

    // The names in `room`, sorted case-insensitively (by key, then name).
    std::vector<std::string> names(std::string const& room) const;

    std::size_t user_count() const { return users_.size(); }
    // Every user present, in no particular order.
    std::vector<user const*> all() const;
    // The identities of the confirmed users present.
    std::vector<std::int64_t> identities() const;
    // Rooms with at least one user.
    std::size_t room_count() const { return rooms_.size(); }
    // Rooms with at least one user that a user from `address` opened.
    std::size_t rooms_opened_from(std::string const& address) const;

private:
    std::unordered_map<std::string, user> users_;            // key -> user
    std::unordered_map<std::string, std::string> sockets_;   // sid -> key
    std::unordered_map<std::string, std::string> skeletons_; // skeleton -> key
    struct room_entry {
        std::set<std::string> keys;
        std::string opened_from; // the address it is counted against
    };
    // Takes `key` out of `room`'s entry; the entry and its count go when it is empty.
    void remove_from_room(std::string const& key, std::string const& room);

    std::unordered_map<std::string, room_entry> rooms_;        // room -> who is in it
    std::unordered_map<std::string, std::size_t> opened_from_; // address -> open rooms
};

} // namespace kibitz::chat
