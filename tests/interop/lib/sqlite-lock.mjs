// A second process that takes SQLite's write lock (BEGIN EXCLUSIVE) on a database file and holds
// it: Debian's /usr/bin/python3 with its sqlite3 module. For the tests of "no ok ack without a
// commit": resolves once the lock is held; release() rolls back and waits for the exit, kill()
// ends the child at once.

import { spawn } from "node:child_process";
import { withTimeout } from "./server.mjs";

const CAP_MS = 10_000;

export async function holdWriteLock(file) {
  const script = [
    "import sqlite3, sys",
    "c = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=10)",
    "c.execute('BEGIN EXCLUSIVE')",
    "print('locked', flush=True)",
    "sys.stdin.read()",
    "c.execute('ROLLBACK')",
  ].join("\n");
  const child = spawn("/usr/bin/python3", ["-c", script, file], { stdio: ["pipe", "pipe", "inherit"] });
  const exited = new Promise((resolve) => child.once("exit", resolve));
  await withTimeout(
    new Promise((resolve, reject) => {
      let out = "";
      child.stdout.on("data", (d) => {
        out += d;
        if (out.includes("locked")) resolve();
      });
      child.once("exit", (code) => reject(new Error(`the lock holder exited with ${code}`)));
    }),
    CAP_MS,
    "python3 to take the write lock",
  );
  return {
    async release() {
      child.stdin.end();
      await withTimeout(exited, CAP_MS, "the lock holder to exit");
    },
    kill() {
      child.kill("SIGKILL");
    },
  };
}
