// The mixed cluster with Node's classic redis-adapter protocol: lib/matrix.mjs.
import { defineMatrix } from "./lib/matrix.mjs";

defineMatrix("classic");
