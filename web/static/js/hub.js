// The page's one websocket to the hub (docs/realtime.md): requests answered by id, events by
// type and channel, resume of every channel after a reconnect, idempotent chat sends.
import { Outbox } from "./outbox.js";

const PROTOCOL = 1;
const FIRST_DELAY_MS = 500;
const MAX_DELAY_MS = 30000;
const ABUSE_DELAY_MS = 60000;
// Handshakes refused in a row before asking whether the session still exists.
const FAILURES_BEFORE_CHECK = 3;

function own(object, key) {
  return Object.prototype.hasOwnProperty.call(object, key);
}

export class Hub {
  constructor(options) {
    options = options || {};
    this.url = options.url || ((location.protocol === "https:" ? "wss:" : "ws:") +
      "//" + location.host + "/ws?v=" + PROTOCOL);
    this.notConnected = options.notConnected || "Not connected";
    this.signedOut = options.signedOut || "Signed out";
    this.ws = null;
    this.state = "idle"; // idle, connecting, open, reconnecting, signed_out
    this.me = null;
    this.hello = null;
    this.nextId = 1;
    this.pending = {};
    this.channels = {};
    this.handlers = {};
    this.statusListeners = [];
    this.outbox = new Outbox(this);
    this.attempt = 0;
    this.failures = 0;
    this.everOpened = false;
    this.retryTimer = null;
    this.pingTimer = null;
    this.watchTimer = null;
    this.lastFrameAt = 0;
    window.addEventListener("online", () => {
      if (this.retryTimer !== null) { this._retryNow(); }
    });
  }

  start() {
    if (this.state === "idle") { this._connect(); }
    return this;
  }

  _setState(state) {
    if (this.state === state) { return; }
    this.state = state;
    for (const listener of this.statusListeners) { listener(state); }
  }

  onStatus(fn) {
    this.statusListeners.push(fn);
    fn(this.state);
  }

  _connect() {
    this.retryTimer = null;
    this._setState(this.everOpened ? "reconnecting" : "connecting");
    let ws;
    try {
      ws = new WebSocket(this.url);
    } catch (e) {
      this._scheduleRetry(null);
      return;
    }
    this.ws = ws;
    ws.onmessage = (ev) => { this._onFrame(ws, ev.data); };
    ws.onclose = (ev) => { this._onClose(ws, ev.code); };
    ws.onerror = () => { /* a close event follows */ };
  }

  // Forget a socket without waiting for its close handshake (a dead network never answers).
  _drop(ws) {
    ws.onmessage = null;
    ws.onclose = null;
    ws.onerror = null;
    try { ws.close(4000); } catch (e) { /* already closed */ }
  }

  _onFrame(ws, data) {
    if (ws !== this.ws) { return; }
    this.lastFrameAt = Date.now();
    let msg;
    try { msg = JSON.parse(data); } catch (e) { return; }
    if (!msg || typeof msg !== "object") { return; }
    if (msg.type === "hello") {
      this._onHello(msg);
      return;
    }
    // Events may carry an `id` of their own (a chat message's): only these types are answers.
    if ((msg.type === "ok" || msg.type === "error" || msg.type === "pong") &&
        msg.id !== undefined && this.pending[msg.id]) {
      const waiter = this.pending[msg.id];
      delete this.pending[msg.id];
      if (msg.type === "error") {
        waiter.reject({ code: msg.code || "error", message: msg.message || msg.code || "" });
      } else {
        waiter.resolve(msg);
      }
      return;
    }
    this._onEvent(msg);
  }

  _onHello(hello) {
    this.hello = hello;
    this.me = hello.me || null;
    this.attempt = 0;
    this.failures = 0;
    this.everOpened = true;
    this._setState("open");
    const ws = this.ws;
    const pingMs = Math.max(1, Number(hello.ping_seconds) || 5) * 1000;
    const idleMs = Math.max(1, Number(hello.idle_timeout_seconds) || 15) * 1000;
    clearInterval(this.pingTimer);
    clearInterval(this.watchTimer);
    this.pingTimer = setInterval(() => {
      this.request("ping").catch(() => { /* the watchdog decides */ });
    }, pingMs);
    // The server cuts a silent client after idleMs; a client that hears nothing for as long
    // (no pong either) is on a dead network and starts over instead of waiting for TCP.
    this.watchTimer = setInterval(() => {
      if (this.ws === ws && Date.now() - this.lastFrameAt > idleMs) {
        this._drop(ws);
        this._onClose(ws, 4408);
      }
    }, 1000);
    const waits = [];
    for (const name in this.channels) {
      if (own(this.channels, name)) {
        waits.push(this._subscribe(name).catch(() => null));
      }
    }
    Promise.all(waits).then(() => {
      if (this.ws === ws && this.state === "open") { this.outbox.flush(); }
    });
  }

  _onClose(ws, code) {
    if (ws !== this.ws) { return; }
    this.ws = null;
    clearInterval(this.pingTimer);
    clearInterval(this.watchTimer);
    const opened = this.state === "open";
    for (const id in this.pending) {
      if (own(this.pending, id)) {
        this.pending[id].reject({ code: "not_connected", message: this.notConnected });
      }
    }
    this.pending = {};
    this.outbox.lost();
    for (const name in this.channels) {
      if (own(this.channels, name)) { this.channels[name].subscribed = false; }
    }
    if (code === 4401) {
      this._stop();
      return;
    }
    if (!opened) { this.failures += 1; }
    this._scheduleRetry(code);
  }

  _stop() {
    clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.outbox.refuse({ code: "signed_out", message: this.signedOut });
    this._setState("signed_out");
  }

