// A socket-like fake for web/chat-client.js under node --test: the parts of socket.io-client's
// Socket the client uses (on, emit, timeout(ms).emitWithAck, connected, connect, disconnect),
// with the server's side in the test's hands: every acked call waits in `calls` until the test
// answers it, and the test fires server events and connection changes. Nothing here waits for
// time; waitCall() resolves when the client makes the call.

export class FakeSocket {
  constructor() {
    this.handlers = new Map();
    this.connected = false;
    this.calls = []; // every acked call ever made: {event, payload, answer(ack), fail(), settled}
    this.emitted = []; // emits without ack: {event, payload}
    this.waiters = [];
  }

  on(event, fn) {
    if (!this.handlers.has(event)) this.handlers.set(event, []);
    this.handlers.get(event).push(fn);
    return this;
  }

  fire(event, payload) {
    for (const fn of this.handlers.get(event) ?? []) fn(payload);
  }

  emit(event, payload) {
    this.emitted.push({ event, payload });
    return this;
  }

  timeout() {
    return {
      emitWithAck: (event, payload) =>
        new Promise((resolve, reject) => {
          const call = { event, payload: structuredClone(payload), settled: false };
          call.answer = (ack) => {
            call.settled = true;
            resolve(ack);
          };
          call.fail = () => {
            call.settled = true;
            reject(new Error("operation has timed out"));
          };
          if (!this.connected) return call.fail();
          this.calls.push(call);
          for (const w of this.waiters.splice(0)) w();
        }),
    };
  }

  // Resolves with the first unsettled call of `event` not yet taken by waitCall (in order).
  waitCall(event) {
    return new Promise((resolve) => {
      const check = () => {
        const call = this.calls.find((c) => c.event === event && !c.settled && !c.taken);
        if (!call) return this.waiters.push(check);
        call.taken = true;
        resolve(call);
      };
      check();
    });
  }

  open() {
    this.connected = true;
    this.fire("connect");
  }

  // The connection drops; pending acks fail as socket.io-client's do after a disconnect.
  drop({ failPending = true } = {}) {
    this.connected = false;
    this.fire("disconnect", "transport close");
    if (failPending) for (const c of this.calls) if (!c.settled) c.fail();
  }

  connect() {
    this.open();
    return this;
  }

  disconnect() {
    this.drop();
    return this;
  }
}

// Timers the test advances by hand: set(fn, ms), clear(handle), run(ms) runs what is due.
export function fakeTimers() {
  let now = 0;
  let next = 1;
  const pending = new Map();
  return {
    set(fn, ms) {
      const id = next++;
      pending.set(id, { fn, at: now + ms });
      return id;
    },
    clear(id) {
      pending.delete(id);
    },
    run(ms) {
      now += ms;
      for (const [id, t] of [...pending].sort((a, b) => a[1].at - b[1].at)) {
        if (t.at > now) continue;
        pending.delete(id);
        t.fn();
      }
    },
    get size() {
      return pending.size;
    },
  };
}

// Lets promise callbacks run (the client's awaits) without waiting for any time.
export async function settle(rounds = 10) {
  for (let i = 0; i < rounds; i++) await Promise.resolve();
}

// A server message.
export function msg(id, text = `m${id}`, from = "Bob", room = "lobby", to = null) {
  return { id: String(id), room, from, to, text, ts: 1_700_000_000_000 + Number(id) * 1000 };
}

export function range(from, to, room = "lobby") {
  const out = [];
  for (let i = from; i <= to; i++) out.push(msg(i, `m${i}`, "Bob", room));
  return out;
}
