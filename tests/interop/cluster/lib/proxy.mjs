// A small TCP proxy standing for the load balancer of the recovery tests: it forwards each
// connection to the node it is pointed at, can hold new connections, and can drop the ones in
// flight (the client's transport closes, not the node's).

import net from "node:net";

// Forwards each connection to `target` (a port); while held, new connections wait. drop()
// closes the connections in flight (the client's transport, not the node's).
export function startProxy() {
  const state = { target: 0, held: [], holding: false, live: new Set() };
  const pipe = (client) => {
    const upstream = net.connect(state.target, "127.0.0.1");
    state.live.add(client);
    client.on("close", () => state.live.delete(client));
    client.pipe(upstream).pipe(client);
    for (const s of [client, upstream]) s.on("error", () => {}).on("close", () => (client.destroy(), upstream.destroy()));
  };
  const server = net.createServer((client) => (state.holding ? state.held.push(client) : pipe(client)));
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () =>
      resolve({
        url: `http://127.0.0.1:${server.address().port}`,
        to(port) {
          state.target = port;
        },
        hold() {
          state.holding = true;
        },
        release() {
          state.holding = false;
          for (const c of state.held.splice(0)) pipe(c);
        },
        drop() {
          for (const c of state.live) c.destroy();
        },
        close: () => new Promise((r) => server.close(r)),
      }),
    ),
  );
}
