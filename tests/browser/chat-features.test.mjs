// What chat users reach for next, in headless Chromium against the real binary: fixing a typo
// and deleting a message (seen by the other person), /me and the other slash commands, links,
// a mention notification and the unread count in the title while the tab is hidden, and
// ignoring someone (with a note and an undo). Screenshots go to artifacts/.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { CAP, errors, person, pickName, say, shot, startAll, stopAll, waitText, waitUsers } from "./chat-lib.mjs";

before(() => startAll(["--chat-messages-per-window", "100", "--chat-edits-per-window", "100"]));
after(stopAll);

// Records every Notification the page makes, and lets the test hide the tab: the page sees
// document.visibilityState "hidden" and a visibilitychange event, as when the user switches tabs.
const RECORDER = () => {
  window.__notes = [];
  const Real = window.Notification;
  function Recorded(title, opts) {
    window.__notes.push({ title, body: opts?.body ?? "" });
    try {
      return new Real(title, opts);
    } catch {
      return { close() {} };
    }
  }
  Object.defineProperty(Recorded, "permission", { get: () => Real.permission });
  Recorded.requestPermission = (...a) => Real.requestPermission(...a);
  window.Notification = Recorded;
  let hidden = false;
  Object.defineProperty(document, "visibilityState", { configurable: true, get: () => (hidden ? "hidden" : "visible") });
  Object.defineProperty(document, "hidden", { configurable: true, get: () => hidden });
  window.__setHidden = (h) => {
    hidden = h;
    document.dispatchEvent(new Event("visibilitychange"));
  };
};

const msgNode = (page, text) => page.locator("kibitz-chat .msg:not(.pending)").filter({ hasText: text }).last();

let alice;
let bob;

test("two people, Bob allowing notifications", async () => {
  alice = await person();
  await pickName(alice.page, "Alice");
  bob = await person({ permissions: ["notifications"] });
  await bob.context.addInitScript(RECORDER);
  await bob.page.reload();
  await pickName(bob.page, "Bob");
  await waitUsers(alice.page, ["Alice", "Bob"]);
  await waitUsers(bob.page, ["Alice", "Bob"]);
});

test("a typo fixed is seen fixed by the other person", async () => {
  await say(alice.page, "teh plan is ready");
  await waitText(bob.page, "teh plan is ready");
  const mine = msgNode(alice.page, "teh plan is ready");
  await mine.hover();
  await mine.locator("button.edit").click();
  const box = alice.page.locator("kibitz-chat textarea");
  assert.equal(await box.inputValue(), "teh plan is ready");
  await alice.page.locator("kibitz-chat .to.editing").waitFor({ timeout: CAP });
  await box.fill("the plan is ready");
  await box.press("Enter");
  await waitText(bob.page, "the plan is ready");
  const seen = msgNode(bob.page, "the plan is ready");
  await seen.locator(".edited").waitFor({ timeout: CAP });
  assert.equal(await bob.page.locator("kibitz-chat .msg .text").filter({ hasText: "teh plan" }).count(), 0);
  assert.equal(await box.inputValue(), "");
  await shot(bob.page, "edit-seen");

  // ArrowUp in the empty composer edits the last own message.
  await say(alice.page, "second thougth");
  await waitText(bob.page, "second thougth");
  await box.press("ArrowUp");
  assert.equal(await box.inputValue(), "second thougth");
  await box.fill("second thought");
  await box.press("Enter");
  await waitText(bob.page, "second thought");
});

test("a deleted message is gone for both", async () => {
  await say(alice.page, "oops, wrong room");
  await waitText(bob.page, "oops, wrong room");
  const mine = msgNode(alice.page, "oops, wrong room");
  await mine.hover();
  await mine.locator("button.delete").click();
  await mine.locator("button.delete[data-confirm]").click();
  for (const p of [alice.page, bob.page]) {
    await p.locator("kibitz-chat .msg.deleted").first().waitFor({ timeout: CAP });
    await p.waitForFunction(() => !document.querySelector("kibitz-chat").shadowRoot.textContent.includes("oops, wrong room"), null, { timeout: CAP });
  }
  await shot(alice.page, "deleted");
});

