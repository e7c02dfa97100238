// The Node reference for the benchmarks: the bench protocol of PROTOCOL.md ("Example servers")
// with npm socket.io 4.8 and its defaults. In "/", `chat message` with payload P does
// io.emit("chat message", P) (the sender included); `dm` with P.to a socket id does
// io.to(P.to).emit("dm", P).
//
//   node bench/node/server.mjs [--host 127.0.0.1] [--port 3000] [--ping-interval MS]
import { createServer } from "node:http";
import { Server } from "socket.io";

let host = "127.0.0.1";
let port = 3000;
let pingInterval = 25000;
const argv = process.argv.slice(2);
for (let i = 0; i + 1 < argv.length; i += 2) {
  if (argv[i] === "--host") host = argv[i + 1];
  else if (argv[i] === "--port") port = Number(argv[i + 1]);
  else if (argv[i] === "--ping-interval") pingInterval = Number(argv[i + 1]);
  else {
    console.error("usage: server.mjs [--host H] [--port P] [--ping-interval MS]");
    process.exit(2);
  }
}

const http = createServer();
const io = new Server(http, { serveClient: false, pingInterval });
io.on("connection", (socket) => {
  socket.on("chat message", (p) => io.emit("chat message", p));
  socket.on("dm", (p) => {
    if (p && typeof p.to === "string") io.to(p.to).emit("dm", p);
  });
});

http.listen(port, host, () => {
  console.log(`listening on http://${host}:${http.address().port}`);
});

process.on("SIGTERM", () => {
  io.close();
  process.exit(0);
});
