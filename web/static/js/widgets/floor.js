// The organiser's floor: who speaks and for how long, who waits; grant, skip and revoke.
import { el, button } from "../dom.js";
import { floorState } from "../floor-state.js";
import { showError } from "../labels.js";

export function mountFloor(box, live) {
  const { hub, cfg, elapsed } = live;
  const { L } = live.labels;
  if (!cfg.talk) { return; }
  const talk = cfg.talk;
  const channel = "talk:" + talk;
  const speakersEl = box.querySelector(".floor-speakers");
  const queueEl = box.querySelector(".floor-queue");
  const errorEl = box.querySelector(".form-error");

  function act(type, request, node) {
    node.disabled = true;
    showError(errorEl, null);
    hub.request(type, { request: request }).then((answer) => {
      if (answer.speakers || answer.state) { apply(floorState(answer)); }
    }, (err) => {
      node.disabled = false;
      showError(errorEl, err);
    });
  }

  function apply(state) {
    const speakers = document.createDocumentFragment();
    state.speakers.forEach((s) => {
      const li = el("li", "floor-speaker");
      li.setAttribute("data-request", String(s.request));
      li.appendChild(el("strong", null, s.name));
      li.appendChild(document.createTextNode(" "));
      li.appendChild(elapsed.ticker("speaking", s.since));
      li.appendChild(document.createTextNode(" "));
      li.appendChild(button(L.revoke, "small danger", (ev) => { act("floor.revoke", s.request, ev.currentTarget); }));
      speakers.appendChild(li);
    });
    if (!state.speakers.length) { speakers.appendChild(el("li", "meta", L.no_speaker)); }
    speakersEl.replaceChildren(speakers);
    const queue = document.createDocumentFragment();
    state.queue.forEach((q) => {
      const li = el("li", "floor-request");
      li.setAttribute("data-request", String(q.request));
      li.setAttribute("data-point", String(q.point));
      li.appendChild(el("strong", null, q.name));
      li.appendChild(document.createTextNode(" "));
      li.appendChild(elapsed.ticker("waiting", q.raised_at));
      const tools = el("span", "floor-tools");
      tools.appendChild(button(L.grant, "small", (ev) => { act("floor.grant", q.request, ev.currentTarget); }));
      tools.appendChild(button(L.skip, "small secondary", (ev) => { act("floor.skip", q.request, ev.currentTarget); }));
      li.appendChild(tools);
      queue.appendChild(li);
    });
    if (!state.queue.length) { queue.appendChild(el("li", "meta floor-empty", L.queue_empty)); }
    queueEl.replaceChildren(queue);
    elapsed.collect();
  }

  hub.join(channel, () => {
    hub.request("floor.state", { talk: talk }).then((answer) => {
      apply(floorState(answer));
    }, (err) => { showError(errorEl, err); });
  }, (err) => { showError(errorEl, err); });
  hub.on("floor.state", (msg) => {
    if (msg.talk === talk) { apply(floorState(msg)); }
  }, channel);
}
