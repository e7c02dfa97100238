#include <kibitz/chat/users_batch.hpp>

namespace kibitz::chat {

bool users_batch::mark(std::string const& room) {
    bool const first = rooms_.empty();
    rooms_.insert(room);
    return first;
}

std::vector<std::string> users_batch::take() {
    std::vector<std::string> out(rooms_.begin(), rooms_.end());
    rooms_.clear();
    return out;
}

} // namespace kibitz::chat
