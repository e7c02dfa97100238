// kibitz::msgpack against the bytes Node's notepack.io 3.0.1 wrote (notepack_goldens.json).
#include <kibitz/test/hex.hpp>

#include <kibitz/msgpack/reader.hpp>
#include <kibitz/msgpack/writer.hpp>
#include <kibitz/util/sha256.hpp>

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

namespace {

using namespace kibitz;
using namespace kibitz::msgpack;
using namespace kibitz::test;
using ordered = nlohmann::ordered_json;

ordered load_goldens() {
    std::ifstream in(KIBITZ_NOTEPACK_GOLDENS);
    std::stringstream text;
    text << in.rdbuf();
    return ordered::parse(text.str());
}

// {"$map": n}: {k0: 0, k1: 1, ...}. The writer's header calls write it in insertion order
// (ordered_json's inserts are linear: 65536 keys would take a minute under ASan).
bool is_map_case(ordered const& v) {
    return v.is_object() && v.contains("$map");
}

std::size_t map_size(ordered const& v) {
    return v["$map"].get<std::size_t>();
}

std::string write_map_case(std::size_t n) {
    std::string out;
    writer w(out);
    w.map_header(n);
    for (std::size_t i = 0; i < n; ++i) {
        w.string("k" + std::to_string(i));
        w.unsigned_integer(i);
    }
    return out;
}

json map_case(std::size_t n) {
    json out = json::object();
    for (std::size_t i = 0; i < n; ++i)
        out["k" + std::to_string(i)] = i;
    return out;
}

// The fixture's tagged value as the ordered JSON our writer takes.
ordered untag(ordered const& v) {
    if (v.is_array()) {
        ordered out = ordered::array();
        for (auto const& e : v)
            out.push_back(untag(e));
        return out;
    }
    if (!v.is_object()) return v;
    if (v.contains("$bin")) {
        std::string const bytes = from_hex(v["$bin"].get<std::string>());
        return ordered::binary(std::vector<std::uint8_t>(bytes.begin(), bytes.end()));
    }
    if (v.contains("$binfill")) {
        return ordered::binary(std::vector<std::uint8_t>(v["$binfill"].get<std::size_t>(), 7));
    }
    // A JavaScript number JSON text cannot hold as such (NaN, -0, above 2^53).
    if (v.contains("$num")) return std::stod(v["$num"].get<std::string>());
    if (v.contains("$str")) return std::string(v["$str"].get<std::size_t>(), 'x');
    if (v.contains("$array")) {
        return ordered(std::vector<int>(v["$array"].get<std::size_t>(), 1));
    }
    ordered out = ordered::object();
    for (auto const& [key, e] : v.items())
        out[key] = untag(e);
    return out;
}

void expect_bytes(ordered const& golden, std::string const& bytes) {
    if (golden.contains("hex")) {
        EXPECT_EQ(to_hex(bytes), golden["hex"].get<std::string>()) << golden["name"];
    } else {
        EXPECT_EQ(bytes.size(), golden["size"].get<std::size_t>()) << golden["name"];
        EXPECT_EQ(util::sha256_hex(bytes), golden["sha256"].get<std::string>()) << golden["name"];
    }
}

TEST(notepack_goldens, the_table_is_there) {
    EXPECT_GE(load_goldens().size(), 70u);
}

TEST(notepack_goldens, writer_matches_notepack_byte_for_byte) {
    for (auto const& golden : load_goldens()) {
        if (golden.contains("read")) continue; // Dates: kibitz::json has no Date to write
        ordered const& v = golden["value"];
        expect_bytes(golden, is_map_case(v) ? write_map_case(map_size(v)) : write(untag(v)));
    }
}

TEST(notepack_goldens, reader_reads_notepack_bytes_back) {
    for (auto const& golden : load_goldens()) {
        if (!golden.contains("hex")) continue;
        json value;
        ASSERT_FALSE(read(from_hex(golden["hex"].get<std::string>()), value)) << golden["name"];
        if (golden.contains("read")) {
            EXPECT_EQ(value, json(golden["read"])) << golden["name"];
            continue;
        }
        // The same values, with sorted keys on our side; NaN is never equal to itself.
        ordered const& v = golden["value"];
        json const expected = is_map_case(v) ? map_case(map_size(v)) : json(untag(v));
        if (expected.is_number_float() && std::isnan(expected.get<double>())) {
            EXPECT_TRUE(value.is_number_float() && std::isnan(value.get<double>()));
        } else {
            EXPECT_EQ(value, expected) << golden["name"];
        }
    }
}

TEST(notepack_goldens, reader_then_writer_is_the_identity_on_large_values) {
    for (auto const& golden : load_goldens()) {
        if (golden.contains("hex") || golden["value"].contains("$map")) continue;
        std::string const bytes = write(untag(golden["value"]));
        json value;
        ASSERT_FALSE(read(bytes, value)) << golden["name"];
        EXPECT_EQ(write(value), bytes) << golden["name"];
    }
}

} // namespace
