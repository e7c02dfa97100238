// The load of the cluster bench (scripts/bench-cluster.sh): socket.io clients spread over the
// nodes of one cluster, speaking Engine.IO 4 / Socket.IO 5 text frames over raw WebSockets
// (npm ws), so the load generator costs little per message.
//   fanout:  client 0 (on the first node) sends `chat message`; every client, on every node,
//            receives it; `--window` broadcasts in flight (closed loop).
//   private: `--window` chains of `dm`: each receiver sends the next dm to a random client on
//            ANOTHER node, so every message crosses nodes.
// Prints one JSON line: deliveries/s, latency p50/p99 (send to receipt), the servers' CPU
// (utime + stime of --server-pids from /proc over the measured window) per delivery, their RSS,
// the time they waited for a core (/proc/PID/schedstat), Redis's CPU, the load generator's own CPU.
//
//   node bench/cluster/loadgen.mjs --ports 3001,3002 --server-pids 11,12 [--redis-pid 10]
//        [--scenario fanout|private] [--clients 200] [--window 16] [--warmup 1] [--duration 5]
//        [--label kibitz] [--case name]
import { readFileSync } from "node:fs";
import { execSync } from "node:child_process";
import WebSocket from "ws";

const o = { scenario: "fanout", clients: 200, window: 16, warmup: 1, duration: 5, drain: 3,
  ports: [], serverPids: [], redisPid: 0, label: "", case: "", host: "127.0.0.1" };
const argv = process.argv.slice(2);
for (let i = 0; i + 1 < argv.length; i += 2) {
  const [k, v] = [argv[i], argv[i + 1]];
  if (k === "--ports") o.ports = v.split(",").map(Number);
  else if (k === "--server-pids") o.serverPids = v.split(",").map(Number);
  else if (k === "--redis-pid") o.redisPid = Number(v);
  else if (["--clients", "--window", "--warmup", "--duration", "--drain"].includes(k)) o[k.slice(2)] = Number(v);
  else if (k === "--scenario" || k === "--label" || k === "--host") o[k.slice(2)] = v;
  else if (k === "--case") o.case = v;
  else {
    console.error(`loadgen: unknown flag ${k}`);
    process.exit(2);
  }
}
if (o.ports.length < 2) {
  console.error("loadgen: --ports wants at least two nodes");
  process.exit(2);
}

const tck = Number(execSync("getconf CLK_TCK").toString().trim()) || 100;
const nowNs = () => Number(process.hrtime.bigint());
function cpuTicks(pid) {
  // Fields after the command's closing parenthesis: utime is the 14th field, stime the 15th.
  const s = readFileSync(`/proc/${pid}/stat`, "utf8");
  const f = s.slice(s.lastIndexOf(")") + 2).split(" ");
  return Number(f[11]) + Number(f[12]);
}
// Time spent runnable but waiting for a core (ns): other work on the machine.
const waitNs = (pid) => Number(readFileSync(`/proc/${pid}/schedstat`, "utf8").split(" ")[1]);
const rssKiB = (pid) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))[1]);
const sum = (xs) => xs.reduce((a, b) => a + b, 0);

// One client: resolves once the Socket.IO connect to "/" is acknowledged with its sid.
function connect(index) {
  const node = index % o.ports.length;
  const url = `ws://${o.host}:${o.ports[node]}/socket.io/?EIO=4&transport=websocket`;
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    const c = { index, node, ws, sid: "" };
    const timer = setTimeout(() => reject(new Error(`client ${index}: connect timed out`)), 20000);
    ws.on("error", reject);
    ws.on("message", (data) => {
      const text = data.toString();
      if (text[0] === "0") return ws.send("40");
      if (text === "2") return ws.send("3");
      if (text.startsWith("40")) {
        c.sid = JSON.parse(text.slice(2)).sid;
        clearTimeout(timer);
        return resolve(c);
      }
      if (text.startsWith("42")) return onEvent(c, text);
    });
  });
}

let measuring = false;
let sending = false;
let sent = 0;
let received = 0;
let windowReceived = 0;
let bad = 0;
const latenciesUs = [];
const remaining = []; // fanout: deliveries still due per broadcast
let clients = [];
let rng = 0x9e3779b97f4a7c15n;

function sendBroadcast() {
  remaining.push(clients.length);
  const p = `42["chat message",{"s":${remaining.length - 1},"t":${nowNs()},"m":"hello from loadgen"}]`;
  ++sent;
  clients[0].ws.send(p);
}

