#include <kibitz/redis/command.hpp>

namespace kibitz::redis {

namespace {

void append_length(std::string& out, char prefix, std::size_t n) {
    out.push_back(prefix);
    out += std::to_string(n);
    out += "\r\n";
}

} // namespace

void append_command(std::string& out, std::span<std::string_view const> args) {
    std::size_t total = 16;
    for (auto const arg : args)
        total += arg.size() + 16;
    out.reserve(out.size() + total);
    append_length(out, '*', args.size());
    for (auto const arg : args) {
        append_length(out, '$', arg.size());
        out += arg;
        out += "\r\n";
    }
}

void append_command(std::string& out, std::initializer_list<std::string_view> args) {
    append_command(out, std::span<std::string_view const>(args.begin(), args.size()));
}

std::string command(std::initializer_list<std::string_view> args) {
    std::string out;
    append_command(out, args);
    return out;
}

std::string command(std::span<std::string_view const> args) {
    std::string out;
    append_command(out, args);
    return out;
}

} // namespace kibitz::redis
