// The desk: the hall feed or an interpretation from this browser. An interpreter's box has no
// hall button.
import { showError } from "../labels.js";
import { closePc, stopStream } from "../rtc.js";

export function mountDesk(box, live, rtc) {
  const { cfg } = live;
  const { L, t } = live.labels;
  const peers = rtc.peers;
  const stateEl = box.querySelector(".desk-state");
  const hallBtn = box.querySelector(".desk-hall");
  const interpretBtn = box.querySelector(".desk-interpret");
  const stopBtn = box.querySelector(".desk-stop");
  const languageEl = box.querySelector(".desk-language");
  const errorEl = box.querySelector(".form-error");
  let stream = null;

  function idle() {
    closePc(peers.desk);
    peers.desk = null;
    stopStream(stream);
    stream = null;
    stateEl.textContent = L.desk_idle;
    stopBtn.hidden = true;
    setBusy(false);
  }

  function setBusy(busy) {
    if (hallBtn) { hallBtn.disabled = busy; }
    interpretBtn.disabled = busy;
  }

  function go(constraints, fields, label) {
    setBusy(true);
    showError(errorEl, null);
    navigator.mediaDevices.getUserMedia(constraints).then((media) => {
      stream = media;
      return rtc.publish(cfg.talk, media, fields);
    }).then((pc) => {
      peers.desk = pc;
      stateEl.textContent = label;
      stopBtn.hidden = false;
      pc.addEventListener("connectionstatechange", () => {
        if (pc.connectionState === "failed" && peers.desk === pc) {
          idle();
          showError(errorEl, new Error(L.video_unavailable));
        }
      });
    }, (err) => {
      idle();
      showError(errorEl, new Error(t("camera_failed", { reason: err.message || err.name })));
    });
  }

  if (hallBtn) {
    hallBtn.addEventListener("click", () => {
      go({ video: { width: { ideal: 1280 }, height: { ideal: 720 } }, audio: true },
        { slot: "hall" }, L.desk_live);
    });
  }
  interpretBtn.addEventListener("click", () => {
    const code = (languageEl.value || "").trim().toLowerCase();
    if (!/^[a-z]{2,3}$/.test(code)) {
      showError(errorEl, new Error(L.language_code));
      return;
    }
    go({ audio: true }, { slot: "interpretation", language: code },
      t("desk_interpreting", { language: code.toUpperCase() }));
  });
  stopBtn.addEventListener("click", idle);
}
