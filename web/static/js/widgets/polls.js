// The event's polls: vote (again) while a poll is open, see the shares; organisers create and
// close polls.
import { el, button } from "../dom.js";
import { showError } from "../labels.js";

export function mountPolls(box, live) {
  const { hub, cfg } = live;
  const { L, t } = live.labels;
  const { control, enable } = live.controls;
  if (!cfg.event) { return; }
  const event = cfg.event;
  const channel = "event:" + event;
  const list = box.querySelector(".poll-list");
  const form = box.querySelector(".poll-form");
  const polls = {};
  const empty = el("li", "meta poll-empty", L.no_polls);
  list.appendChild(empty);

  function build(poll) {
    const li = el("li", "poll card");
    li.setAttribute("data-poll", String(poll.id));
    li.appendChild(el("h3", "poll-question", poll.question));
    const meta = el("p", "meta poll-meta");
    li.appendChild(meta);
    const choices = el("form", "poll-choices");
    const rows = [];
    poll.options.forEach((option, index) => {
      const row = el("div", "poll-option");
      const label = el("label", "choice");
      const input = document.createElement("input");
      input.type = poll.multiple ? "checkbox" : "radio";
      input.name = "poll-" + poll.id;
      input.value = String(index);
      label.appendChild(input);
      label.appendChild(el("span", null, option));
      row.appendChild(label);
      const count = el("span", "poll-count meta");
      row.appendChild(count);
      const bar = el("div", "bar");
      const fill = el("span", "fill");
      bar.appendChild(fill);
      row.appendChild(bar);
      choices.appendChild(row);
      rows.push({ input: input, fill: fill, count: count });
    });
    const errorEl = el("p", "form-error");
    errorEl.setAttribute("role", "alert");
    errorEl.hidden = true;
    const actions = el("div", "form-row");
    const voteBtn = control(el("button", null, L.vote));
    voteBtn.type = "submit";
    actions.appendChild(voteBtn);
    let closeBtn = null;
    if (cfg.moderates) {
      closeBtn = control(button(L.close_poll, "secondary", () => {
        closeBtn.disabled = true;
        hub.request("poll.close", { poll: poll.id }).then((answer) => {
          if (answer.poll) { upsert(answer.poll); }
        }, (err) => {
          closeBtn.disabled = false;
          showError(errorEl, err);
        });
      }));
      actions.appendChild(closeBtn);
    }
    choices.appendChild(actions);
    choices.appendChild(errorEl);
    li.appendChild(choices);
    const entry = { li: li, meta: meta, rows: rows, vote: voteBtn, close: closeBtn, poll: poll, mine: null };
    choices.addEventListener("submit", (ev) => {
      ev.preventDefault();
      const picked = [];
      rows.forEach((r, i) => { if (r.input.checked) { picked.push(i); } });
      if (!picked.length) { return; }
      voteBtn.disabled = true;
      showError(errorEl, null);
      hub.request("poll.vote", { poll: entry.poll.id, choices: picked }).then((answer) => {
        entry.mine = picked;
        if (answer.poll) { upsert(answer.poll); } else { refresh(entry); }
      }, (err) => { showError(errorEl, err); }).then(() => {
        voteBtn.disabled = !entry.poll.open;
      });
    });
    return entry;
  }

  function refresh(entry) {
    const poll = entry.poll;
    const counts = poll.counts || [];
    let total = 0;
    counts.forEach((c) => { total += c; });
    // Shares of the voters when several answers are allowed, of the votes otherwise.
    const base = poll.multiple ? (poll.voters || 0) : total;
    entry.rows.forEach((row, i) => {
      const n = counts[i] || 0;
      const share = base > 0 ? Math.round(100 * n / base) : 0;
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
    let entry = polls[poll.id];
    if (!entry) {
      entry = polls[poll.id] = build(poll);
      let before = null;
      for (let node = list.firstElementChild; node; node = node.nextElementSibling) {
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
      entry.rows.forEach((r, i) => { r.input.checked = poll.mine.indexOf(i) >= 0; });
    }
    refresh(entry);
    if (empty.parentNode) { list.removeChild(empty); }
  }

  if (form) {
    form.querySelectorAll("input, textarea, button").forEach(control);
    const formError = form.querySelector(".form-error");
    form.addEventListener("submit", (ev) => {
      ev.preventDefault();
      const options = form.elements.options.value.split("\n").map((s) => s.trim())
        .filter((s) => s !== "");
      const submitBtn = form.querySelector("button[type=submit]");
      submitBtn.disabled = true;
      showError(formError, null);
      hub.request("poll.create", {
        event: event,
        question: form.elements.question.value.trim(),
        options: options,
        multiple: form.elements.multiple.checked
      }).then((answer) => {
        form.reset();
        upsert(answer.poll);
      }, (err) => { showError(formError, err); }).then(() => {
        submitBtn.disabled = false;
      });
    });
  }

  hub.join(channel, () => {
    hub.request("poll.list", { event: event }).then((answer) => {
      (answer.polls || []).forEach(upsert);
      if (form) { enable(form.querySelectorAll("input, textarea, button")); }
    }, () => null);
  });
  hub.on("poll.state", (msg) => { upsert(msg.poll); }, channel);
}
