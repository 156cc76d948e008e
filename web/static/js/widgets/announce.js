// The organiser's announcement: sent to the banner of every page of the event, or cleared.
import { showError } from "../labels.js";

export function mountAnnounce(box, live) {
  const { hub, cfg } = live;
  const { control, enable } = live.controls;
  if (!cfg.event) { return; }
  const event = cfg.event;
  const form = box.querySelector(".announce-form");
  const input = control(form.querySelector("textarea"));
  const sendBtn = control(form.querySelector("button[type=submit]"));
  const clearBtn = control(form.querySelector(".announce-clear"));
  const errorEl = form.querySelector(".form-error");

  function run(type, fields, after) {
    sendBtn.disabled = clearBtn.disabled = true;
    showError(errorEl, null);
    hub.request(type, fields).then(after, (err) => { showError(errorEl, err); })
      .then(() => { enable([sendBtn, clearBtn]); });
  }

  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const body = input.value.trim();
    if (!body) { return; }
    run("announce.send", { event: event, body: body }, () => { input.value = ""; });
  });
  clearBtn.addEventListener("click", () => {
    run("announce.clear", { event: event }, () => null);
  });
  hub.join("event:" + event, () => { enable([input, sendBtn, clearBtn]); });
}
