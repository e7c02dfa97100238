// The web chat (web/chat/ and the <kibitz-chat> Web Component) in headless Chromium, driven by
// npm playwright-core against the real kibitz binary. Screenshots go to artifacts/.
//
// The browser reaches the server through a small TCP proxy that the tests can cut and restore:
// a dropped connection, as a train tunnel would drop it.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startChat, connectChat, call, closeAll } from "../interop/chat/chat.mjs";
import { CAP, env, errors, person, pickName, say, shot, startAll, stopAll, texts, users, waitText, waitUsers } from "./chat-lib.mjs";

before(async () => {
  // The XSS corpus alone is more than the default 10 messages in 10 s of one name.
  await startAll(["--chat-messages-per-window", "100"]);
  ({ server, proxy, browser } = env);
});

after(stopAll);

let server;
let proxy;
let browser;

let alice;
let bob;

test("two people join and see each other", async () => {
  alice = await person({}, true);
  await shot(alice.page, "1-pick-name");
  await pickName(alice.page, "Alice");
  bob = await person();
  await pickName(bob.page, "Bob");
  await waitUsers(alice.page, ["Alice", "Bob"]);
  await waitUsers(bob.page, ["Alice", "Bob"]);
  assert.deepEqual(await users(bob.page), ["Alice", "Bob"]);
});

test("a public message is seen by both", async () => {
  await say(alice.page, "Hello everyone 👋");
  await waitText(bob.page, "Hello everyone 👋");
  await waitText(alice.page, "Hello everyone 👋");
  await say(bob.page, "Hi Alice!\nSecond line.");
  await waitText(alice.page, "Second line.");
  await shot(alice.page, "2-public");
});

test("a private message is seen only by its two parties", async () => {
  const carol = await person();
  await pickName(carol.page, "Carol");
  await waitUsers(alice.page, ["Carol"]);
  // With @name in the text...
  await say(alice.page, "@Bob meet at noon?");
  await waitText(bob.page, "meet at noon?");
  await waitText(alice.page, "meet at noon?");
  // ...and by choosing a user in the list.
  await bob.page.locator("kibitz-chat .user-btn", { hasText: "Alice" }).click();
  await bob.page.locator("kibitz-chat .to").filter({ hasText: "Private to Alice" }).waitFor();
  await say(bob.page, "noon works");
  await waitText(alice.page, "noon works");
  await bob.page.locator("kibitz-chat .to button").click();
  // A public marker after both: when Carol has it, she would have had the private ones too.
  await say(alice.page, "public marker");
  await waitText(carol.page, "public marker");
  const seen = await texts(carol.page);
  assert.ok(!seen.includes("meet at noon?") && !seen.includes("noon works"), JSON.stringify(seen));
  assert.equal(await bob.page.locator("kibitz-chat .msg.private").count(), 2);
  await shot(bob.page, "3-private");
  await carol.context.close();
});

test("an XSS corpus shows literally and runs nothing", async () => {
  const corpus = [
    `<img src=x onerror="console.log('XSS-img');window.__xss=1">`,
    `<script>console.log('XSS-script');window.__xss=1</script>`,
    `<a href="javascript:console.log('XSS-link')">click me</a>`,
    `"><svg onload=alert('XSS-svg')>`,
    `' onmouseover='alert("XSS-attr")' x='`,
    `</textarea><iframe src="javascript:alert('XSS-iframe')"></iframe>`,
    "<style>*{display:none}</style>&lt;b&gt;entity&lt;/b&gt;",
  ];
  for (const t of corpus) await say(alice.page, t);
  for (const t of corpus) await waitText(bob.page, t);
  const shown = await texts(bob.page);
  for (const t of corpus) assert.ok(shown.includes(t), `shown literally: ${t}`);
  for (const page of [alice.page, bob.page]) {
    const injected = await page.evaluate(() => {
      const log = document.querySelector("kibitz-chat").shadowRoot.querySelector(".log");
      return {
        elements: log.querySelectorAll(".text *").length,
        xss: window.__xss ?? null,
      };
    });
    assert.deepEqual(injected, { elements: 0, xss: null });
  }
  // Hovering and clicking the texts does nothing either.
  await bob.page.locator("kibitz-chat .msg .text").last().hover();
  await bob.page.locator("kibitz-chat .msg .text", { hasText: "click me" }).click();
  await shot(bob.page, "4-xss");
  assert.deepEqual(errors, []);
});

