// A talk's chat: history in pages, live messages in sequence order, our own sends shown at once
// and kept until the server has them; moderators hide messages and mute members.
import { el, button } from "../dom.js";
import { nameOf, showError } from "../labels.js";

export function mountChat(box, live) {
  const { hub, cfg } = live;
  const { L, t, clock } = live.labels;
  const { control } = live.controls;
  if (!cfg.talk) { return; }
  const channel = "talk:" + cfg.talk;
  const log = box.querySelector(".chat-log");
  const older = box.querySelector(".chat-older");
  const form = box.querySelector(".chat-form");
  const input = control(form.querySelector("textarea"));
  const send = control(form.querySelector("button[type=submit]"));
  const counter = form.querySelector(".counter");
  const errorEl = form.querySelector(".form-error");
  const note = box.querySelector(".chat-note");
  const max = Number(cfg.chat_max) || 2000;
  let bySeq = {};
  const pendingByClient = {};
  let oldest = null;
  const muted = {};
  let ready = false;
  let loaded = false;
  const empty = el("li", "chat-empty meta", L.no_messages);
  log.appendChild(empty);

  function nearBottom() {
    return log.scrollHeight - log.scrollTop - log.clientHeight < 48;
  }

  function refreshEmpty() {
    const has = log.querySelector(".chat-msg") !== null;
    if (has && empty.parentNode) { log.removeChild(empty); }
    if (!has && !empty.parentNode) { log.appendChild(empty); }
  }

  function muteButtons(key) {
    for (const node of log.querySelectorAll(".chat-mute")) {
      if (node.getAttribute("data-member") === key) {
        node.textContent = muted[key] ? L.unmute : L.mute;
      }
    }
  }

  function toggleMute(author, node) {
    const key = author.key;
    const type = muted[key] ? "chat.unmute" : "chat.mute";
    node.disabled = true;
    hub.request(type, { channel: channel, member: key }).then(() => {
      muted[key] = type === "chat.mute";
      muteButtons(key);
      note.textContent = t(muted[key] ? "muted_member" : "unmuted_member", { name: nameOf(author) });
      note.hidden = false;
    }, (err) => { showError(errorEl, err); }).then(() => { node.disabled = false; });
  }

  function render(msg) {
    const author = msg.author || {};
    const mine = author.key === cfg.me;
    const li = el("li", "chat-msg" + (mine ? " mine" : ""));
    li.setAttribute("data-seq", String(msg.seq));
    const head = el("div", "chat-head");
    head.appendChild(el("strong", "chat-author", nameOf(author) + (mine ? " (" + L.you + ")" : "")));
    head.appendChild(document.createTextNode(" "));
    const time = el("time", "chat-time meta", clock(msg.at));
    time.setAttribute("datetime", msg.at || "");
    head.appendChild(time);
    if (cfg.moderates) {
      const tools = el("span", "chat-tools");
      tools.appendChild(button(L.hide, "small secondary chat-hide", (ev) => {
        ev.currentTarget.disabled = true;
        hub.request("chat.hide", { channel: channel, seq: msg.seq }).catch((err) => {
          showError(errorEl, err);
        });
      }));
      if (!mine && author.key) {
        const mute = button(muted[author.key] ? L.unmute : L.mute, "small secondary chat-mute",
          (ev) => { toggleMute(author, ev.currentTarget); });
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
    let before = null;
    let node = log.lastElementChild;
    while (node) {
      const settled = node.classList.contains("chat-msg") && !node.classList.contains("pending");
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
    const pending = msg.client_id ? pendingByClient[msg.client_id] : null;
    if (pending) {
      delete pendingByClient[msg.client_id];
      pending.parentNode.removeChild(pending);
    }
    if (bySeq[msg.seq]) { return; }
    const stick = nearBottom() || pending;
    const li = render(msg);
    bySeq[msg.seq] = li;
    place(li, msg.seq);
    refreshEmpty();
    if (stick) { log.scrollTop = log.scrollHeight; }
  }

  function remove(seq) {
    const li = bySeq[seq];
    if (li && li.parentNode) { li.parentNode.removeChild(li); }
    delete bySeq[seq];
    refreshEmpty();
  }

  function clear() {
    for (const node of log.querySelectorAll(".chat-msg:not(.pending)")) { log.removeChild(node); }
    bySeq = {};
    oldest = null;
    refreshEmpty();
  }

  // Cleared now, not when the page arrives: a message delivered meanwhile stays shown.
  function loadLatest() {
    clear();
    hub.request("chat.history", { channel: channel, limit: 50 }).then((answer) => {
      for (const msg of answer.messages || []) { add(msg); }
      hub.sawChat(channel, answer.last_seq, answer.epoch);
      older.hidden = !answer.more;
      log.scrollTop = log.scrollHeight;
      loaded = true;
    }, (err) => { showError(errorEl, err); });
  }

  older.addEventListener("click", () => {
    if (oldest === null) { return; }
    older.disabled = true;
    const before = log.scrollHeight;
    hub.request("chat.history", { channel: channel, before: oldest, limit: 50 }).then((answer) => {
      for (const msg of answer.messages || []) { add(msg); }
      older.hidden = !answer.more;
      log.scrollTop += log.scrollHeight - before;
    }, (err) => { showError(errorEl, err); }).then(() => { older.disabled = false; });
  });

  function length() {
    return Array.from(input.value.normalize("NFC").trim()).length;
  }

  function update() {
    const n = length();
    counter.textContent = t("characters", { count: n, max: max });
    counter.classList.toggle("over", n > max);
    send.disabled = !ready || n === 0 || n > max || hub.state === "signed_out";
  }

  function submit() {
    const n = length();
    if (!ready || n === 0 || n > max) { return; }
    const body = input.value.trim();
    showError(errorEl, null);
    const entry = hub.sendChat(channel, body);
    const li = el("li", "chat-msg mine pending");
    const head = el("div", "chat-head");
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
    entry.promise.then((answer) => {
      // Normally the message itself has arrived by now; if not, show it from what we know.
      if (pendingByClient[entry.clientId] && typeof answer.seq === "number") {
        add({
          seq: answer.seq, id: answer.message_id, client_id: entry.clientId,
          author: hub.me || { key: cfg.me, name: L.you }, body: body,
          at: new Date().toISOString()
        });
      }
    }, (err) => {
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

  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    submit();
  });
  input.addEventListener("keydown", (ev) => {
    if (ev.key === "Enter" && !ev.shiftKey && !ev.isComposing) {
      ev.preventDefault();
      submit();
    }
  });
  input.addEventListener("input", update);

  hub.join(channel, (answer, reload) => {
    ready = true;
    input.disabled = hub.state === "signed_out";
    update();
    // A resume replays what was missed, unless the first page of history never came.
    if (reload || !loaded) { loadLatest(); }
  }, (err) => { showError(errorEl, err); });
  hub.on("chat.message", add, channel);
  hub.on("chat.hidden", (msg) => {
    for (const seq of msg.seqs || []) { remove(seq); }
  }, channel);
  update();
}