function sendDm(from) {
  // A random client on another node (xorshift64).
  let to = from;
  for (let tries = 0; tries < 32 && to.node === from.node; ++tries) {
    rng ^= (rng << 13n) & 0xffffffffffffffffn;
    rng ^= rng >> 7n;
    rng ^= (rng << 17n) & 0xffffffffffffffffn;
    to = clients[Number(rng % BigInt(clients.length))];
  }
  ++sent;
  from.ws.send(`42["dm",{"to":"${to.sid}","s":${sent},"t":${nowNs()}}]`);
}

function onEvent(c, text) {
  const s = /"s":(\d+)/.exec(text);
  const t = /"t":(\d+)/.exec(text);
  if (!s || !t) return ++bad;
  ++received;
  if (measuring) {
    ++windowReceived;
    latenciesUs.push(Math.max(0, nowNs() - Number(t[1])) / 1000);
  }
  if (o.scenario === "private") {
    if (sending) sendDm(c);
    return;
  }
  const seq = Number(s[1]);
  if (seq >= remaining.length) return ++bad;
  if (--remaining[seq] === 0 && sending) sendBroadcast();
}

const pct = (xs, p) => (xs.length ? xs[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))] : null);
const sleep = (s) => new Promise((r) => setTimeout(r, s * 1000));

const rssBefore = sum(o.serverPids.map(rssKiB));
clients = [];
for (let i = 0; i < o.clients; i += 50) {
  const batch = [];
  for (let j = i; j < Math.min(o.clients, i + 50); ++j) batch.push(connect(j));
  clients.push(...(await Promise.all(batch)));
}
// Let every node's adapter see its sockets before the load starts.
await sleep(0.3);
const rssConnected = sum(o.serverPids.map(rssKiB));

sending = true;
if (o.scenario === "fanout") for (let i = 0; i < o.window; ++i) sendBroadcast();
else for (let i = 0; i < o.window; ++i) sendDm(clients[i % clients.length]);
await sleep(o.warmup);

const cpu0 = o.serverPids.map(cpuTicks);
const wait0 = o.serverPids.map(waitNs);
const redis0 = o.redisPid ? cpuTicks(o.redisPid) : 0;
const self0 = process.cpuUsage();
const t0 = nowNs();
measuring = true;
await sleep(o.duration);
measuring = false;
const elapsed = (nowNs() - t0) / 1e9;
const cpu1 = o.serverPids.map(cpuTicks);
const wait1 = o.serverPids.map(waitNs);
const redis1 = o.redisPid ? cpuTicks(o.redisPid) : 0;
const self1 = process.cpuUsage(self0);
const rssLoaded = sum(o.serverPids.map(rssKiB));
sending = false;

const drainUntil = nowNs() + o.drain * 1e9;
const due = () => (o.scenario === "fanout" ? sum(remaining) : sent - received);
while (due() > 0 && nowNs() < drainUntil) await sleep(0.02);

latenciesUs.sort((a, b) => a - b);
const serverCpuS = sum(cpu1.map((v, i) => v - cpu0[i])) / tck;
const out = {
  label: o.label, case: o.case, scenario: o.scenario, clients: o.clients, nodes: o.ports.length,
  window: o.window, seconds: Number(elapsed.toFixed(3)),
  per_s: Math.round(windowReceived / elapsed),
  latency_ms: { p50: pct(latenciesUs, 50) / 1000, p99: pct(latenciesUs, 99) / 1000 },
  server_cpu_pct: Number(((serverCpuS / elapsed) * 100).toFixed(1)),
  // Per node: the share of the window it waited, runnable, for its core.
  server_runq_wait_pct: Number(((sum(wait1.map((v, i) => v - wait0[i])) / 1e9 / o.serverPids.length / elapsed) * 100).toFixed(1)),
  server_cpu_us_per_delivery: windowReceived ? Number(((serverCpuS * 1e6) / windowReceived).toFixed(3)) : null,
  redis_cpu_pct: o.redisPid ? Number((((redis1 - redis0) / tck / elapsed) * 100).toFixed(1)) : null,
  server_rss_kib: { before: rssBefore, connected: rssConnected, loaded: rssLoaded },
  client_cpu_pct: Number((((self1.user + self1.system) / 1e6 / elapsed) * 100).toFixed(1)),
  lost: due(), bad_payloads: bad,
};
console.log(JSON.stringify(out));
for (const c of clients) c.ws.terminate();
process.exit(0);
