#pragma once

#include <kibitz/cluster/redis_adapter.hpp>
#include <kibitz/socketio/server.hpp>

// With --redis, the conformance server is a cluster node the interop tests drive
// (tests/interop/cluster/): in "/", event `cluster` with {op, ...} runs one server-side cluster
// operation and acks its outcome. Ops:
//   emit {event, args, rooms?, except?, local?, volatile?}   -> {ok}
//   emitWithAck {event, args, rooms?, timeout}               -> {error, responses}
//   fetchSockets {rooms?, except?, local?}                   -> {error, sockets}
//   socketsJoin / socketsLeave {rooms?, except?, room}       -> {ok}
//   disconnectSockets {rooms?, except?, close}               -> {ok}
//   allRooms, serverCount                                     -> {error, rooms | count}
//   serverSideEmit {event, args, ack?}                        -> {error, responses}
//   join / leave {room} (the calling socket)                  -> {ok}
//   stats                                                     -> {uid, connected, pending...}
//   watchOutgoing (an on_any_outgoing listener on the calling socket) -> {ok}
//   outgoingLog: the [event, args] it saw since, then cleared -> [[event, args], ...]
// Server-side events from peers: `ping-srv` is acked with {pong: "kibitz", args}; every
// server-side event is recorded, and `serverSideLog` returns (and clears) the record.
namespace conformance {

void install_cluster_control(kibitz::socketio::server& io, kibitz::cluster::redis_cluster& cl);

} // namespace conformance
