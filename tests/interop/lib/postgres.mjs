// Test harness: a throwaway PostgreSQL 15 server (Debian's postgresql-15) on a free loopback
// port, in a temporary directory, started and stopped by its own PID. initdb refuses to run as
// root, so as root the server runs as the `postgres` user (setpriv execs, so the PID we hold is
// the postmaster's own). Every wait is capped; nothing waits for a fixed time.

import { spawn, spawnSync } from "node:child_process";
import { chmodSync, chownSync, existsSync, mkdtempSync, rmSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";

const CAP_MS = 20_000;

function pgBin() {
  const r = spawnSync("pg_config", ["--bindir"], { encoding: "utf8" });
  const fromConfig = r.status === 0 ? r.stdout.trim() : "";
  for (const dir of [fromConfig, "/usr/lib/postgresql/15/bin"]) {
    if (dir && existsSync(path.join(dir, "initdb")) && existsSync(path.join(dir, "postgres"))) return dir;
  }
  throw new Error("PostgreSQL 15 server binaries not found (Debian package postgresql-15)");
}

const asRoot = process.getuid?.() === 0;

// The command line that runs `cmd` as the postgres user when we are root.
function asPostgres(cmd, args) {
  if (!asRoot) return [cmd, args];
  return ["setpriv", ["--reuid=postgres", "--regid=postgres", "--init-groups", "--", cmd, ...args]];
}

function run(cmd, args) {
  const [c, a] = asPostgres(cmd, args);
  const r = spawnSync(c, a, { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed: ${r.stderr || r.stdout}`);
  return r.stdout;
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

async function until(check, what) {
  const deadline = Date.now() + CAP_MS;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`PostgreSQL: ${what} within ${CAP_MS} ms`);
    await new Promise((r) => setTimeout(r, 50)); // polling a readiness probe, not timing a test
  }
}

// Starts a server; resolves with { url(db), createDatabase(name), crash(), start(), stop() }.
export async function startPostgres() {
  const bin = pgBin();
  const dir = mkdtempSync(path.join(tmpdir(), "kibitz-pg-"));
  const data = path.join(dir, "data");
  if (asRoot) {
    chownSync(dir, userId("postgres"), groupId("postgres"));
    chmodSync(dir, 0o700);
  }
  run(path.join(bin, "initdb"), ["-D", data, "-A", "trust", "-U", "kibitz", "-E", "UTF8", "--no-sync", "--no-instructions"]);
  const port = await freePort();
  let proc = null;
  let exited = null;
  let log = "";

  async function start() {
    const [c, a] = asPostgres(path.join(bin, "postgres"), [
      "-D", data, "-p", String(port), "-k", dir, "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off",
      "-c", "max_connections=50", "-c", "shared_buffers=16MB",
    ]);
    proc = spawn(c, a, { stdio: ["ignore", "ignore", "pipe"] });
    proc.stderr.setEncoding("utf8");
    proc.stderr.on("data", (d) => (log = (log + d).slice(-16384)));
    exited = new Promise((resolve) => proc.once("exit", resolve));
    let gone = false;
    exited.then(() => (gone = true));
    await until(() => {
      if (gone) throw new Error(`postgres exited at start:\n${log}`);
      return spawnSync(path.join(bin, "pg_isready"), ["-h", "127.0.0.1", "-p", String(port), "-q"]).status === 0;
    }, "accepting connections");
  }

  // Ends the server by its PID: SIGINT is a fast shutdown, SIGQUIT an immediate one (no
  // checkpoint: the next start recovers from the WAL, as after a crash).
  async function stopWith(signal) {
    if (!proc) return;
    proc.kill(signal);
    await exited;
    proc = null;
  }

  await start();
  return {
    port,
    url: (db) => `postgresql://kibitz@127.0.0.1:${port}/${db}`,
    createDatabase(name) {
      run(path.join(bin, "createdb"), ["-h", "127.0.0.1", "-p", String(port), "-U", "kibitz", "-T", "template0", name]);
    },
    psql(db, sql) {
      const r = spawnSync("psql", ["-h", "127.0.0.1", "-p", String(port), "-U", "kibitz", "-d", db, "-At", "-c", sql], { encoding: "utf8" });
      if (r.status !== 0) throw new Error(`psql: ${r.stderr}`);
      return r.stdout.trim();
    },
    start,
    crash: () => stopWith("SIGQUIT"),
    async stop() {
      await stopWith("SIGINT");
      rmSync(dir, { recursive: true, force: true });
    },
    log: () => log,
  };
}

function userId(name) {
  return Number(spawnSync("id", ["-u", name], { encoding: "utf8" }).stdout.trim());
}

function groupId(name) {
  return Number(spawnSync("id", ["-g", name], { encoding: "utf8" }).stdout.trim());
}
