// Stateful libFuzzer target for one whole connection without I/O: the Engine.IO session machine
// (polling, the WebSocket upgrade, heartbeats, the send queue) driven by a program of client
// events and clock steps, with every message it delivers fed to a Socket.IO decoder as the
// server's client would. The shell here only does what the real shell can do (a probe message
// only while a probe is open, the timer only once armed, deferred work only once posted), so
// every path the fuzzer finds is one a client can reach. The input is a program of operations,
// each an opcode byte and its operands:
//   0 len ..   a long-poll GET, or a POST of len bytes (the low bit of the next byte chooses)
//   1 len ..   a WebSocket message on the transport (text or binary by the next byte's low bit)
//   2 len ..   a probe opens (when the machine allows it), or a text message on the open probe
//   3 d        the clock moves d * 97 ms; the timer fires when it is due
//   4 len ..   the application sends a message of len bytes (volatile when the next byte is odd)
//   5 k        a transport event: k % 6 = drained, busy, end-of-turn flush, probe closed,
//              WebSocket closed, WebSocket failed
//   6          deferred work posted by the machine runs
//   7          the application closes the session
// Invariants: the machine ends at most once and, after it ended, says nothing but the answer to
// the request that ended it; requests are answered 200, 400 or 413; its queue stays within the
// send-queue limit plus the packet that crossed it; one event yields a bounded number of actions;
// and the decoder keeps its own bound (a yielded packet holds no more binary bytes than were fed).
#include "session_machine.hpp"

#include <kibitz/engineio/packet.hpp>
#include <kibitz/socketio/decoder.hpp>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <deque>
#include <optional>
#include <string>
#include <string_view>

namespace {

using namespace kibitz;
using namespace kibitz::engineio;
using namespace kibitz::engineio::detail;
using namespace std::chrono_literals;

void check(bool ok) {
    if (!ok) std::abort();
}

struct program {
    std::string_view bytes;

    std::uint8_t next() {
        if (bytes.empty()) return 0;
        auto const b = static_cast<std::uint8_t>(bytes.front());
        bytes.remove_prefix(1);
        return b;
    }
    std::string_view take(std::size_t n) {
        auto const out = bytes.substr(0, n);
        bytes.remove_prefix(out.size());
        return out;
    }
    // A length byte, then that many bytes (a short length keeps programs dense).
    std::string_view chunk() { return take(next()); }
};

options make_options() {
    options o;
    o.ping_interval = 2500ms;
    o.ping_timeout = 2000ms;
    o.upgrade_timeout = 1000ms;
    o.max_send_queue_bytes = 512;
    return o;
}

std::size_t binary_bytes(json const& value) {
    if (value.is_binary()) return value.get_binary().size();
    std::size_t n = 0;
    if (value.is_structured())
        for (auto const& element : value)
            n += binary_bytes(element);
    return n;
}

class connection {
public:
    connection() : machine_(opts_, make_packet(packet_type::ping)) {
        machine_.start(now_);
        apply();
    }

    void run(program& in) {
        // The server forgets an ended session: nothing reaches it after that.
        while (!in.bytes.empty() && !ended_)
            step(in);
        // The clock runs on: the heartbeat ends the session, whatever the client did.
        for (int i = 0; i < 8 && !ended_; ++i)
            advance(std::chrono::milliseconds(opts_.ping_interval + opts_.ping_timeout));
    }

private:
    void step(program& in) {
        switch (in.next() % 8) {
        case 0:
            return poll(in);
        case 1:
            return websocket(in);
        case 2:
            return probe(in);
        case 3:
            return advance(std::chrono::milliseconds(97 * in.next()));
        case 4:
            return send(in);
        case 5:
            return transport_event(in.next() % 6);
        case 6:
            return run_posted();
        default:
            machine_.close(now_);
            return apply();
        }
    }

    void poll(program& in) {
        auto const body = in.chunk();
        auto const kind = in.next();
        if ((kind & 1) == 0) {
            machine_.poll_get(now_);
        } else {
            std::optional<std::string_view> type;
            if ((kind & 2) != 0) type = "application/octet-stream";
            machine_.poll_post((kind & 4) != 0, type, body, now_);
        }
        apply();
    }

    void websocket(program& in) {
        auto const data = in.chunk();
        bool const binary = (in.next() & 1) != 0;
        if (!ws_open_) return;
        machine_.ws_message(ws_role::transport, binary, data, busy_, now_);
        apply();
    }

