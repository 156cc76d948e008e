// A room's raised hand: raise, lower, and give the floor back; shows the place in the queue.
import { floorState } from "../floor-state.js";
import { showError } from "../labels.js";

export function mountHand(box, live) {
  const { hub, cfg } = live;
  const { L, t } = live.labels;
  const { control, enable } = live.controls;
  if (!cfg.talk || !cfg.point) { return; }
  const talk = cfg.talk;
  const channel = "talk:" + talk;
  const stateEl = box.querySelector(".hand-state");
  const toggle = control(box.querySelector(".hand-button"));
  const errorEl = box.querySelector(".form-error");
  let action = "floor.raise";
  let known = false;

  function apply(state) {
    known = true;
    const speaking = state.speakers.some((s) => s.point === cfg.point);
    let position = -1;
    for (let i = 0; i < state.queue.length; i++) {
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
    hub.request("floor.state", { talk: talk }).then((answer) => {
      apply(floorState(answer));
    }, (err) => { showError(errorEl, err); });
  }

  toggle.addEventListener("click", () => {
    if (!known) { return; }
    toggle.disabled = true;
    showError(errorEl, null);
    hub.request(action, { talk: talk }).then((answer) => {
      if (answer.speakers || answer.state) { apply(floorState(answer)); } else { fetchState(); }
    }, (err) => {
      toggle.disabled = false;
      showError(errorEl, err);
    });
  });

  function onState(msg) {
    if (msg.talk === talk) { apply(floorState(msg)); }
  }
  hub.join(channel, fetchState, (err) => { showError(errorEl, err); });
  hub.on("floor.state", onState, channel);
  // The room's own channel hears when it is given the floor.
  hub.join("point:" + cfg.point, () => null);
  hub.on("floor.state", onState, "point:" + cfg.point);
}
