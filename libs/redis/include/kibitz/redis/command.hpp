#pragma once

#include <initializer_list>
#include <span>
#include <string>
#include <string_view>

namespace kibitz::redis {

// Appends one command as Redis expects it from clients: an array of bulk strings
// ("*2\r\n$7\r\nPUBLISH\r\n..."). Arguments are binary-safe (msgpack payloads as they are).
void append_command(std::string& out, std::span<std::string_view const> args);
void append_command(std::string& out, std::initializer_list<std::string_view> args);

// The bytes of one command.
std::string command(std::initializer_list<std::string_view> args);
std::string command(std::span<std::string_view const> args);

} // namespace kibitz::redis
