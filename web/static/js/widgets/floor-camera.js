// The room's camera while it has the floor (`floor.state` on the talk's or the room's channel).
import { showError } from "../labels.js";
import { closePc, stopStream } from "../rtc.js";

export function mountFloorCamera(box, live, rtc) {
  const { hub, cfg } = live;
  const { t } = live.labels;
  const peers = rtc.peers;
  if (!cfg.point) { return; }
  const talk = cfg.talk;
  const channel = "talk:" + talk;
  const selfFig = box.querySelector(".video-self");
  const selfVideo = selfFig.querySelector("video");
  const errorEl = box.querySelector(".form-error");
  let stream = null;
  let wanted = false;
  let busy = false;

  function stop() {
    closePc(peers.floor);
    peers.floor = null;
    stopStream(stream);
    stream = null;
    selfFig.hidden = true;
  }

  function sync() {
    if (busy) { return; }
    if (!wanted) { stop(); return; }
    if (peers.floor) { return; }
    busy = true;
    navigator.mediaDevices.getUserMedia({
      video: { width: { ideal: 640 }, height: { ideal: 360 }, frameRate: { ideal: 30 } },
      audio: true
    }).then((media) => {
      stream = media;
      selfVideo.srcObject = media;
      selfFig.hidden = false;
      return rtc.publish(talk, media, { slot: "floor" });
    }).then((pc) => {
      peers.floor = pc;
      showError(errorEl, null);
      pc.addEventListener("connectionstatechange", () => {
        if (pc.connectionState === "failed" && peers.floor === pc) { stop(); sync(); }
      });
    }, (err) => {
      stopStream(stream);
      stream = null;
      selfFig.hidden = true;
      showError(errorEl, new Error(t("camera_failed", { reason: err.message || err.name })));
    }).then(() => {
      busy = false;
      // The floor may have been taken back while the camera was starting.
      if (!wanted) { stop(); }
    });
  }

  function onState(msg) {
    if (msg.talk !== undefined && msg.talk !== talk) { return; }
    const floor = msg.state || msg;
    const speakers = floor.speakers || [];
    wanted = speakers.some((s) => s.point === cfg.point);
    sync();
  }

  hub.join(channel, () => {
    hub.request("floor.state", { talk: talk }).then(onState, () => null);
  });
  hub.on("floor.state", onState, channel);
  hub.on("floor.state", onState, "point:" + cfg.point);
}
