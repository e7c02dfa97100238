// Names, rooms and error texts of the /chat namespace (PROTOCOL.md), for web/chat-client.js and
// the element: the server's name comparison key, the room name rule, and a sentence for people
// for every error code of wire.hpp.

export const ROOM_RE = /^[a-z0-9_\-:.]{1,64}$/;

export const ERRORS = {
  name_invalid: "A name is 1 to 24 letters, digits, '_', '-' or '.', with nothing invisible in it.",
  name_taken: "That name, or one that looks just like it, is taken. Pick another one.",
  name_reserved: "That name is reserved. Pick another one.",
  room_invalid: "A room name is 1 to 64 characters: a-z, 0-9, _ - : .",
  too_many_rooms: "You are in as many rooms as you can be. Leave one first.",
  not_joined: "You are not in that room.",
  unknown_recipient: "There is nobody by that name in this room.",
  text_invalid: "That message cannot be sent: it is empty, longer than 2000 characters, or has control characters in it.",
  forbidden: "You can only send or change your own messages.",
  not_found: "That message is gone, or not in a room you are in.",
  bad_request: "The server did not understand that request.",
  unavailable: "The server could not store that just now. Try again.",
  rate_limited: "Too many requests: wait a moment.",
};

// The comparison key of a name, as close to the server's ICU NFKC_Casefold as JavaScript allows:
// NFKC, then full case folding built from lower(upper(lower(x))) (so "ß", "ẞ" and "SS" meet at
// "ss", "ς" and "Σ" at "σ"), with the two places where that is not case folding put right: the
// dotless ı stays ı, and Cherokee folds to its capitals (as ICU does); then NFKC again. Checked
// code point by code point against NFKC(casefold(NFKC(x))) for every letter, mark and digit: the
// same. Left over (docs/chat.md): default-ignorable code points are kept (the server refuses
// names that hold them), and the browser's Unicode version may differ from the server's ICU.
export function foldName(name) {
  return String(name).normalize("NFKC").split("ı").map(foldPart).join("ı").normalize("NFKC");
}

function foldPart(s) {
  return s.toLowerCase().toUpperCase().toLowerCase().replace(/ς/g, "σ").replace(CHEROKEE_SMALL, (c) => String.fromCodePoint(c.codePointAt(0) >= 0xab70 ? c.codePointAt(0) - 0xab70 + 0x13a0 : c.codePointAt(0) - 8));
}

const CHEROKEE_SMALL = /[\uab70-\uabbf\u13f8-\u13fd]/g;
