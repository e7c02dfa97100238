#include <kibitz/chess/bitboard.hpp>

#include <cassert>

namespace kibitz::chess::detail {
namespace {

// Magic multipliers found offline by trial with a fixed xorshift seed. Any set works whose index
// collisions only ever map equal attack sets together; fill_magics asserts that on every build.
constexpr by_square<bitboard> bishop_magics = {
    0x10102002004a1420ULL, 0x8020040400584008ULL, 0x10510800811201c8ULL, 0x5204042080000088ULL,
    0x2204106880000002ULL, 0x1401042004000000ULL, 0x0400880410042004ULL, 0x0028208200a02020ULL,
    0x1500241990010e00ULL, 0x8001200182020a40ULL, 0x40004101030b0000ULL, 0x8002041042000100ULL,
    0x4010011041020038ULL, 0x0000010421044000ULL, 0x1500210808020a00ULL, 0x8000088400880520ULL,
    0x0405004010040100ULL, 0x1005823210040108ULL, 0x2708008102040011ULL, 0x4048200404009100ULL,
    0x0018104101400024ULL, 0x0003000601190101ULL, 0x8004803108491000ULL, 0x8014241200820800ULL,
    0x0006e080100c3040ULL, 0x0501044a11041800ULL, 0x9020300008004045ULL, 0x0894080000220040ULL,
    0x1001010083104000ULL, 0x5004030040900080ULL, 0x000400422c012400ULL, 0x0002128698404812ULL,
    0x1010108404900440ULL, 0x0928021182084100ULL, 0x2006080409020024ULL, 0x1010202020180080ULL,
    0xa010008200202200ULL, 0x2098015100019004ULL, 0x0002041440810811ULL, 0x802a02020000b098ULL,
    0x0009015090004060ULL, 0x4000821082081001ULL, 0x0100210040420800ULL, 0x0800004010488a00ULL,
    0x2000081104004040ULL, 0x4c8e029015000082ULL, 0x0420340322224842ULL, 0x1298260043400210ULL,
    0x0000822802400008ULL, 0x00008a0101600000ULL, 0x3040003412080021ULL, 0x3040290220884800ULL,
    0x4a1500401041004aULL, 0x8010200282020781ULL, 0x0020203142209091ULL, 0x0070300600902110ULL,
    0x0040808800b62048ULL, 0x0000810400c44420ULL, 0x00080400440c0441ULL, 0x8340080020840411ULL,
    0x0000000104208200ULL, 0x0000800810d00080ULL, 0x0400530411080200ULL, 0x4040702400932244ULL,
};

constexpr by_square<bitboard> rook_magics = {
    0x1080004008801020ULL, 0x0840092002c03000ULL, 0x1900200010400900ULL, 0x0880100008000480ULL,
    0x4200100420080200ULL, 0x8100020100080400ULL, 0x0200040110886200ULL, 0x0200008040220411ULL,
    0x0404800084400220ULL, 0x0000401000402000ULL, 0x0086001081220440ULL, 0x0408800800100280ULL,
    0x000a001201040820ULL, 0x8848800200840080ULL, 0x4001000100040200ULL, 0x0442000102105084ULL,
    0x9080010020804100ULL, 0x0040404000201009ULL, 0x0000808010002009ULL, 0x2200090021d00100ULL,
    0x0008008008040080ULL, 0x0004004002010040ULL, 0x0011040008015042ULL, 0x00000a0001768104ULL,
    0x0000800080204009ULL, 0x2010004140002001ULL, 0x9800200280100080ULL, 0x1000100080080080ULL,
    0x0442000a00049020ULL, 0x2100040080020080ULL, 0x0800120400900148ULL, 0x0010040a00128541ULL,
    0x2800804000800030ULL, 0x1010002000400041ULL, 0x4000200011004100ULL, 0x0610008410800800ULL,
    0x0400802402800800ULL, 0xc100020080800400ULL, 0x0002000802000401ULL, 0x0182085882000401ULL,
    0x0220204000808000ULL, 0x2860100040024022ULL, 0x0001002004110040ULL, 0x99101042000a0020ULL,
    0x0004080004008080ULL, 0x0010040002008080ULL, 0x2012004881020004ULL, 0x8300842444820011ULL,
    0x0088403882010200ULL, 0x0820400080210100ULL, 0x0110910040a00300ULL, 0x0801100280080480ULL,
    0x0242009008200600ULL, 0x1002000489500200ULL, 0x0040800200010080ULL, 0x0091800041000080ULL,
    0x0000209300488001ULL, 0x04c1002414824001ULL, 0x020020000b001041ULL, 0x7000100004200901ULL,
    0x8002002004100802ULL, 0x30010002084c0007ULL, 0x0888221800813004ULL, 0x4000002840840112ULL,
};

constexpr std::array<std::array<int, 2>, 4> bishop_steps = {{{1, 1}, {1, -1}, {-1, 1}, {-1, -1}}};
constexpr std::array<std::array<int, 2>, 4> rook_steps = {{{1, 0}, {-1, 0}, {0, 1}, {0, -1}}};

// Attacks by walking each ray until the board edge or the first occupied square.
bitboard slide(square s, bitboard occupied, std::array<std::array<int, 2>, 4> const& steps) {
    bitboard attacks = 0;
    for (auto const& step : steps) {
        int f = file_of(s) + step[0];
        int r = rank_of(s) + step[1];
        while (f >= 0 && f < 8 && r >= 0 && r < 8) {
            attacks |= bit(make_square(f, r));
            if (occupied & bit(make_square(f, r))) break;
            f += step[0];
            r += step[1];
        }
    }
    return attacks;
}

// The relevant occupancy mask: the empty-board rays without the board edges they run into.
bitboard relevant_mask(square s, std::array<std::array<int, 2>, 4> const& steps) {
    bitboard const edges = ((rank_bb(0) | rank_bb(7)) & ~rank_bb(rank_of(s))) |
                           ((file_bb(0) | file_bb(7)) & ~file_bb(file_of(s)));
    return slide(s, 0, steps) & ~edges;
}

// Fills one slider's entries and its shared attack array, enumerating every subset of each mask
// (Carry-Rippler: next = (sub - mask) & mask).
template<std::size_t N>
void fill_magics(by_square<magic_entry>& entries, std::array<bitboard, N>& storage,
                 by_square<bitboard> const& magics,
                 std::array<std::array<int, 2>, 4> const& steps) {
    std::size_t offset = 0;
    for (square s = 0; s < 64; ++s) {
        magic_entry& e = entries[s];
        e.mask = relevant_mask(s, steps);
        e.magic = magics[s];
        e.shift = static_cast<unsigned>(64 - popcount(e.mask));
        e.attacks = storage.data() + offset;
        bitboard sub = 0;
        do {
            bitboard& slot = storage[offset + ((sub * e.magic) >> e.shift)];
            bitboard const attacks = slide(s, sub, steps);
            assert(slot == 0 || slot == attacks); // a slider always attacks some square
            slot = attacks;
            sub = (sub - e.mask) & e.mask;
        } while (sub != 0);
        offset += std::size_t{1} << popcount(e.mask);
    }
    assert(offset == N);
}

// The (file, rank) step from a to b if they share a line, else {0, 0}.
std::array<int, 2> direction(square a, square b) {
    int const df = file_of(b) - file_of(a);
    int const dr = rank_of(b) - rank_of(a);
    if (a == b || (df != 0 && dr != 0 && df != dr && df != -dr)) return {0, 0};
    return {(df > 0) - (df < 0), (dr > 0) - (dr < 0)};
}

} // namespace

slider_tables::slider_tables()
    : bishop{}, rook{}, between{}, line{}, bishop_attacks{}, rook_attacks{} {
    fill_magics(bishop, bishop_attacks, bishop_magics, bishop_steps);
    fill_magics(rook, rook_attacks, rook_magics, rook_steps);
    for (square a = 0; a < 64; ++a) {
        for (square b = 0; b < 64; ++b) {
            auto const [df, dr] = direction(a, b);
            if (df == 0 && dr == 0) continue;
            bitboard ray = bit(a);
            for (int f = file_of(a), r = rank_of(a); f >= 0 && f < 8 && r >= 0 && r < 8;
                 f += df, r += dr)
                ray |= bit(make_square(f, r));
            for (int f = file_of(a), r = rank_of(a); f >= 0 && f < 8 && r >= 0 && r < 8;
                 f -= df, r -= dr)
                ray |= bit(make_square(f, r));
            line[a][b] = ray;
            for (square s = a + (dr * 8 + df); s != b; s += dr * 8 + df)
                between[a][b] |= bit(s);
        }
    }
}

} // namespace kibitz::chess::detail
