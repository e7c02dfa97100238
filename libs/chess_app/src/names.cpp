#include <kibitz/chess_app/messages.hpp>
#include <kibitz/names/names.hpp>

namespace kibitz::chess_app {

// Player names follow the chat's rules (kibitz::names, one validator for both apps): well
// formed, nothing invisible, not reserved. Names in /chess need not be unique (the seat token is
// the identity), so look-alikes are not refused here.
bool valid_name(std::string_view name) {
    return names::check(name) == names::verdict::ok;
}

std::string_view name_problem(std::string_view name) {
    auto v = names::check(name);
    return v == names::verdict::ok ? std::string_view() : names::explain(v);
}

} // namespace kibitz::chess_app
