// Arbitrary bytes as a message from Redis, read every way the Redis adapter reads one: as a
// broadcast (then written back, read again and written to the same bytes), and as a
// request or an answer (JSON or msgpack), with the sockets of an answer parsed. Nothing may
// crash, throw or exceed the nesting limits.
#include <kibitz/cluster/messages.hpp>
#include <kibitz/cluster/requests.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

using namespace kibitz;

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
    std::string_view bytes(reinterpret_cast<char const*>(data), size);
    cluster::broadcast_message m;
    if (!cluster::decode_broadcast(bytes, m)) {
        auto again = cluster::encode_broadcast(m.uid, m.packet, m.opts);
        cluster::broadcast_message back;
        // What we write reads back, and writes to the same bytes (NaN compares unequal, so
        // the bytes are compared, not the values).
        if (cluster::decode_broadcast(again, back)) std::abort();
        if (cluster::encode_broadcast(back.uid, back.packet, back.opts) != again) std::abort();
    }
    json obj;
    if (cluster::decode_object(bytes, obj)) return 0;
    cluster::request r;
    (void)cluster::parse_request(obj, r);
    for (auto type : {cluster::request_type::remote_fetch, cluster::request_type::sockets,
                      cluster::request_type::all_rooms, cluster::request_type::server_side_emit}) {
        cluster::pending_request p;
        p.type = type;
        p.expected = 1;
        (void)p.add_answer(obj);
    }
    // The sharded adapter's reading of the same object as an envelope {type, data, uid, nsp}.
    if (auto d = obj.find("data"); d != obj.end()) {
        socketio::packet p;
        socketio::broadcast_options o;
        if (cluster::read_sharded_broadcast(*d, p, o)) {
            nlohmann::ordered_json env_data = {
                {"packet", {{"type", 2}, {"data", cluster::to_ordered(p.data)}}},
                {"opts", cluster::encode_sharded_opts(o)}};
            json back;
            if (cluster::decode_object(cluster::encode_envelope(cluster::sharded_type::broadcast,
                                                                env_data, "u", p.nsp),
                                       back))
                std::abort();
        }
    }
    if (auto s = obj.find("sockets"); s != obj.end() && s->is_array())
        for (auto const& e : *s)
            if (auto info = cluster::parse_socket(e)) (void)cluster::encode_socket(*info);
    return 0;
}
