// The event's announcement across the top of every live page.
export function mountBanner(live) {
  const { hub, cfg } = live;
  const box = document.getElementById("live-banner");
  if (!box || !cfg.event) { return; }
  const text = box.querySelector(".banner-text");
  const channel = "event:" + cfg.event;

  function show(announcement) {
    let body = "";
    if (typeof announcement === "string") {
      body = announcement;
    } else if (announcement && typeof announcement.body === "string") {
      body = announcement.body;
    }
    text.textContent = body;
    box.hidden = body === "";
  }

  hub.join(channel, (answer) => { show(answer.announcement); });
  hub.on("announce", (msg) => { show(msg.announcement); }, channel);
}