test("a reload keeps the name and the history", async () => {
  const t0 = Date.now();
  await alice.page.reload();
  await alice.page.locator("kibitz-chat .me").filter({ hasText: "as Alice" }).waitFor({ timeout: CAP });
  await waitText(alice.page, "Hello everyone 👋");
  await waitText(alice.page, "meet at noon?");
  console.log(`# reload to history: ${Date.now() - t0} ms`);
  assert.equal(await alice.page.locator("kibitz-chat .welcome").isHidden(), true);
  // The others still see Alice once, not twice and not gone.
  await waitUsers(bob.page, ["Alice", "Bob"]);
  assert.deepEqual(await users(bob.page), ["Alice", "Bob"]);
  await say(alice.page, "back after reload");
  await waitText(bob.page, "back after reload");
  const count = (await texts(alice.page)).filter((t) => t === "Hello everyone 👋").length;
  assert.equal(count, 1);
});

test("a dropped and restored connection loses nothing and doubles nothing", async () => {
  // Bob watches from a plain socket.io client too, to count deliveries exactly.
  const watcher = await connectChat(server.url);
  const got = [];
  watcher.on("message", (m) => got.push(m.text));
  assert.equal((await call(watcher, "join", { name: "Watcher" })).ok, true);

  proxy.cut();
  await alice.context.setOffline(true);
  try {
    await alice.page.locator("kibitz-chat .status.offline").waitFor({ timeout: CAP });
    await alice.page.locator("kibitz-chat .banner.offline").waitFor({ state: "visible" });
    for (const t of ["offline one", "offline two", "offline three"]) await say(alice.page, t);
    assert.equal(await alice.page.locator("kibitz-chat .msg.pending").count(), 3);
    await say(bob.page, "while you were away");
    await waitText(bob.page, "while you were away");
    await shot(alice.page, "5-offline");

  } finally {
    proxy.restore();
    await alice.context.setOffline(false);
  }
  await alice.page.locator("kibitz-chat .status.online").waitFor({ timeout: 20_000 });
  for (const t of ["offline one", "offline two", "offline three"]) {
    await waitText(bob.page, t);
    await waitText(alice.page, t);
  }
  await waitText(alice.page, "while you were away");
  await alice.page.locator("kibitz-chat .msg.pending").waitFor({ state: "detached", timeout: CAP });
  await say(alice.page, "all caught up");
  await waitText(bob.page, "all caught up");
  await shot(alice.page, "6-reconnected");
  // Exactly once everywhere.
  for (const page of [alice.page, bob.page]) {
    const all = await texts(page);
    for (const t of ["offline one", "offline two", "offline three", "while you were away"]) {
      assert.equal(all.filter((x) => x === t).length, 1, `${t} once`);
    }
  }
  await new Promise((r) => (got.includes("all caught up") ? r() : watcher.on("message", (m) => m.text === "all caught up" && r())));
  assert.deepEqual(
    got.filter((t) => t.startsWith("offline")),
    ["offline one", "offline two", "offline three"],
  );
  closeAll(watcher);
});

test("errors are shown clearly: name taken, unknown recipient", async () => {
  const dup = await person();
  await dup.page.locator("kibitz-chat input[name=name]").fill("alice");
  await dup.page.locator("kibitz-chat .welcome button[type=submit]").click();
  await dup.page.locator("kibitz-chat .banner.error").filter({ hasText: "taken" }).waitFor({ timeout: CAP });
  await shot(dup.page, "7-name-taken");
  await dup.context.close();
  await say(alice.page, "@Nobody are you there?");
  await alice.page.locator("kibitz-chat .banner.error").filter({ hasText: "There is nobody called “Nobody” in this room." }).waitFor({ timeout: CAP });
});

