// Test harness: starts a real server binary on a free port and stops it by its own PID.
//
// The binary comes from $KIBITZ_BIN_DIR (default: build/asan/bin under the repo root). It is run as
// `<bin> --port 0 ...args` and must print `listening on http://HOST:PORT` on stdout once it accepts
// connections. Timeouts here are safety nets that turn a hang into a clear failure; no helper waits
// for a fixed time.

import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");

// Where the server binaries live; a relative KIBITZ_BIN_DIR is taken from the repo root.
export function binDir() {
  const dir = process.env.KIBITZ_BIN_DIR || "build/asan/bin";
  return path.resolve(repoRoot, dir);
}

// conformance-server pings every 300 ms and waits 200 ms for the pong (the official suites'
// setup): a client on a loaded machine can miss that. Suites that do not test heartbeats start it
// with these instead.
export const CALM_HEARTBEATS = ["--ping-interval-ms", "25000", "--ping-timeout-ms", "20000"];

const LISTENING = /listening on (http:\/\/([^\s:/]+):(\d+))/;
const START_CAP_MS = 10_000;
const STOP_CAP_MS = 10_000;
const STDERR_KEEP = 64 * 1024;

// Starts `name` from binDir() with `--port 0` and `args`; resolves once it prints its listening
// line. Rejects (with the captured stderr) if it exits first or stays silent for 10 s.
export async function startServer(name, args = []) {
  const bin = path.join(binDir(), name);
  if (!existsSync(bin)) throw new Error(`server binary not found: ${bin} (set KIBITZ_BIN_DIR)`);
  const proc = spawn(bin, ["--port", "0", ...args], { stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  proc.stderr.setEncoding("utf8");
  proc.stderr.on("data", (chunk) => {
    stderr = (stderr + chunk).slice(-STDERR_KEEP);
  });
  const exited = new Promise((resolve) => proc.once("exit", (code, signal) => resolve({ code, signal })));

  const url = await new Promise((resolve, reject) => {
    let stdout = "";
    const timer = setTimeout(() => fail(`no listening line within ${START_CAP_MS} ms`), START_CAP_MS);
    const onError = (err) => fail(`spawn failed: ${err.message}`);
    const onExit = (code, signal) => fail(`exited early (code ${code}, signal ${signal})`);
    function cleanup() {
      clearTimeout(timer);
      proc.off("error", onError);
      proc.off("exit", onExit);
      proc.stdout.off("data", onData);
    }
    function fail(why) {
      cleanup();
      proc.kill("SIGKILL");
      reject(new Error(`${name}: ${why}\nstdout:\n${stdout}\nstderr:\n${stderr}`));
    }
    function onData(chunk) {
      stdout += chunk;
      const m = LISTENING.exec(stdout);
      if (!m) return;
      cleanup();
      // Keep draining stdout so the server never blocks on a full pipe.
      proc.stdout.resume();
      resolve(m[1]);
    }
    proc.once("error", onError);
    proc.once("exit", onExit);
    proc.stdout.setEncoding("utf8");
    proc.stdout.on("data", onData);
  });

  const port = Number(new URL(url).port);
  let stopping = null;
  // Sends SIGTERM to this PID only and waits for the exit; SIGKILL after the cap.
  async function stop() {
    if (stopping) return stopping;
    stopping = (async () => {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill("SIGTERM");
      const cap = new Promise((resolve) => {
        const t = setTimeout(() => resolve(null), STOP_CAP_MS);
        exited.then(() => clearTimeout(t));
      });
      const result = await Promise.race([exited, cap]);
      if (result === null) {
        proc.kill("SIGKILL");
        await exited;
        throw new Error(`${name} did not exit within ${STOP_CAP_MS} ms of SIGTERM\nstderr:\n${stderr}`);
      }
      return result;
    })();
    return stopping;
  }

  return {
    port,
    url,
    proc,
    stop,
    stderr: () => stderr,
    exited,
  };
}

// Resolves with the event's arguments (an array) when `emitter` emits `event`; rejects after
// `timeoutMs` with a message naming the event. Works with EventEmitter-like objects (on/off or
// addEventListener/removeEventListener). A rejection on `error` is opt-in via rejectOn.
export function once(emitter, event, timeoutMs = 5000, { rejectOn = [] } = {}) {
  return new Promise((resolve, reject) => {
    const add = (ev, fn) =>
      emitter.on ? emitter.on(ev, fn) : emitter.addEventListener(ev, fn);
    const remove = (ev, fn) =>
      emitter.off ? emitter.off(ev, fn) : emitter.removeEventListener(ev, fn);
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`timed out after ${timeoutMs} ms waiting for '${event}'`));
    }, timeoutMs);
    const onEvent = (...args) => {
      cleanup();
      resolve(args);
    };
    const onReject = Object.fromEntries(
      rejectOn.map((ev) => [
        ev,
        (...args) => {
          cleanup();
          reject(new Error(`'${ev}' before '${event}': ${args.map(String).join(", ")}`));
        },
      ]),
    );
    function cleanup() {
      clearTimeout(timer);
      remove(event, onEvent);
      for (const [ev, fn] of Object.entries(onReject)) remove(ev, fn);
    }
    add(event, onEvent);
    for (const [ev, fn] of Object.entries(onReject)) add(ev, fn);
  });
}

// Resolves with `promise`'s value, or rejects with `what` after `timeoutMs`.
export function withTimeout(promise, timeoutMs, what) {
  let timer;
  const cap = new Promise((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`timed out after ${timeoutMs} ms: ${what}`)),
      timeoutMs,
    );
  });
  return Promise.race([promise, cap]).finally(() => clearTimeout(timer));
}

// Resolves once `predicate()` holds, checking each time `emitter` emits `event`; rejects after
// `timeoutMs` naming `what`.
export function until(emitter, event, predicate, timeoutMs = 5000, what = event) {
  return new Promise((resolve, reject) => {
    if (predicate()) return resolve();
    const timer = setTimeout(() => {
      emitter.off(event, check);
      reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
    }, timeoutMs);
    function check() {
      if (!predicate()) return;
      clearTimeout(timer);
      emitter.off(event, check);
      resolve();
    }
    emitter.on(event, check);
  });
}

// A promise with its resolve/reject exposed, for callbacks that complete a test step.
export function deferred() {
  let resolve;
  let reject;
  const promise = new Promise((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

// Runs `node script ...args` (a Node socket.io server of a test: the reference or a cluster
// peer) and resolves once it prints its listening line, with {url, port, proc, stop()}. Rejects
// (naming `what`, with its stderr) if it exits first or stays silent for 10 s. stop() sends
// SIGTERM, then SIGKILL after 5 s, to this PID only.
export async function startNodeScript(script, args, what) {
  const proc = spawn(process.execPath, [script, ...args], { stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  proc.stderr.on("data", (d) => (stderr += d));
  const exited = new Promise((resolve) => proc.once("exit", resolve));
  const url = await new Promise((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => reject(new Error(`${what}: no listening line\n${stderr}`)), START_CAP_MS);
    proc.stdout.on("data", (d) => {
      out += d;
      const m = /listening on (http:\/\/[\d.]+:\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    proc.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`${what} exited (${code})\n${stderr}`));
    });
  });
  return {
    url,
    port: Number(new URL(url).port),
    proc,
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill("SIGTERM");
      const t = setTimeout(() => proc.kill("SIGKILL"), 5000);
      await exited;
      clearTimeout(t);
    },
  };
}
