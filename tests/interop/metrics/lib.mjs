// Scraping GET /metrics of a kibitz binary and reading it with the Prometheus client library's
// own text-format parser (Debian python3-prometheus-client, prometheus_client.parser).
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";

export const CAP_MS = 8000;

const PARSE = `
import json, sys
from prometheus_client.parser import text_string_to_metric_families
out = {}
for f in text_string_to_metric_families(sys.stdin.read()):
    out[f.name] = {"type": f.type, "samples": [[s.name, s.labels, s.value] for s in f.samples]}
print(json.dumps(out))
`;

// The families of a scrape: {name: {type, samples: [[name, labels, value]]}}; counters are
// named without _total by the parser, as OpenMetrics does.
export function parse(text) {
  const r = spawnSync("/usr/bin/python3", ["-c", PARSE], { input: text, encoding: "utf8" });
  assert.equal(r.status, 0, `the Prometheus parser refused the text:\n${r.stderr}\n${text}`);
  return JSON.parse(r.stdout);
}

// The value of sample `name` whose labels include `labels`, or undefined.
export function value(families, name, labels = {}) {
  for (const f of Object.values(families))
    for (const [n, l, v] of f.samples)
      if (n === name && Object.entries(labels).every(([k, x]) => l[k] === x)) return v;
  return undefined;
}

export async function scrape(url, headers = {}) {
  const res = await fetch(url + "/metrics", { headers });
  return { status: res.status, text: await res.text() };
}

export async function families(url) {
  return parse((await scrape(url)).text);
}

// Scrapes until `predicate(families)` holds (the server counts as it goes); capped.
export async function until(url, predicate, what, cap = CAP_MS) {
  const deadline = Date.now() + cap;
  let last;
  for (;;) {
    last = await families(url);
    if (predicate(last)) return last;
    if (Date.now() > deadline) throw new Error(`metrics never showed ${what}`);
    await new Promise((r) => setTimeout(r, 20)); // re-reading a figure, not timing a test
  }
}
