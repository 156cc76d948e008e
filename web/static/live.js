// The live widgets of a page: banner, chat, questions, raised hands, floor queue, polls,
// announcements and points online. The page says what it shows in #live-config and by
// [data-live] boxes; every text from people goes in with textContent, never as HTML.
(function () {
  "use strict";

  var configEl = document.getElementById("live-config");
  if (!configEl || typeof window.KetnoiHub !== "function") { return; }
  var cfg = JSON.parse(configEl.textContent);
  var L = cfg.labels || {};
  var hub = new window.KetnoiHub({ notConnected: L.not_connected, signedOut: L.signed_out });
  window.ketnoiHub = hub;
  // media.js writes its labels and errors the same way.
  window.ketnoiLive = { t: t, showError: showError };

  var lang = document.documentElement.lang || "vi";
  var timeFormat = makeTimeFormat();

  function makeTimeFormat() {
    var opts = { hour: "2-digit", minute: "2-digit", hourCycle: "h23" };
    try {
      return new Intl.DateTimeFormat(lang, Object.assign({ timeZone: cfg.zone }, opts));
    } catch (e) {
      return new Intl.DateTimeFormat(lang, opts);
    }
  }

  function t(key, params) {
    var text = L[key] || key;
    for (var name in params) {
      if (Object.prototype.hasOwnProperty.call(params, name)) {
        text = text.split("%(" + name + ")s").join(String(params[name]));
      }
    }
    return text;
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }

  function button(label, className, onClick) {
    var b = el("button", className, label);
    b.type = "button";
    b.addEventListener("click", onClick);
    return b;
  }

  function clock(iso) {
    var when = new Date(iso);
    return isNaN(when.getTime()) ? "" : timeFormat.format(when);
  }

  function duration(ms) {
    var s = Math.max(0, Math.floor(ms / 1000));
    var h = Math.floor(s / 3600);
    var m = Math.floor((s % 3600) / 60);
    var sec = s % 60;
    var mm = h > 0 && m < 10 ? "0" + m : String(m);
    return (h > 0 ? h + ":" : "") + mm + ":" + (sec < 10 ? "0" : "") + sec;
  }

  function nameOf(member) {
    return member && member.name ? member.name : "";
  }

  function showError(node, err) {
    if (!node) { return; }
    if (!err) {
      node.hidden = true;
      node.textContent = "";
      return;
    }
    node.textContent = err.message || err.code || String(err);
    node.hidden = false;
  }

  // Controls wait for the first answer of their channel, and stop for good when signed out.
  var controls = [];
  function control(node) {
    if (node) { controls.push(node); }
    return node;
  }
  function enable(nodes) {
    for (var i = 0; i < nodes.length; i++) {
      if (nodes[i] && hub.state !== "signed_out") { nodes[i].disabled = false; }
    }
  }

  function statusWidget() {
    var status = document.getElementById("live-status");
    var names = {
      idle: "connecting", connecting: "connecting", open: "connected",
      reconnecting: "reconnecting", signed_out: "signed_out"
    };
    hub.onStatus(function (state) {
      document.body.setAttribute("data-live-state", state);
      if (status) {
        status.setAttribute("data-state", state);
        status.textContent = L[names[state]] || state;
      }
      if (state === "signed_out") {
        for (var i = 0; i < controls.length; i++) { controls[i].disabled = true; }
      }
    });
  }

  function bannerWidget() {
    var box = document.getElementById("live-banner");
    if (!box || !cfg.event) { return; }
    var text = box.querySelector(".banner-text");
    var channel = "event:" + cfg.event;
    function show(announcement) {
      var body = "";
      if (typeof announcement === "string") {
        body = announcement;
      } else if (announcement && typeof announcement.body === "string") {
        body = announcement.body;
      }
      text.textContent = body;
      box.hidden = body === "";
    }
    hub.join(channel, function (answer) { show(answer.announcement); });
    hub.on("announce", function (msg) { show(msg.announcement); }, channel);
  }

  function chatWidget(box) {
    if (!cfg.talk) { return; }
    var channel = "talk:" + cfg.talk;
    var log = box.querySelector(".chat-log");
    var older = box.querySelector(".chat-older");
    var form = box.querySelector(".chat-form");
    var input = control(form.querySelector("textarea"));
    var send = control(form.querySelector("button[type=submit]"));
    var counter = form.querySelector(".counter");
    var errorEl = form.querySelector(".form-error");
    var note = box.querySelector(".chat-note");
    var max = Number(cfg.chat_max) || 2000;
    var bySeq = {};
    var pendingByClient = {};
    var oldest = null;
    var muted = {};
    var ready = false;
    var loaded = false;
    var empty = el("li", "chat-empty meta", L.no_messages);
    log.appendChild(empty);

    function nearBottom() {
      return log.scrollHeight - log.scrollTop - log.clientHeight < 48;
    }

    function refreshEmpty() {
      var has = log.querySelector(".chat-msg") !== null;
      if (has && empty.parentNode) { log.removeChild(empty); }
      if (!has && !empty.parentNode) { log.appendChild(empty); }
    }

    function muteButtons(key) {
      var nodes = log.querySelectorAll(".chat-mute");
      for (var i = 0; i < nodes.length; i++) {
        if (nodes[i].getAttribute("data-member") === key) {
          nodes[i].textContent = muted[key] ? L.unmute : L.mute;
        }
      }
    }

    function toggleMute(author, node) {
      var key = author.key;
      var type = muted[key] ? "chat.unmute" : "chat.mute";
      node.disabled = true;
      hub.request(type, { channel: channel, member: key }).then(function () {
        muted[key] = type === "chat.mute";
        muteButtons(key);
        note.textContent = t(muted[key] ? "muted_member" : "unmuted_member", { name: nameOf(author) });
        note.hidden = false;
      }, function (err) { showError(errorEl, err); }).then(function () { node.disabled = false; });
    }

    function render(msg) {
      var author = msg.author || {};
      var mine = author.key === cfg.me;
      var li = el("li", "chat-msg" + (mine ? " mine" : ""));
      li.setAttribute("data-seq", String(msg.seq));
      var head = el("div", "chat-head");
      head.appendChild(el("strong", "chat-author", nameOf(author) + (mine ? " (" + L.you + ")" : "")));
      head.appendChild(document.createTextNode(" "));
      var time = el("time", "chat-time meta", clock(msg.at));
      time.setAttribute("datetime", msg.at || "");
      head.appendChild(time);
      if (cfg.moderates) {
        var tools = el("span", "chat-tools");
        tools.appendChild(button(L.hide, "small secondary chat-hide", function (ev) {
          ev.currentTarget.disabled = true;
          hub.request("chat.hide", { channel: channel, seq: msg.seq }).catch(function (err) {
            showError(errorEl, err);
          });
        }));
        if (!mine && author.key) {
          var mute = button(muted[author.key] ? L.unmute : L.mute, "small secondary chat-mute",
            function (ev) { toggleMute(author, ev.currentTarget); });
          mute.setAttribute("data-member", author.key);
          tools.appendChild(mute);
        }
        head.appendChild(tools);
      }
      li.appendChild(head);
      li.appendChild(el("div", "chat-body", msg.body));
      return li;
    }

    // In sequence order, above our own messages that are still on their way.
    function place(li, seq) {
      var before = null;
      var node = log.lastElementChild;
      while (node) {
        var settled = node.classList.contains("chat-msg") && !node.classList.contains("pending");
        if (settled && Number(node.getAttribute("data-seq")) < seq) { break; }
        before = node;
        node = node.previousElementSibling;
      }
      log.insertBefore(li, before);
    }

    function add(msg) {
      if (typeof msg.seq !== "number") { return; }
      if (oldest === null || msg.seq < oldest) { oldest = msg.seq; }
      if (msg.hidden) {
        remove(msg.seq);
        return;
      }
      var pending = msg.client_id ? pendingByClient[msg.client_id] : null;
      if (pending) {
        delete pendingByClient[msg.client_id];
        pending.parentNode.removeChild(pending);
      }
      if (bySeq[msg.seq]) { return; }
      var stick = nearBottom() || pending;
      var li = render(msg);
      bySeq[msg.seq] = li;
      place(li, msg.seq);
      refreshEmpty();
      if (stick) { log.scrollTop = log.scrollHeight; }
    }

    function remove(seq) {
      var li = bySeq[seq];
      if (li && li.parentNode) { li.parentNode.removeChild(li); }
      delete bySeq[seq];
      refreshEmpty();
    }

    function clear() {
      var nodes = log.querySelectorAll(".chat-msg:not(.pending)");
      for (var i = 0; i < nodes.length; i++) { log.removeChild(nodes[i]); }
      bySeq = {};
      oldest = null;
      refreshEmpty();
    }

    // Cleared now, not when the page arrives: a message delivered meanwhile stays shown.
    function loadLatest() {
      clear();
      hub.request("chat.history", { channel: channel, limit: 50 }).then(function (answer) {
        var messages = answer.messages || [];
        for (var i = 0; i < messages.length; i++) { add(messages[i]); }
        hub.sawChat(channel, answer.last_seq, answer.epoch);
        older.hidden = !answer.more;
        log.scrollTop = log.scrollHeight;
        loaded = true;
      }, function (err) { showError(errorEl, err); });
    }

    older.addEventListener("click", function () {
      if (oldest === null) { return; }
      older.disabled = true;
      var before = log.scrollHeight;
      hub.request("chat.history", { channel: channel, before: oldest, limit: 50 }).then(function (answer) {
        var messages = answer.messages || [];
        for (var i = 0; i < messages.length; i++) { add(messages[i]); }
        older.hidden = !answer.more;
        log.scrollTop += log.scrollHeight - before;
      }, function (err) { showError(errorEl, err); }).then(function () { older.disabled = false; });
    });

    function length() {
      return Array.from(input.value.normalize("NFC").trim()).length;
    }

    function update() {
      var n = length();
      counter.textContent = t("characters", { count: n, max: max });
      counter.classList.toggle("over", n > max);
      send.disabled = !ready || n === 0 || n > max || hub.state === "signed_out";
    }

    function submit() {
      var n = length();
      if (!ready || n === 0 || n > max) { return; }
      var body = input.value.trim();
      showError(errorEl, null);
      var entry = hub.sendChat(channel, body);
      var li = el("li", "chat-msg mine pending");
      var head = el("div", "chat-head");
      head.appendChild(el("strong", "chat-author", L.you));
      head.appendChild(document.createTextNode(" "));
      head.appendChild(el("span", "chat-time meta", L.sending));
      li.appendChild(head);
      li.appendChild(el("div", "chat-body", body));
      pendingByClient[entry.clientId] = li;
      log.appendChild(li);
      refreshEmpty();
      log.scrollTop = log.scrollHeight;
      input.value = "";
      update();
      entry.promise.then(function (answer) {
        // Normally the message itself has arrived by now; if not, show it from what we know.
        if (pendingByClient[entry.clientId] && typeof answer.seq === "number") {
          add({
            seq: answer.seq, id: answer.message_id, client_id: entry.clientId,
            author: hub.me || { key: cfg.me, name: L.you }, body: body,
            at: new Date().toISOString()
          });
        }
      }, function (err) {
        delete pendingByClient[entry.clientId];
        if (li.parentNode) { li.parentNode.removeChild(li); }
        refreshEmpty();
        if (input.value === "") {
          input.value = body;
          update();
        }
        showError(errorEl, err);
      });
    }

    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      submit();
    });
    input.addEventListener("keydown", function (ev) {
      if (ev.key === "Enter" && !ev.shiftKey && !ev.isComposing) {
        ev.preventDefault();
        submit();
      }
    });
    input.addEventListener("input", update);

    hub.join(channel, function (answer, reload) {
      ready = true;
      input.disabled = hub.state === "signed_out";
      update();
      // A resume replays what was missed, unless the first page of history never came.
      if (reload || !loaded) { loadLatest(); }
    }, function (err) { showError(errorEl, err); });
    hub.on("chat.message", add, channel);
    hub.on("chat.hidden", function (msg) {
      var seqs = msg.seqs || [];
      for (var i = 0; i < seqs.length; i++) { remove(seqs[i]); }
    }, channel);
    update();
  }

  function qaWidget(box) {
    if (!cfg.talk) { return; }
    var talk = cfg.talk;
    var channel = "talk:" + talk;
    var list = box.querySelector(".qa-list");
    var form = box.querySelector(".qa-form");
    var input = control(form.querySelector("textarea"));
    var ask = control(form.querySelector("button[type=submit]"));
    var errorEl = form.querySelector(".form-error");
    var questions = {};
    var voted = {};
    var empty = el("li", "qa-empty meta", L.no_questions);

    function visible(q) {
      return cfg.moderates || q.status !== "hidden";
    }

    function order(a, b) {
      if ((b.votes || 0) !== (a.votes || 0)) { return (b.votes || 0) - (a.votes || 0); }
      if (a.at !== b.at) { return a.at < b.at ? -1 : 1; }
      return a.id - b.id;
    }

    function mark(q, status, node) {
      node.disabled = true;
      hub.request("qa.mark", { question: q.id, status: status }).then(function (answer) {
        if (answer.question) { upsert(answer.question); }
      }, function (err) {
        node.disabled = false;
        showError(errorEl, err);
      });
    }

    function vote(q, node) {
      node.disabled = true;
      hub.request("qa.vote", { question: q.id }).then(function (answer) {
        voted[q.id] = true;
        if (answer.question) { upsert(answer.question); } else { draw(); }
      }, function (err) {
        if (err.code === "already_voted") {
          voted[q.id] = true;
          draw();
          return;
        }
        node.disabled = false;
        showError(errorEl, err);
      });
    }

    function item(q) {
      var li = el("li", "qa-item status-" + q.status);
      li.setAttribute("data-question", String(q.id));
      var votes = el("div", "qa-votes");
      votes.appendChild(el("span", "qa-count", t(q.votes === 1 ? "vote_one" : "vote_many", { n: q.votes || 0 })));
      var up = button(voted[q.id] ? L.voted : L.upvote, "small qa-upvote", function (ev) { vote(q, ev.currentTarget); });
      up.disabled = !!voted[q.id] || q.status !== "open";
      up.setAttribute("aria-pressed", voted[q.id] ? "true" : "false");
      votes.appendChild(up);
      li.appendChild(votes);
      var main = el("div", "qa-main");
      main.appendChild(el("p", "qa-body", q.body));
      var meta = el("p", "meta");
      meta.appendChild(document.createTextNode(nameOf(q.author) + " · " + clock(q.at)));
      if (q.status === "answered") { meta.appendChild(el("span", "badge answered", L.answered)); }
      if (q.status === "hidden") { meta.appendChild(el("span", "badge hidden", L.hidden)); }
      main.appendChild(meta);
      if (cfg.moderates) {
        var tools = el("div", "qa-tools");
        if (q.status !== "answered") {
          tools.appendChild(button(L.mark_answered, "small", function (ev) { mark(q, "answered", ev.currentTarget); }));
        }
        if (q.status !== "hidden") {
          tools.appendChild(button(L.hide, "small secondary", function (ev) { mark(q, "hidden", ev.currentTarget); }));
        }
        if (q.status !== "open") {
          tools.appendChild(button(L.reopen, "small secondary", function (ev) { mark(q, "open", ev.currentTarget); }));
        }
        main.appendChild(tools);
      }
      li.appendChild(main);
      return li;
    }

    function draw() {
      var shown = [];
      for (var id in questions) {
        if (Object.prototype.hasOwnProperty.call(questions, id) && visible(questions[id])) {
          shown.push(questions[id]);
        }
      }
      shown.sort(order);
      var fragment = document.createDocumentFragment();
      for (var i = 0; i < shown.length; i++) { fragment.appendChild(item(shown[i])); }
      if (shown.length === 0) { fragment.appendChild(empty); }
      list.replaceChildren(fragment);
    }

    function upsert(q) {
      if (!q || typeof q.id !== "number") { return; }
      if (q.voted) { voted[q.id] = true; }
      questions[q.id] = q;
      draw();
    }

    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var body = input.value.trim();
      if (!body) { return; }
      ask.disabled = true;
      showError(errorEl, null);
      hub.request("qa.ask", { talk: talk, body: body }).then(function (answer) {
        input.value = "";
        upsert(answer.question);
      }, function (err) { showError(errorEl, err); }).then(function () { ask.disabled = false; });
    });

    hub.join(channel, function () {
      hub.request("qa.list", { talk: talk }).then(function (answer) {
        questions = {};
        var all = answer.questions || [];
        for (var i = 0; i < all.length; i++) {
          if (all[i].voted) { voted[all[i].id] = true; }
          questions[all[i].id] = all[i];
        }
        draw();
        enable([input, ask]);
      }, function (err) { showError(errorEl, err); });
    }, function (err) { showError(errorEl, err); });
    hub.on("qa.question", function (msg) {
      if (msg.talk === talk) { upsert(msg.question); }
    }, channel);
    draw();
  }

  function floorState(answer) {
    var state = answer && answer.state ? answer.state : answer;
    return { speakers: (state && state.speakers) || [], queue: (state && state.queue) || [] };
  }

  // Waiting and speaking times count up on every screen from the server's timestamps.
  var ticking = [];
  setInterval(function () {
    var now = Date.now();
    for (var i = 0; i < ticking.length; i++) {
      var node = ticking[i];
      node.textContent = t(node.getAttribute("data-label"), {
        time: duration(now - Date.parse(node.getAttribute("data-since")))
      });
    }
  }, 1000);
  function ticker(label, since) {
    var node = el("span", "elapsed meta", t(label, { time: duration(Date.now() - Date.parse(since)) }));
    node.setAttribute("data-label", label);
    node.setAttribute("data-since", since);
    return node;
  }
  function collectTickers() {
    ticking = Array.prototype.slice.call(document.querySelectorAll(".elapsed[data-since]"));
  }

  function handWidget(box) {
    if (!cfg.talk || !cfg.point) { return; }
    var talk = cfg.talk;
    var channel = "talk:" + talk;
    var stateEl = box.querySelector(".hand-state");
    var toggle = control(box.querySelector(".hand-button"));
    var errorEl = box.querySelector(".form-error");
    var action = "floor.raise";
    var known = false;

    function apply(state) {
      known = true;
      var speaking = state.speakers.some(function (s) { return s.point === cfg.point; });
      var position = -1;
      for (var i = 0; i < state.queue.length; i++) {
        if (state.queue[i].point === cfg.point) { position = i; }
      }
      if (speaking) {
        box.setAttribute("data-state", "speaking");
        stateEl.textContent = L.have_floor;
        toggle.textContent = L.give_back;
        action = "floor.lower";
      } else if (position >= 0) {
        box.setAttribute("data-state", "raised");
        stateEl.textContent = t("queue_position", { n: position + 1 });
        toggle.textContent = L.lower_hand;
        action = "floor.lower";
      } else {
        box.setAttribute("data-state", "down");
        stateEl.textContent = L.hand_hint;
        toggle.textContent = L.raise_hand;
        action = "floor.raise";
      }
      enable([toggle]);
    }

    function fetchState() {
      hub.request("floor.state", { talk: talk }).then(function (answer) {
        apply(floorState(answer));
      }, function (err) { showError(errorEl, err); });
    }

    toggle.addEventListener("click", function () {
      if (!known) { return; }
      toggle.disabled = true;
      showError(errorEl, null);
      hub.request(action, { talk: talk }).then(function (answer) {
        if (answer.speakers || answer.state) { apply(floorState(answer)); } else { fetchState(); }
      }, function (err) {
        toggle.disabled = false;
        showError(errorEl, err);
      });
    });

    function onState(msg) {
      if (msg.talk === talk) { apply(floorState(msg)); }
    }
    hub.join(channel, fetchState, function (err) { showError(errorEl, err); });
    hub.on("floor.state", onState, channel);
    // The room's own channel hears when it is given the floor.
    hub.join("point:" + cfg.point, function () { return null; });
    hub.on("floor.state", onState, "point:" + cfg.point);
  }

  function floorWidget(box) {
    if (!cfg.talk) { return; }
    var talk = cfg.talk;
    var channel = "talk:" + talk;
    var speakersEl = box.querySelector(".floor-speakers");
    var queueEl = box.querySelector(".floor-queue");
    var errorEl = box.querySelector(".form-error");

    function act(type, request, node) {
      node.disabled = true;
      showError(errorEl, null);
      hub.request(type, { request: request }).then(function (answer) {
        if (answer.speakers || answer.state) { apply(floorState(answer)); }
      }, function (err) {
        node.disabled = false;
        showError(errorEl, err);
      });
    }

    function apply(state) {
      var speakers = document.createDocumentFragment();
      state.speakers.forEach(function (s) {
        var li = el("li", "floor-speaker");
        li.setAttribute("data-request", String(s.request));
        li.appendChild(el("strong", null, s.name));
        li.appendChild(document.createTextNode(" "));
        li.appendChild(ticker("speaking", s.since));
        li.appendChild(document.createTextNode(" "));
        li.appendChild(button(L.revoke, "small danger", function (ev) { act("floor.revoke", s.request, ev.currentTarget); }));
        speakers.appendChild(li);
      });
      if (!state.speakers.length) { speakers.appendChild(el("li", "meta", L.no_speaker)); }
      speakersEl.replaceChildren(speakers);
      var queue = document.createDocumentFragment();
      state.queue.forEach(function (q) {
        var li = el("li", "floor-request");
        li.setAttribute("data-request", String(q.request));
        li.setAttribute("data-point", String(q.point));
        li.appendChild(el("strong", null, q.name));
        li.appendChild(document.createTextNode(" "));
        li.appendChild(ticker("waiting", q.raised_at));
        var tools = el("span", "floor-tools");
        tools.appendChild(button(L.grant, "small", function (ev) { act("floor.grant", q.request, ev.currentTarget); }));
        tools.appendChild(button(L.skip, "small secondary", function (ev) { act("floor.skip", q.request, ev.currentTarget); }));
        li.appendChild(tools);
        queue.appendChild(li);
      });
      if (!state.queue.length) { queue.appendChild(el("li", "meta floor-empty", L.queue_empty)); }
      queueEl.replaceChildren(queue);
      collectTickers();
    }

    hub.join(channel, function () {
      hub.request("floor.state", { talk: talk }).then(function (answer) {
        apply(floorState(answer));
      }, function (err) { showError(errorEl, err); });
    }, function (err) { showError(errorEl, err); });
    hub.on("floor.state", function (msg) {
      if (msg.talk === talk) { apply(floorState(msg)); }
    }, channel);
  }

  function pollsWidget(box) {
    if (!cfg.event) { return; }
    var event = cfg.event;
    var channel = "event:" + event;
    var list = box.querySelector(".poll-list");
    var form = box.querySelector(".poll-form");
    var polls = {};
    var empty = el("li", "meta poll-empty", L.no_polls);
    list.appendChild(empty);

    function build(poll) {
      var li = el("li", "poll card");
      li.setAttribute("data-poll", String(poll.id));
      li.appendChild(el("h3", "poll-question", poll.question));
      var meta = el("p", "meta poll-meta");
      li.appendChild(meta);
      var choices = el("form", "poll-choices");
      var rows = [];
      poll.options.forEach(function (option, index) {
        var row = el("div", "poll-option");
        var label = el("label", "choice");
        var input = document.createElement("input");
        input.type = poll.multiple ? "checkbox" : "radio";
        input.name = "poll-" + poll.id;
        input.value = String(index);
        label.appendChild(input);
        label.appendChild(el("span", null, option));
        row.appendChild(label);
        var count = el("span", "poll-count meta");
        row.appendChild(count);
        var bar = el("div", "bar");
        var fill = el("span", "fill");
        bar.appendChild(fill);
        row.appendChild(bar);
        choices.appendChild(row);
        rows.push({ input: input, fill: fill, count: count });
      });
      var errorEl = el("p", "form-error");
      errorEl.setAttribute("role", "alert");
      errorEl.hidden = true;
      var actions = el("div", "form-row");
      var voteBtn = control(el("button", null, L.vote));
      voteBtn.type = "submit";
      actions.appendChild(voteBtn);
      var closeBtn = null;
      if (cfg.moderates) {
        closeBtn = control(button(L.close_poll, "secondary", function () {
          closeBtn.disabled = true;
          hub.request("poll.close", { poll: poll.id }).then(function (answer) {
            if (answer.poll) { upsert(answer.poll); }
          }, function (err) {
            closeBtn.disabled = false;
            showError(errorEl, err);
          });
        }));
        actions.appendChild(closeBtn);
      }
      choices.appendChild(actions);
      choices.appendChild(errorEl);
      li.appendChild(choices);
      var entry = { li: li, meta: meta, rows: rows, vote: voteBtn, close: closeBtn, poll: poll, mine: null };
      choices.addEventListener("submit", function (ev) {
        ev.preventDefault();
        var picked = [];
        rows.forEach(function (r, i) { if (r.input.checked) { picked.push(i); } });
        if (!picked.length) { return; }
        voteBtn.disabled = true;
        showError(errorEl, null);
        hub.request("poll.vote", { poll: entry.poll.id, choices: picked }).then(function (answer) {
          entry.mine = picked;
          if (answer.poll) { upsert(answer.poll); } else { refresh(entry); }
        }, function (err) { showError(errorEl, err); }).then(function () {
          voteBtn.disabled = !entry.poll.open;
        });
      });
      return entry;
    }

    function refresh(entry) {
      var poll = entry.poll;
      var counts = poll.counts || [];
      var total = 0;
      counts.forEach(function (c) { total += c; });
      // Shares of the voters when several answers are allowed, of the votes otherwise.
      var base = poll.multiple ? (poll.voters || 0) : total;
      entry.rows.forEach(function (row, i) {
        var n = counts[i] || 0;
        var share = base > 0 ? Math.round(100 * n / base) : 0;
        row.fill.style.width = share + "%";
        row.count.textContent = n + " (" + share + "%)";
        row.input.disabled = !poll.open;
      });
      entry.meta.textContent = [
        poll.open ? L.poll_open : L.poll_closed,
        poll.multiple ? L.multiple_choice : L.single_choice,
        t(poll.voters === 1 ? "voters_one" : "voters_many", { n: poll.voters || 0 })
      ].join(" · ");
      entry.li.classList.toggle("closed", !poll.open);
      entry.vote.textContent = entry.mine ? L.change_vote : L.vote;
      entry.vote.disabled = !poll.open || hub.state === "signed_out";
      entry.vote.hidden = !poll.open;
      if (entry.close) { entry.close.hidden = !poll.open; }
    }

    function upsert(poll) {
      if (!poll || typeof poll.id !== "number") { return; }
      var entry = polls[poll.id];
      if (!entry) {
        entry = polls[poll.id] = build(poll);
        var before = null;
        for (var node = list.firstElementChild; node; node = node.nextElementSibling) {
          if (Number(node.getAttribute("data-poll")) < poll.id) {
            before = node;
            break;
          }
        }
        list.insertBefore(entry.li, before);
      }
      entry.poll = poll;
      if (Array.isArray(poll.mine)) {
        entry.mine = poll.mine;
        entry.rows.forEach(function (r, i) { r.input.checked = poll.mine.indexOf(i) >= 0; });
      }
      refresh(entry);
      if (empty.parentNode) { list.removeChild(empty); }
    }

    if (form) {
      var fields = Array.prototype.slice.call(form.querySelectorAll("input, textarea, button"));
      fields.forEach(control);
      var formError = form.querySelector(".form-error");
      form.addEventListener("submit", function (ev) {
        ev.preventDefault();
        var options = form.elements.options.value.split("\n").map(function (s) { return s.trim(); })
          .filter(function (s) { return s !== ""; });
        var submitBtn = form.querySelector("button[type=submit]");
        submitBtn.disabled = true;
        showError(formError, null);
        hub.request("poll.create", {
          event: event,
          question: form.elements.question.value.trim(),
          options: options,
          multiple: form.elements.multiple.checked
        }).then(function (answer) {
          form.reset();
          upsert(answer.poll);
        }, function (err) { showError(formError, err); }).then(function () {
          submitBtn.disabled = false;
        });
      });
    }

    hub.join(channel, function () {
      hub.request("poll.list", { event: event }).then(function (answer) {
        (answer.polls || []).forEach(upsert);
        if (form) { enable(form.querySelectorAll("input, textarea, button")); }
      }, function () { return null; });
    });
    hub.on("poll.state", function (msg) { upsert(msg.poll); }, channel);
  }

  function announceWidget(box) {
    if (!cfg.event) { return; }
    var event = cfg.event;
    var form = box.querySelector(".announce-form");
    var input = control(form.querySelector("textarea"));
    var sendBtn = control(form.querySelector("button[type=submit]"));
    var clearBtn = control(form.querySelector(".announce-clear"));
    var errorEl = form.querySelector(".form-error");

    function run(type, fields, after) {
      sendBtn.disabled = clearBtn.disabled = true;
      showError(errorEl, null);
      hub.request(type, fields).then(after, function (err) { showError(errorEl, err); })
        .then(function () { enable([sendBtn, clearBtn]); });
    }

    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var body = input.value.trim();
      if (!body) { return; }
      run("announce.send", { event: event, body: body }, function () { input.value = ""; });
    });
    clearBtn.addEventListener("click", function () {
      run("announce.clear", { event: event }, function () { return null; });
    });
    hub.join("event:" + event, function () { enable([input, sendBtn, clearBtn]); });
  }

  function pointsWidget(box) {
    if (!cfg.event) { return; }
    var channel = "event:" + cfg.event;
    var tiles = {};
    var nodes = box.querySelectorAll("[data-point]");
    for (var i = 0; i < nodes.length; i++) { tiles["p:" + nodes[i].getAttribute("data-point")] = nodes[i]; }
    var countEl = box.querySelector(".points-count");
    var online = {};

    function set(key, on) {
      var tile = tiles[key];
      if (!tile) { return; }
      if (on) { online[key] = true; } else { delete online[key]; }
      tile.setAttribute("data-state", on ? "online" : "offline");
      var label = tile.querySelector(".point-state");
      if (label) { label.textContent = on ? L.online : L.offline; }
    }

    function count() {
      if (countEl) {
        countEl.textContent = t("points_online", { online: Object.keys(online).length, total: nodes.length });
      }
    }

    hub.join(channel, function (answer) {
      var present = {};
      (answer.presence || []).forEach(function (m) { present[m.key] = true; });
      for (var key in tiles) {
        if (Object.prototype.hasOwnProperty.call(tiles, key)) { set(key, !!present[key]); }
      }
      count();
    });
    // Changes come in batches: who left, who joined since the last one.
    hub.on("presence", function (msg) {
      (msg.left || []).forEach(function (m) { set(m.key, false); });
      (msg.joined || []).forEach(function (m) { set(m.key, true); });
      count();
    }, channel);
  }

  function talkPicker() {
    var select = document.getElementById("talk-select");
    if (!select || !select.form) { return; }
    select.addEventListener("change", function () { select.form.submit(); });
  }

  var widgets = {
    chat: chatWidget, qa: qaWidget, hand: handWidget, floor: floorWidget,
    polls: pollsWidget, announce: announceWidget, points: pointsWidget
  };
  statusWidget();
  bannerWidget();
  var boxes = document.querySelectorAll("[data-live]");
  for (var b = 0; b < boxes.length; b++) {
    var make = widgets[boxes[b].getAttribute("data-live")];
    if (make) { make(boxes[b]); }
  }
  talkPicker();
  hub.start();
})();