test("rooms: create and switch, on a phone-sized screen, with the keyboard only", async () => {
  const phone = await person({ viewport: { width: 390, height: 780 }, isMobile: true, hasTouch: true });
  const page = phone.page;
  // Keyboard only: type the name and press Enter.
  await page.locator("kibitz-chat input[name=name]").focus();
  await page.keyboard.type("Dmitri");
  await page.keyboard.press("Enter");
  await page.locator("kibitz-chat .me").filter({ hasText: "as Dmitri" }).waitFor({ state: "attached", timeout: CAP });
  await page.keyboard.type("hello from a phone");
  await page.keyboard.press("Enter");
  await waitText(bob.page, "hello from a phone");
  await shot(page, "8-phone");
  // The room list opens from the menu button.
  await page.locator("kibitz-chat .menu-btn").click();
  await shot(page, "9-phone-menu");
  await page.locator("kibitz-chat .room-form input").fill("Book-Club");
  await page.keyboard.press("Enter");
  await page.locator("kibitz-chat header h2").filter({ hasText: "# book-club" }).waitFor({ timeout: CAP });
  await page.keyboard.type("first in the club");
  await page.keyboard.press("Enter");
  await waitText(page, "first in the club");
  // Bob does not see a room he is not in.
  const bobs = await texts(bob.page);
  assert.ok(!bobs.includes("first in the club"));
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 390, `no horizontal scroll (${width})`);
  await phone.context.close();
  assert.deepEqual(errors, []);
});

test("rate limited: a clear notice, and the message goes out by itself when allowed", async () => {
  const limited = await startChat(["--chat-messages-per-window", "2", "--chat-window", "1500"]);
  const context = await browser.newContext({ viewport: { width: 900, height: 600 } });
  try {
    const page = await context.newPage();
    page.on("pageerror", (e) => errors.push(`pageerror: ${e.message}`));
    await page.goto(`${limited.url}/chat/`);
    await pickName(page, "Speedy");
    for (const t of ["one", "two", "three"]) await say(page, t);
    await page.locator("kibitz-chat .banner.error").filter({ hasText: "Slow down" }).waitFor({ timeout: CAP });
    await shot(page, "10-rate-limited");
    await waitText(page, "three");
    await page.locator("kibitz-chat .banner.error").waitFor({ state: "hidden", timeout: CAP });
    assert.deepEqual(await texts(page), ["one", "two", "three"]);
  } finally {
    await context.close();
    await limited.close();
  }
});

