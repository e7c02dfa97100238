// HAProxy (Debian's haproxy 2.6) in front of kibitz nodes, for the cluster tests: a config
// (deploy/haproxy.cfg by default) rendered into a directory of the test's own and checked with
// `haproxy -c`, the nodes' addresses passed in the environment as the config expects, the
// process started with -db on a free port and stopped by its own PID.

import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { repoRoot, withTimeout } from "../lib/server.mjs";
import { freePort } from "../lib/postgres.mjs";

export const deployConfig = () => readFileSync(path.join(repoRoot, "deploy/haproxy.cfg"), "utf8");

// Starts haproxy with `config` (text) in front of `ports` (KIBITZ_NODE1, KIBITZ_NODE2), writing
// `<dir>/<name>.cfg`. Resolves once every node answers through it (its health checks have run)
// with {url, stop()}.
export async function startHaproxy({ config = deployConfig(), dir, name = "haproxy", ports }) {
  const port = await freePort();
  const file = path.join(dir, `${name}.cfg`);
  writeFileSync(file, config);
  const env = { ...process.env, KIBITZ_LB_BIND: `127.0.0.1:${port}` };
  ports.forEach((p, i) => (env[`KIBITZ_NODE${i + 1}`] = `127.0.0.1:${p}`));
  const check = spawnSync("haproxy", ["-c", "-q", "-f", file], { env, encoding: "utf8" });
  assert.equal(check.status, 0, check.stderr);
  const proc = spawn("haproxy", ["-db", "-f", file], { env, stdio: ["ignore", "ignore", "pipe"] });
  let log = "";
  proc.stderr.on("data", (d) => (log += d));
  let gone = false;
  const exited = new Promise((resolve) => proc.once("exit", resolve)).then(() => (gone = true));
  const url = `http://127.0.0.1:${port}`;
  await withTimeout(
    (async () => {
      for (;;) {
        if (gone) throw new Error(`haproxy exited: ${log}`);
        const seen = new Set();
        for (let i = 0; i < 2 * ports.length; i++) {
          const r = await fetch(`${url}/healthz`).catch(() => null);
          if (r?.ok) seen.add(r.headers.get("set-cookie") ?? `plain-${i % ports.length}`);
        }
        if (seen.size >= ports.length) return;
        await new Promise((r) => setTimeout(r, 100)); // polling readiness, not timing the test
      }
    })(),
    15_000,
    `haproxy ready (${log})`,
  );
  return {
    url,
    log: () => log,
    async stop() {
      if (!gone) proc.kill("SIGTERM");
      await exited;
    },
  };
}
