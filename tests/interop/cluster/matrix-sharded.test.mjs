// The mixed cluster with Node's sharded redis-adapter (createShardedAdapter, SPUBLISH,
// subscriptionMode "dynamic"; docs/cluster.md): lib/matrix.mjs.
import { defineMatrix } from "./lib/matrix.mjs";

defineMatrix("sharded");
