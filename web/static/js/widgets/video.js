// Watching a talk: the hall, the speaker who has the floor, the hall's or an interpreter's
// audio. The hub says what is live (`talk.live`).
import { showError } from "../labels.js";
import { closePc } from "../rtc.js";

export function mountVideo(box, live, rtc) {
  const { hub, cfg } = live;
  const { L } = live.labels;
  const peers = rtc.peers;
  const talk = cfg.talk;
  const channel = "talk:" + talk;
  const stage = box.querySelector(".video-stage");
  const hallVideo = box.querySelector(".video-hall");
  const stateEl = box.querySelector(".video-state");
  const floorFig = box.querySelector(".video-floor");
  const floorVideo = floorFig.querySelector("video");
  const floorName = box.querySelector(".video-floor-name");
  const soundBtn = box.querySelector(".video-sound");
  const languageEl = box.querySelector(".video-language");
  const errorEl = box.querySelector(".form-error");
  let peerId = null;
  let retry = 0;
  let retryTimer = null;
  let shown = { slots: [], publishers: {} };

  function setState(text, playing) {
    stateEl.textContent = text;
    stage.setAttribute("data-state", playing ? "playing" : "waiting");
  }

  function start() {
    retryTimer = null;
    const pc = new RTCPeerConnection(rtc.config());
    peers.watch = pc;
    // In this order the relay gives: hall video, floor video, hall (or chosen) audio, floor audio.
    const kinds = ["video", "video", "audio", "audio"];
    const transceivers = kinds.map((kind) => pc.addTransceiver(kind, { direction: "recvonly" }));
    const hallStream = new MediaStream();
    const floorStream = new MediaStream();
    pc.addEventListener("track", (event) => {
      const at = transceivers.indexOf(event.transceiver);
      (at === 0 || at === 2 ? hallStream : floorStream).addTrack(event.track);
    });
    hallVideo.srcObject = hallStream;
    floorVideo.srcObject = floorStream;
    pc.addEventListener("connectionstatechange", () => {
      if (peers.watch !== pc) { return; }
      if (pc.connectionState === "connected") { retry = 0; }
      if (pc.connectionState === "failed" || pc.connectionState === "closed") { again(pc); }
    });
    const fields = languageEl.value ? { language: languageEl.value } : {};
    rtc.negotiate(pc, "/api/talks/" + talk + "/watch", fields).then((answer) => {
      peerId = answer.id;
      showError(errorEl, null);
    }, (err) => {
      showError(errorEl, err);
      again(pc);
    });
  }

  function again(pc) {
    if (peers.watch === pc) { peers.watch = null; }
    closePc(pc);
    if (retryTimer) { return; }
    setState(L.video_reconnecting, false);
    const delay = Math.min(15000, 1000 * Math.pow(2, retry++)) * (0.8 + Math.random() * 0.4);
    retryTimer = setTimeout(start, delay);
  }

  hallVideo.addEventListener("playing", () => { setState(L.video_live, true); });
  soundBtn.addEventListener("click", () => {
    const on = hallVideo.muted;
    hallVideo.muted = floorVideo.muted = !on;
    soundBtn.textContent = on ? L.sound_off : L.sound_on;
    hallVideo.play().catch(() => null);
    floorVideo.play().catch(() => null);
  });
  soundBtn.disabled = false;

  languageEl.addEventListener("change", () => {
    if (!peerId) { return; }
    const choice = languageEl.value || null;
    rtc.api("POST", "/api/talks/" + talk + "/language", { id: peerId, language: choice })
      .then(() => { showError(errorEl, null); }, (err) => { showError(errorEl, err); });
  });

  function applyLive(next) {
    shown = next || { slots: [], publishers: {} };
    const hasFloor = shown.slots.indexOf("floor") >= 0;
    floorFig.hidden = !hasFloor;
    floorName.textContent = hasFloor ? L.floor_speaker : "";
    if (shown.slots.indexOf("hall") < 0) { setState(L.video_waiting, false); }
    const languages = shown.slots.filter((slot) => slot.indexOf("lang:") === 0)
      .map((slot) => slot.slice(5));
    const chosen = languageEl.value;
    while (languageEl.options.length > 1) { languageEl.remove(1); }
    languages.forEach((code) => {
      const option = document.createElement("option");
      option.value = code;
      option.textContent = code.toUpperCase();
      languageEl.appendChild(option);
    });
    languageEl.value = languages.indexOf(chosen) >= 0 ? chosen : "";
  }

  setState(L.video_waiting, false);
  hub.join(channel, (answer) => { applyLive(answer.live); });
  hub.on("talk.live", (msg) => { if (msg.talk === talk) { applyLive(msg); } }, channel);
  rtc.configuration().then(start, (err) => { showError(errorEl, err); });
  return box;
}
