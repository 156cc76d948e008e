// A talk's questions: asked, upvoted once each, the most voted first; moderators mark them
// answered, hide or reopen them.
import { el, button } from "../dom.js";
import { nameOf, showError } from "../labels.js";

export function mountQuestions(box, live) {
  const { hub, cfg } = live;
  const { L, t, clock } = live.labels;
  const { control, enable } = live.controls;
  if (!cfg.talk) { return; }
  const talk = cfg.talk;
  const channel = "talk:" + talk;
  const list = box.querySelector(".qa-list");
  const form = box.querySelector(".qa-form");
  const input = control(form.querySelector("textarea"));
  const ask = control(form.querySelector("button[type=submit]"));
  const errorEl = form.querySelector(".form-error");
  let questions = {};
  const voted = {};
  const empty = el("li", "qa-empty meta", L.no_questions);

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
    hub.request("qa.mark", { question: q.id, status: status }).then((answer) => {
      if (answer.question) { upsert(answer.question); }
    }, (err) => {
      node.disabled = false;
      showError(errorEl, err);
    });
  }

  function vote(q, node) {
    node.disabled = true;
    hub.request("qa.vote", { question: q.id }).then((answer) => {
      voted[q.id] = true;
      if (answer.question) { upsert(answer.question); } else { draw(); }
    }, (err) => {
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
    const li = el("li", "qa-item status-" + q.status);
    li.setAttribute("data-question", String(q.id));
    const votes = el("div", "qa-votes");
    votes.appendChild(el("span", "qa-count", t(q.votes === 1 ? "vote_one" : "vote_many", { n: q.votes || 0 })));
    const up = button(voted[q.id] ? L.voted : L.upvote, "small qa-upvote", (ev) => { vote(q, ev.currentTarget); });
    up.disabled = !!voted[q.id] || q.status !== "open";
    up.setAttribute("aria-pressed", voted[q.id] ? "true" : "false");
    votes.appendChild(up);
    li.appendChild(votes);
    const main = el("div", "qa-main");
    main.appendChild(el("p", "qa-body", q.body));
    const meta = el("p", "meta");
    meta.appendChild(document.createTextNode(nameOf(q.author) + " · " + clock(q.at)));
    if (q.status === "answered") { meta.appendChild(el("span", "badge answered", L.answered)); }
    if (q.status === "hidden") { meta.appendChild(el("span", "badge hidden", L.hidden)); }
    main.appendChild(meta);
    if (cfg.moderates) {
      const tools = el("div", "qa-tools");
      if (q.status !== "answered") {
        tools.appendChild(button(L.mark_answered, "small", (ev) => { mark(q, "answered", ev.currentTarget); }));
      }
      if (q.status !== "hidden") {
        tools.appendChild(button(L.hide, "small secondary", (ev) => { mark(q, "hidden", ev.currentTarget); }));
      }
      if (q.status !== "open") {
        tools.appendChild(button(L.reopen, "small secondary", (ev) => { mark(q, "open", ev.currentTarget); }));
      }
      main.appendChild(tools);
    }
    li.appendChild(main);
    return li;
  }

  function draw() {
    const shown = [];
    for (const id in questions) {
      if (Object.prototype.hasOwnProperty.call(questions, id) && visible(questions[id])) {
        shown.push(questions[id]);
      }
    }
    shown.sort(order);
    const fragment = document.createDocumentFragment();
    for (const q of shown) { fragment.appendChild(item(q)); }
    if (shown.length === 0) { fragment.appendChild(empty); }
    list.replaceChildren(fragment);
  }

  function upsert(q) {
    if (!q || typeof q.id !== "number") { return; }
    if (q.voted) { voted[q.id] = true; }
    questions[q.id] = q;
    draw();
  }

  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const body = input.value.trim();
    if (!body) { return; }
    ask.disabled = true;
    showError(errorEl, null);
    hub.request("qa.ask", { talk: talk, body: body }).then((answer) => {
      input.value = "";
      upsert(answer.question);
    }, (err) => { showError(errorEl, err); }).then(() => { ask.disabled = false; });
  });

  hub.join(channel, () => {
    hub.request("qa.list", { talk: talk }).then((answer) => {
      questions = {};
      for (const q of answer.questions || []) {
        if (q.voted) { voted[q.id] = true; }
        questions[q.id] = q;
      }
      draw();
      enable([input, ask]);
    }, (err) => { showError(errorEl, err); });
  }, (err) => { showError(errorEl, err); });
  hub.on("qa.question", (msg) => {
    if (msg.talk === talk) { upsert(msg.question); }
  }, channel);
  draw();
}
