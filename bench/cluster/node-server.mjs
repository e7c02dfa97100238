// The Node reference of the cluster bench: bench/node/server.mjs's bench protocol (PROTOCOL.md,
// "Example servers") on npm socket.io 4.8 with @socket.io/redis-adapter 8.3 (classic) and
// node-redis 4.7, so `io.emit` and `io.to(socket id)` cross nodes.
//
//   node bench/cluster/node-server.mjs --redis redis://127.0.0.1:6379 [--host H] [--port P]
import { createServer } from "node:http";
import { Server } from "socket.io";
import { createAdapter } from "@socket.io/redis-adapter";
import { createClient } from "redis";

let host = "127.0.0.1";
let port = 3000;
let redisUrl = "";
const argv = process.argv.slice(2);
for (let i = 0; i + 1 < argv.length; i += 2) {
  if (argv[i] === "--host") host = argv[i + 1];
  else if (argv[i] === "--port") port = Number(argv[i + 1]);
  else if (argv[i] === "--redis") redisUrl = argv[i + 1];
  else {
    console.error("usage: node-server.mjs --redis URL [--host H] [--port P]");
    process.exit(2);
  }
}
if (!redisUrl) {
  console.error("node-server.mjs: --redis URL is required");
  process.exit(2);
}

const pub = createClient({ url: redisUrl });
const sub = pub.duplicate();
pub.on("error", (e) => console.error("redis:", e.message));
sub.on("error", (e) => console.error("redis:", e.message));
await Promise.all([pub.connect(), sub.connect()]);

const http = createServer();
const io = new Server(http, { serveClient: false, adapter: createAdapter(pub, sub) });
io.on("connection", (socket) => {
  socket.on("chat message", (p) => io.emit("chat message", p));
  socket.on("dm", (p) => {
    if (p && typeof p.to === "string") io.to(p.to).emit("dm", p);
  });
});

http.listen(port, host, () => {
  console.log(`listening on http://${host}:${http.address().port}`);
});

process.on("SIGTERM", async () => {
  io.close();
  await Promise.allSettled([pub.quit(), sub.quit()]);
  process.exit(0);
});