    void probe(program& in) {
        auto const data = in.chunk();
        if (!probe_open_) {
            if (ws_open_ || !machine_.can_upgrade()) return;
            probe_open_ = true;
            machine_.probe_opened(now_);
        } else {
            machine_.ws_message(ws_role::probe, false, data, false, now_);
        }
        apply();
    }

    void advance(std::chrono::milliseconds d) {
        now_ += d;
        if (timer_ && *timer_ <= now_) {
            timer_.reset();
            machine_.timer_fired(now_);
            apply();
        }
    }

    void send(program& in) {
        auto const data = in.chunk();
        bool const droppable = (in.next() & 1) != 0;
        auto const r = machine_.send(make_message(data), droppable, busy_);
        if (r == send_result::queued_flush) flush_due_ = true;
        largest_ = std::max(largest_, data.size() + 1);
        apply();
    }

    void transport_event(int k) {
        switch (k) {
        case 0:
            if (!busy_) return;
            busy_ = false;
            machine_.ws_drained();
            break;
        case 1:
            busy_ = ws_open_;
            return;
        case 2:
            if (!flush_due_) return;
            flush_due_ = false;
            machine_.flush_due(busy_);
            break;
        case 3:
            if (!probe_open_) return;
            probe_open_ = false;
            machine_.ws_closed(ws_role::probe, false, "");
            break;
        default:
            if (!ws_open_) return;
            ws_open_ = false;
            busy_ = false;
            machine_.ws_closed(ws_role::transport, k == 5, "gone");
            break;
        }
        apply();
    }

    void run_posted() {
        if (posted_.empty()) return;
        auto const work = posted_.front();
        posted_.pop_front();
        machine_.posted(work, busy_);
        apply();
    }

    // Takes every action, as the shell would apply it, and checks the invariants.
    void apply() {
        using kind = session_action::kind;
        session_action a;
        std::size_t count = 0;
        while (machine_.next(a)) {
            check(++count <= 256);
            // After the end: nothing but the answer to the request that ended it.
            check(!ended_ || a.what == kind::cancel_timer || a.what == kind::none ||
                  a.what == kind::answer_request);
            switch (a.what) {
            case kind::answer_request:
                check(a.status == 200 || a.status == 400 || a.status == 413);
                break;
            case kind::promote_probe:
                check(probe_open_);
                probe_open_ = false;
                ws_open_ = true;
                break;
            case kind::close_ws:
                ws_open_ = false;
                break;
            case kind::close_probe:
                probe_open_ = false;
                break;
            case kind::deliver:
                decode(a.binary, a.body);
                break;
            case kind::schedule_flush:
                flush_due_ = true;
                break;
            case kind::post:
                posted_.push_back(a.work);
                break;
            case kind::arm_timer:
                timer_ = a.at;
                break;
            case kind::cancel_timer:
                timer_.reset();
                break;
            case kind::closed:
                ended_ = true;
                break;
            default:
                break;
            }
        }
        check(machine_.buffered_bytes() <= opts_.max_send_queue_bytes + largest_ + 8);
        if (decoder_.expired(now_)) decoder_.reset();
    }

    void decode(bool binary, std::string const& body) {
        auto r = binary ? decoder_.feed_binary(body, now_) : decoder_.feed_text(body, now_);
        attachment_bytes_ += binary ? body.size() : 0;
        if (r.status == socketio::decode_status::packet) {
            check(binary_bytes(r.pkt.data) <= attachment_bytes_);
            attachment_bytes_ = 0;
        } else if (r.status == socketio::decode_status::error) {
            check(!decoder_.pending());
            attachment_bytes_ = 0;
        }
    }

    options opts_ = make_options();
    util::time_point now_{std::chrono::hours(1)};
    session_machine machine_;
    socketio::decoder decoder_;
    std::optional<util::time_point> timer_;
    std::deque<deferred> posted_;
    std::size_t largest_ = 0;
    std::size_t attachment_bytes_ = 0;
    bool ws_open_ = false;
    bool probe_open_ = false;
    bool busy_ = false;
    bool flush_due_ = false;
    bool ended_ = false;
};

} // namespace

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
    if (size > 1 << 16) return 0;
    program in{std::string_view(reinterpret_cast<char const*>(data), size)};
    connection c;
    c.run(in);
    return 0;
}
