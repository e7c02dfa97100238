// The chat page: a room in the address (/chat/#room) opens that room.
const el = document.querySelector("kibitz-chat");
const room = decodeURIComponent(location.hash.slice(1));
if (el && /^[a-z0-9_\-:.]{1,64}$/.test(room)) el.setAttribute("room", room);
