#pragma once

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
class presence {
public:
    struct user {
        std::string name; // as joined
        std::string key;  // name_key(name)
        std::string token;
        std::string sid; // the socket holding the name
        std::set<std::string> rooms;
    };

    enum class claim_status { created, taken_over, name_taken };
    struct claim_result {
        claim_status status = claim_status::name_taken;
        std::string previous_sid; // the socket that lost the name (taken_over only)
    };

    // Gives `key` to socket `sid`: a free key is created with `name` and `new_token`; a held one
    // moves to `sid` when `token` is the holder's (its rooms go with it), else name_taken.
    // `sid` must not hold a name already.
    claim_result claim(std::string const& name, std::string const& key,
                       std::optional<std::string> const& token, std::string const& sid,
                       std::string const& new_token);

    // Frees the name held by `sid`, if any, and returns that user as it was.
    std::optional<user> release(std::string const& sid);

    user const* find(std::string const& key) const;
    user const* by_socket(std::string const& sid) const;

    // Adds / removes the user `key` to / from `room`; true when that changed anything.
    bool enter(std::string const& key, std::string const& room);
    bool leave(std::string const& key, std::string const& room);
    bool in_room(std::string const& key, std::string const& room) const;

    // The names in `room`, sorted case-insensitively (by key, then name).
    std::vector<std::string> names(std::string const& room) const;

    std::size_t user_count() const { return users_.size(); }

private:
    std::unordered_map<std::string, user> users_;                  // key -> user
    std::unordered_map<std::string, std::string> sockets_;         // sid -> key
    std::unordered_map<std::string, std::set<std::string>> rooms_; // room -> keys
};

} // namespace kibitz::chat
