// The reference: a Node socket.io 4.8 server instrumented by @socket.io/admin-ui 0.5.1, as its
// README shows, for tests/interop/admin/ to compare Kibitz's answers with.
//   node node-admin.mjs USERNAME BCRYPT_HASH [SERVER_ID [REDIS_URL]]
// With REDIS_URL, login sessions are kept in Redis by the package's RedisStore, given the
// callback client it is written for (exists(key, cb), multi().set().expire().exec(), values
// sent as strings, as node-redis 3 and ioredis send them) over npm redis 4.
// Prints `listening on http://127.0.0.1:PORT` once it accepts connections; stops on SIGTERM.
import { createServer } from "node:http";
import { Server } from "socket.io";
import { instrument, RedisStore } from "@socket.io/admin-ui";
import { createClient } from "redis";

const [username, password, serverId, redisUrl] = process.argv.slice(2);
let store;
if (redisUrl) {
  const client = createClient({ url: redisUrl });
  await client.connect();
  const callbacks = {
    exists(key, cb) {
      client.exists(key).then((n) => cb(null, n), (err) => cb(err));
    },
    multi() {
      const m = client.multi();
      const chain = {
        set: (k, v) => (m.set(k, String(v)), chain),
        expire: (k, secs) => (m.expire(k, secs), chain),
        exec: () => m.exec(),
      };
      return chain;
    },
  };
  store = new RedisStore(callbacks);
}
const http = createServer();
const io = new Server(http);
io.of("/custom");
instrument(io, {
  auth: { type: "basic", username, password },
  mode: "development",
  serverId: serverId || undefined,
  ...(store ? { store } : {}),
});
http.listen(0, "127.0.0.1", () => {
  console.log(`listening on http://127.0.0.1:${http.address().port}`);
});
process.on("SIGTERM", () => {
  io.close();
  http.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 2000).unref();
});
