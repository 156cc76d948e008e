// The page's one websocket to the hub (docs/realtime.md): requests answered by id, events by
// type and channel, resume of every channel after a reconnect, idempotent chat sends.
(function (global) {
  "use strict";

  var PROTOCOL = 1;
  var FIRST_DELAY_MS = 500;
  var MAX_DELAY_MS = 30000;
  var ABUSE_DELAY_MS = 60000;
  // Handshakes refused in a row before asking whether the session still exists.
  var FAILURES_BEFORE_CHECK = 3;

  function randomId() {
    var c = global.crypto;
    if (c && typeof c.randomUUID === "function") {
      try { return c.randomUUID(); } catch (e) { /* not a secure context: fall through */ }
    }
    var bytes = new Uint8Array(16);
    if (c && typeof c.getRandomValues === "function") {
      c.getRandomValues(bytes);
    } else {
      for (var i = 0; i < bytes.length; i++) { bytes[i] = Math.floor(Math.random() * 256); }
    }
    var hex = "";
    for (var j = 0; j < bytes.length; j++) { hex += (bytes[j] + 256).toString(16).slice(1); }
    return hex;
  }

  function Hub(options) {
    options = options || {};
    this.url = options.url || ((global.location.protocol === "https:" ? "wss:" : "ws:") +
      "//" + global.location.host + "/ws?v=" + PROTOCOL);
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
    this.outbox = []; // chat sends not yet acknowledged, oldest first
    this.attempt = 0;
    this.failures = 0;
    this.everOpened = false;
    this.retryTimer = null;
    this.pingTimer = null;
    this.watchTimer = null;
    this.lastFrameAt = 0;
    var hub = this;
    global.addEventListener("online", function () {
      if (hub.retryTimer !== null) { hub._retryNow(); }
    });
  }

  Hub.prototype.start = function () {
    if (this.state === "idle") { this._connect(); }
    return this;
  };

  Hub.prototype._setState = function (state) {
    if (this.state === state) { return; }
    this.state = state;
    for (var i = 0; i < this.statusListeners.length; i++) { this.statusListeners[i](state); }
  };

  Hub.prototype.onStatus = function (fn) {
    this.statusListeners.push(fn);
    fn(this.state);
  };

  Hub.prototype._connect = function () {
    this.retryTimer = null;
    this._setState(this.everOpened ? "reconnecting" : "connecting");
    var ws;
    try {
      ws = new WebSocket(this.url);
    } catch (e) {
      this._scheduleRetry(null);
      return;
    }
    this.ws = ws;
    var hub = this;
    ws.onmessage = function (ev) { hub._onFrame(ws, ev.data); };
    ws.onclose = function (ev) { hub._onClose(ws, ev.code); };
    ws.onerror = function () { /* a close event follows */ };
  };

  // Forget a socket without waiting for its close handshake (a dead network never answers).
  Hub.prototype._drop = function (ws) {
    ws.onmessage = null;
    ws.onclose = null;
    ws.onerror = null;
    try { ws.close(4000); } catch (e) { /* already closed */ }
  };

  Hub.prototype._onFrame = function (ws, data) {
    if (ws !== this.ws) { return; }
    this.lastFrameAt = Date.now();
    var msg;
    try { msg = JSON.parse(data); } catch (e) { return; }
    if (!msg || typeof msg !== "object") { return; }
    if (msg.type === "hello") {
      this._onHello(msg);
      return;
    }
    // Events may carry an `id` of their own (a chat message's): only these types are answers.
    if ((msg.type === "ok" || msg.type === "error" || msg.type === "pong") &&
        msg.id !== undefined && this.pending[msg.id]) {
      var waiter = this.pending[msg.id];
      delete this.pending[msg.id];
      if (msg.type === "error") {
        waiter.reject({ code: msg.code || "error", message: msg.message || msg.code || "" });
      } else {
        waiter.resolve(msg);
      }
      return;
    }
    this._onEvent(msg);
  };

  Hub.prototype._onHello = function (hello) {
    this.hello = hello;
    this.me = hello.me || null;
    this.attempt = 0;
    this.failures = 0;
    this.everOpened = true;
    this._setState("open");
    var hub = this;
    var ws = this.ws;
    var pingMs = Math.max(1, Number(hello.ping_seconds) || 5) * 1000;
    var idleMs = Math.max(1, Number(hello.idle_timeout_seconds) || 15) * 1000;
    clearInterval(this.pingTimer);
    clearInterval(this.watchTimer);
    this.pingTimer = setInterval(function () {
      hub.request("ping").catch(function () { /* the watchdog decides */ });
    }, pingMs);
    // The server cuts a silent client after idleMs; a client that hears nothing for as long
    // (no pong either) is on a dead network and starts over instead of waiting for TCP.
    this.watchTimer = setInterval(function () {
      if (hub.ws === ws && Date.now() - hub.lastFrameAt > idleMs) {
        hub._drop(ws);
        hub._onClose(ws, 4408);
      }
    }, 1000);
    var waits = [];
    for (var name in this.channels) {
      if (Object.prototype.hasOwnProperty.call(this.channels, name)) {
        waits.push(this._subscribe(name).catch(function () { return null; }));
      }
    }
    Promise.all(waits).then(function () {
      if (hub.ws === ws && hub.state === "open") { hub._flushOutbox(); }
    });
  };

  Hub.prototype._onClose = function (ws, code) {
    if (ws !== this.ws) { return; }
    this.ws = null;
    clearInterval(this.pingTimer);
    clearInterval(this.watchTimer);
    var opened = this.state === "open";
    for (var id in this.pending) {
      if (Object.prototype.hasOwnProperty.call(this.pending, id)) {
        this.pending[id].reject({ code: "not_connected", message: this.notConnected });
      }
    }
    this.pending = {};
    for (var i = 0; i < this.outbox.length; i++) { this.outbox[i].sent = false; }
    for (var name in this.channels) {
      if (Object.prototype.hasOwnProperty.call(this.channels, name)) {
        this.channels[name].subscribed = false;
      }
    }
    if (code === 4401) {
      this._stop();
      return;
    }
    if (!opened) { this.failures += 1; }
    this._scheduleRetry(code);
  };

  Hub.prototype._stop = function () {
    clearTimeout(this.retryTimer);
    this.retryTimer = null;
    for (var i = 0; i < this.outbox.length; i++) {
      this.outbox[i].reject({ code: "signed_out", message: this.signedOut });
    }
    this.outbox = [];
    this._setState("signed_out");
  };

  Hub.prototype._scheduleRetry = function (code) {
    var hub = this;
    this._setState(this.everOpened ? "reconnecting" : "connecting");
    var delay;
    if (code === 1013) {
      delay = Math.random() * 250;
    } else if (code === 1008) {
      delay = ABUSE_DELAY_MS * (0.75 + Math.random() * 0.5);
    } else {
      // Exponential with jitter, so 150 rooms cut by one outage do not return in lockstep.
      var ceiling = Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * Math.pow(2, this.attempt));
      delay = ceiling / 2 + Math.random() * ceiling / 2;
      this.attempt += 1;
    }
    if (this.failures >= FAILURES_BEFORE_CHECK && this.failures % FAILURES_BEFORE_CHECK === 0) {
      // A refused handshake looks like any network failure: ask whether the session ended.
      global.fetch("/api/me", { credentials: "same-origin", cache: "no-store" })
        .then(function (r) { if (r.status === 401) { hub._stop(); } })
        .catch(function () { /* offline: keep trying */ });
    }
    this.retryTimer = setTimeout(function () {
      if (hub.state !== "signed_out") { hub._connect(); }
    }, delay);
  };

  Hub.prototype._retryNow = function () {
    clearTimeout(this.retryTimer);
    this.attempt = 0;
    this._connect();
  };

  Hub.prototype._send = function (frame) {
    if (!this.ws || this.state !== "open") { return false; }
    this.ws.send(JSON.stringify(frame));
    return true;
  };

  // A request; resolves with the `ok` (or `pong`) frame, rejects with {code, message}.
  Hub.prototype.request = function (type, fields) {
    var hub = this;
    return new Promise(function (resolve, reject) {
      var id = "r" + hub.nextId++;
      var frame = { type: type, id: id };
      for (var key in fields) {
        if (Object.prototype.hasOwnProperty.call(fields, key) && fields[key] !== undefined) {
          frame[key] = fields[key];
        }
      }
      if (!hub._send(frame)) {
        reject({ code: "not_connected", message: hub.notConnected });
        return;
      }
      hub.pending[id] = { resolve: resolve, reject: reject };
    });
  };

  Hub.prototype.on = function (type, fn, channel) {
    var list = this.handlers[type] || (this.handlers[type] = []);
    var entry = { fn: fn, channel: channel || null };
    list.push(entry);
    return function () {
      var at = list.indexOf(entry);
      if (at >= 0) { list.splice(at, 1); }
    };
  };

  Hub.prototype._onEvent = function (msg) {
    var ch = msg.channel ? this.channels[msg.channel] : null;
    if (msg.channel && !ch) { return; }
    if (msg.type === "chat.message" && ch && typeof msg.seq === "number") {
      if (ch.lastSeq !== null && msg.seq <= ch.lastSeq) { return; }
      ch.lastSeq = msg.seq;
    }
    var list = (this.handlers[msg.type] || []).slice();
    for (var i = 0; i < list.length; i++) {
      if (list[i].channel === null || list[i].channel === msg.channel) {
        try { list[i].fn(msg); } catch (e) { global.console.error(e); }
      }
    }
  };

  // Follow a channel for as long as the page wants it, across reconnects. `ready(answer,
  // reload)` runs after every subscribe; `reload` says what is shown must be loaded afresh.
  Hub.prototype.join = function (channel, ready, failed) {
    var ch = this.channels[channel];
    var member = { ready: ready, failed: failed || null };
    if (!ch) {
      ch = this.channels[channel] = {
        members: [], lastSeq: null, epoch: null, answer: null, subscribed: false
      };
      ch.members.push(member);
      if (this.state === "open") { this._subscribe(channel).catch(function () { return null; }); }
    } else {
      ch.members.push(member);
      if (ch.subscribed && ch.answer) { ready(ch.answer, true); }
    }
    var hub = this;
    return {
      leave: function () {
        var at = ch.members.indexOf(member);
        if (at >= 0) { ch.members.splice(at, 1); }
        if (ch.members.length === 0 && hub.channels[channel] === ch) {
          delete hub.channels[channel];
          if (hub.state === "open") {
            hub.request("unsubscribe", { channel: channel }).catch(function () { return null; });
          }
        }
      }
    };
  };

  Hub.prototype._subscribe = function (channel) {
    var ch = this.channels[channel];
    var resuming = ch.lastSeq !== null;
    var fields = { channel: channel };
    if (resuming) {
      fields.since = ch.lastSeq;
      if (ch.epoch !== null) { fields.epoch = ch.epoch; }
    }
    var hub = this;
    return this.request("subscribe", fields).then(function (answer) {
      if (hub.channels[channel] !== ch) { return answer; }
      var reload = !resuming || answer.reset === true;
      if (typeof answer.epoch === "string") { ch.epoch = answer.epoch; }
      // On a resume the missed messages follow this answer: the mark stays where it was.
      if (reload && typeof answer.last_seq === "number") { ch.lastSeq = answer.last_seq; }
      ch.answer = answer;
      ch.subscribed = true;
      var members = ch.members.slice();
      for (var i = 0; i < members.length; i++) {
        try { members[i].ready(answer, reload); } catch (e) { global.console.error(e); }
      }
      return answer;
    }, function (err) {
      var members = ch.members.slice();
      for (var i = 0; i < members.length; i++) {
        if (members[i].failed) { members[i].failed(err); }
      }
      throw err;
    });
  };

  // Chat messages that reached the page another way (history) count as seen.
  Hub.prototype.sawChat = function (channel, seq, epoch) {
    var ch = this.channels[channel];
    if (!ch) { return; }
    if (typeof seq === "number" && (ch.lastSeq === null || seq > ch.lastSeq)) { ch.lastSeq = seq; }
    if (typeof epoch === "string") { ch.epoch = epoch; }
  };

  // Send a chat message; kept and resent with the same client_id until the server answers.
  Hub.prototype.sendChat = function (channel, body) {
    var entry = { channel: channel, body: body, clientId: randomId(), sent: false };
    entry.promise = new Promise(function (resolve, reject) {
      entry.resolve = resolve;
      entry.reject = reject;
    });
    this.outbox.push(entry);
    if (this.state === "open") { this._sendChat(entry); }
    if (this.state === "signed_out") { this._stop(); }
    return entry;
  };

  Hub.prototype._sendChat = function (entry) {
    var hub = this;
    entry.sent = true;
    this.request("chat.send", { channel: entry.channel, client_id: entry.clientId, body: entry.body })
      .then(function (answer) {
        hub._settle(entry);
        entry.resolve(answer);
      }, function (err) {
        // Lost with the connection: resent after the next hello. Refused: final.
        if (err.code === "not_connected") {
          entry.sent = false;
          return;
        }
        hub._settle(entry);
        entry.reject(err);
      });
  };

  Hub.prototype._settle = function (entry) {
    var at = this.outbox.indexOf(entry);
    if (at >= 0) { this.outbox.splice(at, 1); }
  };

  Hub.prototype._flushOutbox = function () {
    var waiting = this.outbox.slice();
    for (var i = 0; i < waiting.length; i++) {
      if (!waiting[i].sent) { this._sendChat(waiting[i]); }
    }
  };

  global.KetnoiHub = Hub;
  global.ketnoiRandomId = randomId;
})(window);
