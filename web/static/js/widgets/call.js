// A booth's video call: my camera to the others, theirs to me. The hub says who is in it
// (`booth.live`).
import { showError } from "../labels.js";
import { closePc, stopStream } from "../rtc.js";

export function mountCall(box, live, rtc) {
  const { hub, cfg } = live;
  const { L, t } = live.labels;
  const peers = rtc.peers;
  const booth = cfg.booth;
  const base = "/api/booths/" + booth + "/call";
  const stateEl = box.querySelector(".call-state");
  const joinBtn = box.querySelector(".call-join");
  const leaveBtn = box.querySelector(".call-leave");
  const selfFig = box.querySelector(".call-self");
  const tiles = Array.prototype.slice.call(box.querySelectorAll(".call-other"));
  const errorEl = box.querySelector(".form-error");
  let stream = null;
  let me = null;
  // People publishing in the call, as the hub last said (me among them once I have joined).
  let callers = 0;

  function show() {
    // Derived here, not when the hub spoke: its news may come before my own join finishes.
    const others = Math.max(0, callers - (me ? 1 : 0));
    tiles.forEach((tile, at) => { tile.hidden = !me || at >= others; });
    if (me) { stateEl.textContent = others ? L.call_in : L.call_empty; }
  }

  function hangUp() {
    closePc(peers.callOut);
    closePc(peers.callIn);
    peers.callOut = peers.callIn = null;
    stopStream(stream);
    stream = null;
    me = null;
    selfFig.hidden = true;
    joinBtn.hidden = false;
    joinBtn.disabled = false;
    leaveBtn.hidden = true;
    show();
  }

  function join() {
    joinBtn.disabled = true;
    showError(errorEl, null);
    navigator.mediaDevices.getUserMedia({
      video: { width: { ideal: 640 }, height: { ideal: 480 } }, audio: true
    }).then((media) => {
      stream = media;
      selfFig.querySelector("video").srcObject = media;
      return rtc.configuration();
    }).then((config) => {
      const out = new RTCPeerConnection(config);
      stream.getTracks().forEach((track) => {
        out.addTransceiver(track, { direction: "sendonly", streams: [stream] });
      });
      peers.callOut = out;
      return rtc.negotiate(out, base + "/publish").then(() => config);
    }).then((config) => {
      const inbound = new RTCPeerConnection(config);
      peers.callIn = inbound;
      const pairs = tiles.map((tile) => {
        const media = new MediaStream();
        tile.querySelector("video").srcObject = media;
        return {
          video: inbound.addTransceiver("video", { direction: "recvonly" }),
          audio: inbound.addTransceiver("audio", { direction: "recvonly" }),
          media: media
        };
      });
      inbound.addEventListener("track", (event) => {
        pairs.forEach((pair) => {
          if (event.transceiver === pair.video || event.transceiver === pair.audio) {
            pair.media.addTrack(event.track);
          }
        });
      });
      return rtc.negotiate(inbound, base + "/watch");
    }).then(() => {
      me = true;
      selfFig.hidden = false;
      joinBtn.hidden = true;
      leaveBtn.hidden = false;
      show();
    }, (err) => {
      hangUp();
      showError(errorEl, err.code === "room_full" ? new Error(L.call_full) :
        new Error(t("camera_failed", { reason: err.message || err.name })));
    });
  }

  joinBtn.addEventListener("click", join);
  leaveBtn.addEventListener("click", () => {
    rtc.api("POST", base + "/leave", {}).catch(() => null);
    hangUp();
  });
  function applyLive(next) {
    const slots = (next && next.slots) || [];
    callers = slots.filter((slot) => slot.indexOf("call:") === 0).length;
    show();
  }
  hub.join("booth:" + booth, (answer) => { applyLive(answer.live); });
  hub.on("booth.live", applyLive, "booth:" + booth);
}
