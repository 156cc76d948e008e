// The live widgets of a page. The page says what it shows in #live-config and by [data-live]
// and [data-media] boxes; every text from people goes in with textContent, never as HTML.
import { makeControls } from "./controls.js";
import { makeElapsed } from "./elapsed.js";
import { Hub } from "./hub.js";
import { makeLabels } from "./labels.js";
import { makeRtc } from "./rtc.js";
import { mountAnnounce } from "./widgets/announce.js";
import { mountBanner } from "./widgets/banner.js";
import { mountCall } from "./widgets/call.js";
import { mountChat } from "./widgets/chat.js";
import { mountDesk } from "./widgets/desk.js";
import { mountFloor } from "./widgets/floor.js";
import { mountFloorCamera } from "./widgets/floor-camera.js";
import { mountHand } from "./widgets/hand.js";
import { mountPoints } from "./widgets/points.js";
import { mountPolls } from "./widgets/polls.js";
import { mountQuestions } from "./widgets/questions.js";
import { mountStatus } from "./widgets/status.js";
import { mountTalkPicker } from "./widgets/talk-picker.js";
import { mountVideo } from "./widgets/video.js";

const WIDGETS = {
  chat: mountChat, qa: mountQuestions, hand: mountHand, floor: mountFloor,
  polls: mountPolls, announce: mountAnnounce, points: mountPoints
};

// One widget that fails to start must not take the others (or the hub) down with it.
function safely(name, start) {
  try {
    start();
  } catch (err) {
    console.error("ketnoi: the " + name + " widget did not start", err);
  }
}

function main(configEl) {
  const cfg = JSON.parse(configEl.textContent);
  const labels = makeLabels(cfg);
  const hub = new Hub({ notConnected: labels.L.not_connected, signedOut: labels.L.signed_out });
  // What every widget is given to work with.
  const live = {
    hub: hub,
    cfg: cfg,
    labels: labels,
    controls: makeControls(hub),
    elapsed: makeElapsed(labels.t)
  };

  safely("status", () => mountStatus(live));
  safely("banner", () => mountBanner(live));
  for (const box of document.querySelectorAll("[data-live]")) {
    const name = box.getAttribute("data-live");
    const mount = WIDGETS[name];
    if (mount) { safely(name, () => mount(box, live)); }
  }
  safely("talk picker", mountTalkPicker);
  hub.start();

  if (typeof window.RTCPeerConnection !== "function") { return; }
  const rtc = makeRtc(labels.L);
  for (const box of document.querySelectorAll("[data-media]")) {
    const kind = box.getAttribute("data-media");
    if (kind === "watch" && cfg.talk) {
      safely("video", () => mountVideo(box, live, rtc));
      safely("floor camera", () => mountFloorCamera(box, live, rtc));
    }
    if (kind === "desk" && cfg.talk) { safely("desk", () => mountDesk(box, live, rtc)); }
    if (kind === "call" && cfg.booth) { safely("call", () => mountCall(box, live, rtc)); }
  }
  window.addEventListener("pagehide", rtc.closeAll);
}

const configEl = document.getElementById("live-config");
if (configEl) { main(configEl); }