  _scheduleRetry(code) {
    this._setState(this.everOpened ? "reconnecting" : "connecting");
    let delay;
    if (code === 1013) {
      delay = Math.random() * 250;
    } else if (code === 1008 || code === 4429) {
      // Refused for abuse, or this member has as many sockets as allowed: try much later.
      delay = ABUSE_DELAY_MS * (0.75 + Math.random() * 0.5);
    } else {
      // Exponential with jitter, so 150 rooms cut by one outage do not return in lockstep.
      const ceiling = Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * Math.pow(2, this.attempt));
      delay = ceiling / 2 + Math.random() * ceiling / 2;
      this.attempt += 1;
    }
    if (this.failures >= FAILURES_BEFORE_CHECK && this.failures % FAILURES_BEFORE_CHECK === 0) {
      // A refused handshake looks like any network failure: ask whether the session ended.
      fetch("/api/me", { credentials: "same-origin", cache: "no-store" })
        .then((r) => { if (r.status === 401) { this._stop(); } })
        .catch(() => { /* offline: keep trying */ });
    }
    this.retryTimer = setTimeout(() => {
      if (this.state !== "signed_out") { this._connect(); }
    }, delay);
  }

  _retryNow() {
    clearTimeout(this.retryTimer);
    this.attempt = 0;
    this._connect();
  }

  _send(frame) {
    if (!this.ws || this.state !== "open") { return false; }
    this.ws.send(JSON.stringify(frame));
    return true;
  }

  // A request; resolves with the `ok` (or `pong`) frame, rejects with {code, message}.
  request(type, fields) {
    return new Promise((resolve, reject) => {
      const id = "r" + this.nextId++;
      const frame = { type: type, id: id };
      for (const key in fields) {
        if (own(fields, key) && fields[key] !== undefined) { frame[key] = fields[key]; }
      }
      if (!this._send(frame)) {
        reject({ code: "not_connected", message: this.notConnected });
        return;
      }
      this.pending[id] = { resolve: resolve, reject: reject };
    });
  }

  on(type, fn, channel) {
    const list = this.handlers[type] || (this.handlers[type] = []);
    const entry = { fn: fn, channel: channel || null };
    list.push(entry);
    return () => {
      const at = list.indexOf(entry);
      if (at >= 0) { list.splice(at, 1); }
    };
  }

  _onEvent(msg) {
    const ch = msg.channel ? this.channels[msg.channel] : null;
    if (msg.channel && !ch) { return; }
    if (msg.type === "chat.message" && ch && typeof msg.seq === "number") {
      if (ch.lastSeq !== null && msg.seq <= ch.lastSeq) { return; }
      ch.lastSeq = msg.seq;
    }
    for (const entry of (this.handlers[msg.type] || []).slice()) {
      if (entry.channel === null || entry.channel === msg.channel) {
        try { entry.fn(msg); } catch (e) { console.error(e); }
      }
    }
  }

  // Follow a channel for as long as the page wants it, across reconnects. `ready(answer,
  // reload)` runs after every subscribe; `reload` says what is shown must be loaded afresh.
  join(channel, ready, failed) {
    let ch = this.channels[channel];
    const member = { ready: ready, failed: failed || null };
    if (!ch) {
      ch = this.channels[channel] = {
        members: [], lastSeq: null, epoch: null, answer: null, subscribed: false
      };
      ch.members.push(member);
      if (this.state === "open") { this._subscribe(channel).catch(() => null); }
    } else {
      ch.members.push(member);
      if (ch.subscribed && ch.answer) { ready(ch.answer, true); }
    }
    return {
      leave: () => {
        const at = ch.members.indexOf(member);
        if (at >= 0) { ch.members.splice(at, 1); }
        if (ch.members.length === 0 && this.channels[channel] === ch) {
          delete this.channels[channel];
          if (this.state === "open") {
            this.request("unsubscribe", { channel: channel }).catch(() => null);
          }
        }
      }
    };
  }

  _subscribe(channel) {
    const ch = this.channels[channel];
    const resuming = ch.lastSeq !== null;
    const fields = { channel: channel };
    if (resuming) {
      fields.since = ch.lastSeq;
      if (ch.epoch !== null) { fields.epoch = ch.epoch; }
    }
    return this.request("subscribe", fields).then((answer) => {
      if (this.channels[channel] !== ch) { return answer; }
      const reload = !resuming || answer.reset === true;
      if (typeof answer.epoch === "string") { ch.epoch = answer.epoch; }
      // On a resume the missed messages follow this answer: the mark stays where it was.
      if (reload && typeof answer.last_seq === "number") { ch.lastSeq = answer.last_seq; }
      ch.answer = answer;
      ch.subscribed = true;
      for (const member of ch.members.slice()) {
        try { member.ready(answer, reload); } catch (e) { console.error(e); }
      }
      return answer;
    }, (err) => {
      for (const member of ch.members.slice()) {
        if (member.failed) { member.failed(err); }
      }
      throw err;
    });
  }

  // Chat messages that reached the page another way (history) count as seen.
  sawChat(channel, seq, epoch) {
    const ch = this.channels[channel];
    if (!ch) { return; }
    if (typeof seq === "number" && (ch.lastSeq === null || seq > ch.lastSeq)) { ch.lastSeq = seq; }
    if (typeof epoch === "string") { ch.epoch = epoch; }
  }

  // Send a chat message; kept and resent with the same client_id until the server answers.
  sendChat(channel, body) {
    const entry = this.outbox.add(channel, body);
    if (this.state === "open") { this.outbox.send(entry); }
    if (this.state === "signed_out") { this._stop(); }
    return entry;
  }
}
