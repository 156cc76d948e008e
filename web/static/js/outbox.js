// Chat sends not yet acknowledged, oldest first: each keeps its client_id, so a send lost with
// the connection is resent after the next hello and the server keeps it only once.

function randomId() {
  const c = window.crypto;
  if (c && typeof c.randomUUID === "function") {
    try { return c.randomUUID(); } catch (e) { /* not a secure context: fall through */ }
  }
  const bytes = new Uint8Array(16);
  if (c && typeof c.getRandomValues === "function") {
    c.getRandomValues(bytes);
  } else {
    for (let i = 0; i < bytes.length; i++) { bytes[i] = Math.floor(Math.random() * 256); }
  }
  let hex = "";
  for (let j = 0; j < bytes.length; j++) { hex += (bytes[j] + 256).toString(16).slice(1); }
  return hex;
}

export class Outbox {
  constructor(hub) {
    this.hub = hub;
    this.entries = [];
  }

  add(channel, body) {
    const entry = { channel: channel, body: body, clientId: randomId(), sent: false };
    entry.promise = new Promise((resolve, reject) => {
      entry.resolve = resolve;
      entry.reject = reject;
    });
    this.entries.push(entry);
    return entry;
  }

  send(entry) {
    entry.sent = true;
    this.hub.request("chat.send", { channel: entry.channel, client_id: entry.clientId, body: entry.body })
      .then((answer) => {
        this._settle(entry);
        entry.resolve(answer);
      }, (err) => {
        // Lost with the connection: resent after the next hello. Refused: final.
        if (err.code === "not_connected") {
          entry.sent = false;
          return;
        }
        this._settle(entry);
        entry.reject(err);
      });
  }

  _settle(entry) {
    const at = this.entries.indexOf(entry);
    if (at >= 0) { this.entries.splice(at, 1); }
  }

  // The connection is gone: nothing is on its way any more.
  lost() {
    for (const entry of this.entries) { entry.sent = false; }
  }

  flush() {
    for (const entry of this.entries.slice()) {
      if (!entry.sent) { this.send(entry); }
    }
  }

  // Signed out: every waiting send fails for good.
  refuse(error) {
    for (const entry of this.entries) { entry.reject(Object.assign({}, error)); }
    this.entries = [];
  }
}
