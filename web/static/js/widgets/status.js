// The header's connection state, also on <body data-live-state> for the page's styles.
export function mountStatus(live) {
  const { hub } = live;
  const { L } = live.labels;
  const status = document.getElementById("live-status");
  const names = {
    idle: "connecting", connecting: "connecting", open: "connected",
    reconnecting: "reconnecting", signed_out: "signed_out"
  };
  hub.onStatus((state) => {
    document.body.setAttribute("data-live-state", state);
    if (status) {
      status.setAttribute("data-state", state);
      status.textContent = L[names[state]] || state;
    }
    if (state === "signed_out") { live.controls.disableAll(); }
  });
}