test("/me, /msg and links; unknown commands are explained and not sent", async () => {
  await say(alice.page, "/me waves");
  await bob.page.locator("kibitz-chat .msg.action .text").filter({ hasText: "* Alice waves" }).waitFor({ timeout: CAP });

  await say(alice.page, "/nick alicia");
  await alice.page.locator("kibitz-chat .banner.error").filter({ hasText: "no command" }).waitFor({ timeout: CAP });
  assert.equal(await alice.page.locator("kibitz-chat textarea").inputValue(), "/nick alicia");
  await alice.page.locator("kibitz-chat textarea").fill("");

  await say(alice.page, "/help");
  await alice.page.locator("kibitz-chat .note").filter({ hasText: "/me" }).filter({ hasText: "/leave" }).waitFor({ timeout: CAP });
  await say(alice.page, "/join book-club");
  await alice.page.locator("kibitz-chat header h2").filter({ hasText: "# book-club" }).waitFor({ timeout: CAP });
  await waitUsers(alice.page, ["Alice"]);
  await say(alice.page, "/leave");
  await alice.page.locator("kibitz-chat header h2").filter({ hasText: "# lobby" }).waitFor({ timeout: CAP });
  assert.equal(await alice.page.locator("kibitz-chat .room-btn").filter({ hasText: "book-club" }).count(), 0);
  await say(alice.page, "/leave");
  await alice.page.locator("kibitz-chat .banner.error").filter({ hasText: "cannot leave #lobby" }).waitFor({ timeout: CAP });
  await alice.page.locator("kibitz-chat textarea").fill("");

  await say(alice.page, "/msg Bob just between us");
  await bob.page.locator("kibitz-chat .msg.private .text").filter({ hasText: "just between us" }).waitFor({ timeout: CAP });

  await say(alice.page, "the docs: https://example.org/guide?x=1. and javascript:alert(1)");
  const link = bob.page.locator("kibitz-chat .msg .text a").last();
  await link.waitFor({ timeout: CAP });
  assert.equal(await link.getAttribute("href"), "https://example.org/guide?x=1");
  assert.equal(await link.getAttribute("rel"), "noopener noreferrer");
  assert.equal(await link.getAttribute("target"), "_blank");
  assert.equal(await bob.page.locator("kibitz-chat .msg .text a").count(), 1);
  await shot(bob.page, "commands-links");
});

test("a mention while the tab is hidden: a notification and the count in the title", async () => {
  const before = await bob.page.title();
  await bob.page.evaluate(() => window.__setHidden(true));
  await say(alice.page, "hey @Bob, are you there?");
  await bob.page.waitForFunction(() => window.__notes.length > 0, null, { timeout: CAP });
  const notes = await bob.page.evaluate(() => window.__notes);
  assert.equal(notes[0].title, "Alice mentioned you in #lobby");
  assert.equal(notes[0].body, "hey @Bob, are you there?");
  await bob.page.waitForFunction((t) => document.title === `(1 · 1 @) ${t}`, before, { timeout: CAP });
  assert.equal(await msgNode(bob.page, "are you there?").getAttribute("class").then((c) => c.includes("mentioned")), true);
  await shot(bob.page, "mention-hidden");
  // Coming back clears the count.
  await bob.page.evaluate(() => window.__setHidden(false));
  await bob.page.waitForFunction((t) => document.title === t, before, { timeout: CAP });
  // With the setting off, no notification.
  await bob.page.locator("kibitz-chat input[name=notify]").uncheck();
  await bob.page.evaluate(() => window.__setHidden(true));
  await say(alice.page, "@Bob again");
  await bob.page.waitForFunction((t) => document.title.startsWith("(1 · 1 @)"), before, { timeout: CAP });
  assert.equal(await bob.page.evaluate(() => window.__notes.length), 1);
  await bob.page.evaluate(() => window.__setHidden(false));
  // A private message notifies too, with the setting back on.
  await bob.page.locator("kibitz-chat input[name=notify]").check();
  await bob.page.evaluate(() => window.__setHidden(true));
  await say(alice.page, "@Bob only for you");
  await bob.page.waitForFunction(() => window.__notes.length === 2, null, { timeout: CAP });
  const privateNote = (await bob.page.evaluate(() => window.__notes))[1];
  assert.match(privateNote.title, /Alice/);
  assert.equal(privateNote.body, "only for you");
  await bob.page.evaluate(() => window.__setHidden(false));
});

test("ignoring someone hides their messages with a note and an undo", async () => {
  await bob.page.locator("kibitz-chat .user-item", { hasText: "Alice" }).locator(".user-more").click();
  await bob.page.locator("kibitz-chat .user-menu button").filter({ hasText: "Ignore Alice" }).click();
  await bob.page.locator("kibitz-chat .banner.info").filter({ hasText: "You ignore Alice" }).waitFor({ timeout: CAP });
  await say(alice.page, "can you hear me?");
  await waitText(alice.page, "can you hear me?");
  const hidden = bob.page.locator("kibitz-chat .msg.ignored").last();
  await hidden.waitFor({ timeout: CAP });
  assert.equal(await bob.page.locator("kibitz-chat .msg .text").filter({ hasText: "can you hear me?" }).count(), 0);
  await shot(bob.page, "ignored");
  // Show one, then undo the ignore: everything is back.
  await hidden.locator("button", { hasText: "Show" }).click();
  await waitText(bob.page, "can you hear me?");
  await bob.page.locator("kibitz-chat .banner.info button", { hasText: "Undo" }).click();
  assert.equal(await bob.page.locator("kibitz-chat .msg.ignored").count(), 0);
  assert.deepEqual(errors, []);
  await alice.context.close();
  await bob.context.close();
});
