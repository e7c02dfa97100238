// The mixed cluster with Node's @socket.io/redis-streams-adapter 0.3.1 (durable messages in the
// stream, requests over PUBLISH; docs/cluster.md): lib/matrix.mjs.
import { defineMatrix } from "./lib/matrix.mjs";

defineMatrix("streams");
