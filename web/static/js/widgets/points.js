// Which attendance points are online, from the event channel's presence.
export function mountPoints(box, live) {
  const { hub, cfg } = live;
  const { L, t } = live.labels;
  if (!cfg.event) { return; }
  const channel = "event:" + cfg.event;
  const tiles = {};
  const nodes = box.querySelectorAll("[data-point]");
  for (const node of nodes) { tiles["p:" + node.getAttribute("data-point")] = node; }
  const countEl = box.querySelector(".points-count");
  const online = {};

  function set(key, on) {
    const tile = tiles[key];
    if (!tile) { return; }
    if (on) { online[key] = true; } else { delete online[key]; }
    tile.setAttribute("data-state", on ? "online" : "offline");
    const label = tile.querySelector(".point-state");
    if (label) { label.textContent = on ? L.online : L.offline; }
  }

  function count() {
    if (countEl) {
      countEl.textContent = t("points_online", { online: Object.keys(online).length, total: nodes.length });
    }
  }

  hub.join(channel, (answer) => {
    const present = {};
    (answer.presence || []).forEach((m) => { present[m.key] = true; });
    for (const key in tiles) {
      if (Object.prototype.hasOwnProperty.call(tiles, key)) { set(key, !!present[key]); }
    }
    count();
  });
  // Changes come in batches: who left, who joined since the last one.
  hub.on("presence", (msg) => {
    (msg.left || []).forEach((m) => { set(m.key, false); });
    (msg.joined || []).forEach((m) => { set(m.key, true); });
    count();
  }, channel);
}
