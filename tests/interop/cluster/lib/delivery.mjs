// Cross-node delivery checks shared by the cluster fault tests (tests/interop/cluster/faults
// and tests/faults/cluster-redis): a marker broadcast from one node's client reaching another's,
// retried until it holds after a fault, and whether a client's connection dropped.

import { control } from "./nodes.mjs";
import { waitFor } from "../../lib/eio.mjs";

let seq = 0;

// Emits a marker from `from` to all; resolves once `to` has it (rejects after `capMs`).
export async function crosses(from, to, capMs) {
  const marker = `m-${++seq}`;
  await control(from.socket, { op: "emit", event: "marker", args: [marker] });
  await waitFor(() => (to.got.get("marker") ?? []).some((x) => x[0] === marker), { timeoutMs: capMs, what: marker });
}

// Retries `crosses` (300 ms each) until it holds, after a fault; rejects after `capMs`.
export const comesBack = (from, to, capMs) =>
  waitFor(async () => crosses(from, to, 300).then(() => true, () => false), {
    timeoutMs: capMs, everyMs: 1, what: "cross-node delivery back",
  });

// {gone}: set once the client's socket disconnects.
export function watchDrop(c) {
  const s = { gone: false };
  c.socket.once("disconnect", () => (s.gone = true));
  return s;
}
