// Shared by the TLS tests: a throw-away PKI made with `openssl req` (a test CA and a server
// certificate for localhost and 127.0.0.1 with a chosen serial), and a server starter that
// reads the `listening on https://...` line. Waits have safety-net caps; nothing sleeps.

import { spawn, execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { binDir } from "../lib/server.mjs";

const START_CAP_MS = 10_000;
const STOP_CAP_MS = 10_000;

function openssl(args, cwd) {
  execFileSync("openssl", args, { cwd, stdio: ["ignore", "ignore", "pipe"] });
}

// A temp dir with ca.pem/ca.key and server.pem/server.key (EC P-256, serial `serial`).
// issue(serial) writes a new server certificate and key over the same files.
export function makePki() {
  const dir = mkdtempSync(path.join(tmpdir(), "kibitz-tls-"));
  openssl(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
    "-keyout", "ca.key", "-out", "ca.pem", "-subj", "/CN=Kibitz Test CA", "-days", "2"], dir);
  writeFileSync(path.join(dir, "ext.cnf"),
    "subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\n" +
    "keyUsage=digitalSignature\nextendedKeyUsage=serverAuth\n");
  const pki = {
    dir,
    ca: "",
    cert: path.join(dir, "server.pem"),
    key: path.join(dir, "server.key"),
    issue(serial) {
      openssl(["req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
        "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=localhost"], dir);
      openssl(["x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
        "-set_serial", String(serial), "-days", "2", "-extfile", "ext.cnf", "-out", "server.pem"], dir);
    },
    remove() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
  pki.ca = readFileSync(path.join(dir, "ca.pem"), "utf8");
  pki.caFile = path.join(dir, "ca.pem");
  return pki;
}

// Starts `name` with --port 0, the PKI's certificate and `args`; resolves once it prints
// `listening on https://HOST:PORT`. stop() sends SIGTERM to this PID only. `viaEnv`: the
// certificate and key go in KIBITZ_TLS_CERT and KIBITZ_TLS_KEY instead of the flags.
export async function startTlsServer(name, pki, args = [], { viaEnv = false } = {}) {
  const bin = path.join(binDir(), name);
  const tlsArgs = viaEnv ? [] : ["--tls-cert", pki.cert, "--tls-key", pki.key];
  const env = viaEnv ? { ...process.env, KIBITZ_TLS_CERT: pki.cert, KIBITZ_TLS_KEY: pki.key } : process.env;
  const proc = spawn(bin, ["--port", "0", ...tlsArgs, ...args], { stdio: ["ignore", "pipe", "pipe"], env });
  let stderr = "";
  const stderrWaiters = [];
  proc.stderr.setEncoding("utf8");
  proc.stderr.on("data", (chunk) => {
    stderr += chunk;
    for (const w of [...stderrWaiters]) w();
  });
  const exited = new Promise((resolve) => proc.once("exit", (code, signal) => resolve({ code, signal })));
  const port = await new Promise((resolve, reject) => {
    let stdout = "";
    const timer = setTimeout(() => {
      proc.kill("SIGKILL");
      reject(new Error(`${name}: no https listening line\nstdout:\n${stdout}\nstderr:\n${stderr}`));
    }, START_CAP_MS);
    proc.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited early (${code})\nstderr:\n${stderr}`));
    });
    proc.stdout.setEncoding("utf8");
    proc.stdout.on("data", (chunk) => {
      stdout += chunk;
      const m = /listening on https:\/\/[^\s:/]+:(\d+)/.exec(stdout);
      if (!m) return;
      clearTimeout(timer);
      resolve(Number(m[1]));
    });
  });
  proc.stdout.resume();
  return {
    port,
    url: `https://localhost:${port}`,
    proc,
    exited,
    stderr: () => stderr,
    // Resolves once stderr has matched `re` `count` times in all (log lines the test waits for).
    waitStderr(re, count = 1, capMs = 5000) {
      const matches = () => (stderr.match(new RegExp(re.source, "g")) || []).length >= count;
      if (matches()) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`no ${re} in stderr:\n${stderr}`)), capMs);
        const w = () => {
          if (!matches()) return;
          clearTimeout(t);
          stderrWaiters.splice(stderrWaiters.indexOf(w), 1);
          resolve();
        };
        stderrWaiters.push(w);
      });
    },
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill("SIGTERM");
      const t = setTimeout(() => proc.kill("SIGKILL"), STOP_CAP_MS);
      const r = await exited;
      clearTimeout(t);
      return r;
    },
  };
}

// A free TCP port on 127.0.0.1 (for a second listener the server is told about).
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}
