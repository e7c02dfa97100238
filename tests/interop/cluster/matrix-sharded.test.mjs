// The mixed cluster with Node's sharded redis-adapter (createShardedAdapter, SPUBLISH,
// subscriptionMode "dynamic"; CLUSTER.md 1.3): lib/matrix.mjs.
import { defineMatrix } from "./lib/matrix.mjs";

defineMatrix("sharded");