// A room with 300 stored messages, the log bounded to 120 (`max-messages`, set on the page's
// element before the component starts): the join shows the latest 50; scrolling to the top loads the pages
// before with `history` and `before` while the reader's place stays put and the newest leave the
// DOM; scrolling to the bottom brings the latest back; live messages are appended as nodes (the
// nodes already shown stay the same elements) and push the oldest out.
test("earlier messages load on scroll to the top; the log stays bounded and is appended to", async () => {
  const big = await startChat(["--chat-messages-per-window", "0"]);
  const seeder = await connectChat(big.url);
  const context = await browser.newContext({ viewport: { width: 1000, height: 700 } });
  try {
    assert.equal((await call(seeder, "join", { name: "Seeder", room: "archive" })).ok, true);
    for (let i = 1; i <= 300; i++) {
      const ack = await call(seeder, "message", { room: "archive", text: `msg ${i}`, id: `seed-${i}` });
      assert.equal(ack.ok, true, JSON.stringify(ack));
    }
    const page = await context.newPage();
    page.on("pageerror", (e) => errors.push(`pageerror: ${e.message}`));
    // The page's element, given max-messages="120" before the component reads it.
    await page.addInitScript(() => {
      new MutationObserver((_, obs) => {
        const el = document.querySelector("kibitz-chat");
        if (!el) return;
        el.setAttribute("max-messages", "120");
        obs.disconnect();
      }).observe(document, { childList: true, subtree: true });
    });
    await page.goto(`${big.url}/chat/#archive`);
    await pickName(page, "Reader");
    await waitText(page, "msg 300");
    const log = page.locator("kibitz-chat .log");
    const state = () => page.evaluate(() => {
      const el = document.querySelector("kibitz-chat").shadowRoot.querySelector(".log");
      const msgs = [...el.querySelectorAll(".msg:not(.pending) .text")].map((e) => e.textContent);
      return { count: msgs.length, first: msgs[0], last: msgs.at(-1), busy: el.getAttribute("aria-busy"), firstChild: el.querySelector(".list").firstElementChild.className };
    });
    let s = await state();
    assert.deepEqual([s.count, s.first, s.last], [50, "msg 251", "msg 300"]);

    // A live message is appended: the node of "msg 300" is still the same element.
    await log.evaluate((el) => { el.querySelector(".msg:last-of-type").__marked = true; });
    await call(seeder, "message", { room: "archive", text: "live 1" });
    await waitText(page, "live 1");
    assert.equal(await log.evaluate((el) => [...el.querySelectorAll(".msg")].find((m) => m.__marked)?.querySelector(".text").textContent), "msg 300");

    // Scroll to the top, page by page, until the first message of the room.
    const firsts = [];
    for (let round = 0; round < 6 && s.first !== "msg 1"; round++) {
      const before = s.first;
      await log.evaluate((el) => { el.scrollTop = 0; el.dispatchEvent(new Event("scroll")); });
      await page.waitForFunction((old) => {
        const el = document.querySelector("kibitz-chat").shadowRoot.querySelector(".log");
        return el.querySelector(".msg .text").textContent !== old && !el.hasAttribute("aria-busy");
      }, before, { timeout: CAP });
      s = await state();
      firsts.push(s.first);
      assert.ok(s.count <= 120, `bounded: ${s.count}`);
      // The reader's place is kept: the message that was first is still in view, not at the top.
      const place = await log.evaluate((el, text) => {
        const node = [...el.querySelectorAll(".msg .text")].find((t) => t.textContent === text);
        const r = node.getBoundingClientRect();
        const box = el.getBoundingClientRect();
        return { inView: r.top >= box.top - 1 && r.bottom <= box.bottom + 1, scrolled: el.scrollTop > 0 };
      }, before);
      assert.deepEqual(place, { inView: true, scrolled: true }, `after loading before ${before}`);
    }
    assert.deepEqual(firsts, ["msg 151", "msg 51", "msg 1"]);
    assert.deepEqual([s.count, s.last], [120, "msg 120"]);
    assert.equal(s.firstChild, "day", "the first message has its day line");
    await page.locator("kibitz-chat .log .more", { hasText: "Earlier messages" }).waitFor({ state: "hidden" });
    await shot(page, "11-earlier");

    // Scrolling to the bottom brings the latest page back.
    await log.evaluate((el) => { el.scrollTop = el.scrollHeight; el.dispatchEvent(new Event("scroll")); });
    await waitText(page, "live 1");
    s = await state();
    assert.deepEqual([s.count, s.first, s.last], [100, "msg 202", "live 1"]);

    // 30 live messages more: appended, and the oldest leave the DOM (at most 120).
    for (let i = 2; i <= 31; i++) await call(seeder, "message", { room: "archive", text: `live ${i}` });
    await waitText(page, "live 31");
    s = await state();
    assert.deepEqual([s.count, s.first, s.last], [120, "msg 212", "live 31"]);
    assert.equal(s.firstChild, "day");
    const bottom = await log.evaluate((el) => el.scrollHeight - el.scrollTop - el.clientHeight);
    assert.ok(bottom < 40, `stays at the bottom (${bottom})`);
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
    closeAll(seeder);
    await big.close();
  }
});
