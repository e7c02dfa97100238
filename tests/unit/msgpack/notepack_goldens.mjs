// Regenerates notepack_goldens.json: what Node's notepack.io 3.0.1 (the encoder of
// @socket.io/redis-adapter 8.x) writes for a table of values. The unit tests check that
// kibitz::msgpack writes the same bytes and reads them back.
//   node tests/unit/msgpack/notepack_goldens.mjs > tests/unit/msgpack/notepack_goldens.json
// Values JSON cannot spell, and large ones, are tagged: {"$bin": "<hex>"}, {"$num": "NaN"|
// "Infinity"|"-Infinity"|"-0"|an integer above 2^53}, {"$str": n} ("x" n times),
// {"$binfill": n} (n bytes 07), {"$array": n} (n ones), {"$map": n} ({k0: 0, k1: 1, ...});
// {"$date": ms} is a Date (read only: "read" holds what the reader yields). Large outputs are
// given as size and SHA-256.
import { createHash } from "node:crypto";
import notepack from "notepack.io";

const cases = [];
const untag = (v) => {
  if (Array.isArray(v)) return v.map(untag);
  if (v !== null && typeof v === "object") {
    if ("$bin" in v) return Buffer.from(v.$bin, "hex");
    if ("$num" in v) return Number(v.$num);
    if ("$date" in v) return new Date(v.$date);
    if ("$str" in v) return "x".repeat(v.$str);
    if ("$binfill" in v) return Buffer.alloc(v.$binfill, 7);
    if ("$array" in v) return Array(v.$array).fill(1);
    if ("$map" in v) return Object.fromEntries([...Array(v.$map).keys()].map((i) => [`k${i}`, i]));
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, untag(x)]));
  }
  return v;
};
const add = (name, value, extra = {}) => {
  const bytes = notepack.encode(untag(value));
  const entry = { name, value, ...extra };
  // JSON text would give a C++ reader an exact integer where JavaScript has a double.
  if (typeof value === "number" && !Number.isSafeInteger(value) && Number.isInteger(value))
    entry.value = { $num: String(value) };
  if (bytes.length <= 600) entry.hex = bytes.toString("hex");
  else {
    entry.size = bytes.length;
    entry.sha256 = createHash("sha256").update(bytes).digest("hex");
  }
  cases.push(entry);
};

// Integers at every width boundary, both signs.
for (const n of [0, 1, 127, 128, 255, 256, 65535, 65536, 4294967295, 4294967296,
  9007199254740991, -1, -32, -33, -128, -129, -32768, -32769, -2147483648, -2147483649,
  -9007199254740991]) add(`int ${n}`, n);
// Floats: integral ones are integers in JavaScript; the rest are float64. (Not 1e300 and other
// integral values from 2^64 up: notepack writes them as a wrapped uint64, kibitz as float64.)
for (const n of [2.5, -2.5, 0.1, -1e-300, 2.0, 1.5e10, 1e19, 9223372036854775808])
  add(`number ${n}`, n);
for (const n of ["NaN", "Infinity", "-Infinity", "-0"]) add(`number ${n}`, { $num: n });
add("true", true);
add("false", false);
add("null", null);
// Strings by UTF-8 length (not UTF-16 length).
for (const n of [0, 1, 31, 32, 255, 256, 65535, 65536]) add(`str ${n}`, { $str: n });
add("str utf8", "é€😀 ünïcödé");
add("str utf8 31 bytes", "é".repeat(15) + "a");
add("str utf8 32 bytes", "é".repeat(16));
// Binary (Buffer) by length.
for (const n of [0, 3, 255, 256, 65535, 65536])
  add(`bin ${n}`, { $binfill: n });
// Arrays and maps by count; keys in insertion order.
for (const n of [0, 1, 15, 16, 65535, 65536]) add(`array ${n}`, { $array: n });
for (const n of [0, 1, 15, 16, 65536]) add(`map ${n}`, { $map: n });
add("map insertion order", { zeta: 1, alpha: [true, null], mid: { b: 2, a: 1 } });
// The payloads Node publishes, as the classic adapter builds them.
const opts = (rooms = [], except = [], flags = {}) => ({ rooms, except, flags });
add("broadcast emit", ["1kqgqN", { type: 2, data: ["hello", "world", 1, 2.5, true, null], nsp: "/" },
  opts()]);
add("broadcast room", ["1kqgqN", { type: 2, data: ["r", { a: 1 }], nsp: "/" }, opts(["room1"])]);
add("broadcast rooms except", ["1kqgqN", { type: 2, data: ["r", { a: 1 }], nsp: "/" },
  opts(["room1", "room2"], ["room3"])]);
add("broadcast binary", ["1kqgqN", { type: 2, data: ["bin", { $bin: "010203" }], nsp: "/" }, opts()]);
add("broadcast volatile", ["1kqgqN", { type: 2, data: ["v"], nsp: "/chat" },
  opts([], [], { volatile: true })]);
add("broadcast timeout", ["1kqgqN", { type: 2, data: ["t"], nsp: "/" },
  opts([], [], { timeout: 1000 })]);
add("request broadcast with ack", { uid: "1kqgqN", requestId: "ZZlBa7", type: 7,
  packet: { type: 2, data: ["ackme", 42], nsp: "/" }, opts: opts([], [], { timeout: 1000 }) });
add("response broadcast ack", { type: 9, requestId: "ZZlBa7", packet: "ack-from-client" });
// Dates: timestamp 32, 64 and 96; the reader yields Date.toJSON().
for (const ms of [0, 1796160431000, 1796160431547, -1, -62198755200000, 253402300800000,
  8640000000000000]) {
  add(`date ${ms}`, { $date: ms }, { read: new Date(ms).toJSON() });
}
process.stdout.write(`[\n${cases.map((c) => JSON.stringify(c)).join(",\n")}\n]\n`);
