// Live video: watching a talk (the hall, the speaker who has the floor, the hall's or an
// interpreter's audio), the room's camera while it has the floor, and the desk's camera.
// Signalling is one HTTP offer and answer carrying every ICE candidate; the hub says what is
// live (`talk.live`) and who has the floor (`floor.state`). Runs after live.js.
(function () {
  "use strict";

  var configEl = document.getElementById("live-config");
  var hub = window.ketnoiHub;
  var shared = window.ketnoiLive;
  if (!configEl || !hub || !shared || typeof window.RTCPeerConnection !== "function") { return; }
  var cfg = JSON.parse(configEl.textContent);
  var L = cfg.labels || {};
  var talk = cfg.talk;
  var channel = "talk:" + talk;
  var rtcConfig = null;
  var t = shared.t;
  var showError = shared.showError;
  // For people and tests who want to look: the page's peer connections.
  var state = window.ketnoiMedia = {
    watch: null, floor: null, desk: null, callOut: null, callIn: null
  };

  function api(method, path, body) {
    return fetch(path, {
      method: method,
      credentials: "same-origin",
      headers: body ? { "Content-Type": "application/json" } : {},
      body: body ? JSON.stringify(body) : undefined
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        if (!response.ok) {
          var error = (data && data.error) || {};
          var failure = new Error(error.message || L.video_unavailable);
          failure.code = error.code || "http_" + response.status;
          throw failure;
        }
        return data;
      });
    });
  }

  function configuration() {
    if (rtcConfig) { return Promise.resolve(rtcConfig); }
    return api("GET", "/api/rtc").then(function (data) {
      rtcConfig = { iceServers: data.ice_servers || [] };
      return rtcConfig;
    });
  }

  // Non-trickle: the offer leaves once every candidate is in it (or after a few seconds).
  function gathered(pc) {
    if (pc.iceGatheringState === "complete") { return Promise.resolve(); }
    return new Promise(function (resolve) {
      var timer = setTimeout(resolve, 3000);
      pc.addEventListener("icegatheringstatechange", function () {
        if (pc.iceGatheringState === "complete") { clearTimeout(timer); resolve(); }
      });
    });
  }

  function negotiate(pc, path, fields) {
    return pc.createOffer().then(function (offer) {
      return pc.setLocalDescription(offer);
    }).then(function () {
      return gathered(pc);
    }).then(function () {
      var body = Object.assign({ sdp: pc.localDescription.sdp, type: "offer" }, fields || {});
      return api("POST", path, body);
    }).then(function (answer) {
      return pc.setRemoteDescription({ sdp: answer.sdp, type: answer.type }).then(function () {
        return answer;
      });
    });
  }

  function closePc(pc) {
    if (pc) { try { pc.close(); } catch (e) { return; } }
  }

  function stopStream(stream) {
    if (stream) { stream.getTracks().forEach(function (track) { track.stop(); }); }
  }

  // -- watching ------------------------------------------------------------------------------

  function watchWidget(box) {
    var stage = box.querySelector(".video-stage");
    var hallVideo = box.querySelector(".video-hall");
    var stateEl = box.querySelector(".video-state");
    var floorFig = box.querySelector(".video-floor");
    var floorVideo = floorFig.querySelector("video");
    var floorName = box.querySelector(".video-floor-name");
    var soundBtn = box.querySelector(".video-sound");
    var languageEl = box.querySelector(".video-language");
    var errorEl = box.querySelector(".form-error");
    var peerId = null;
    var retry = 0;
    var retryTimer = null;
    var live = { slots: [], publishers: {} };

    function setState(text, playing) {
      stateEl.textContent = text;
      stage.setAttribute("data-state", playing ? "playing" : "waiting");
    }

    function start() {
      retryTimer = null;
      var pc = new RTCPeerConnection(rtcConfig);
      state.watch = pc;
      // In this order the relay gives: hall video, floor video, hall (or chosen) audio, floor audio.
      var kinds = ["video", "video", "audio", "audio"];
      var transceivers = kinds.map(function (kind) {
        return pc.addTransceiver(kind, { direction: "recvonly" });
      });
      var hallStream = new MediaStream();
      var floorStream = new MediaStream();
      pc.addEventListener("track", function (event) {
        var at = transceivers.indexOf(event.transceiver);
        (at === 0 || at === 2 ? hallStream : floorStream).addTrack(event.track);
      });
      hallVideo.srcObject = hallStream;
      floorVideo.srcObject = floorStream;
      pc.addEventListener("connectionstatechange", function () {
        if (state.watch !== pc) { return; }
        if (pc.connectionState === "connected") { retry = 0; }
        if (pc.connectionState === "failed" || pc.connectionState === "closed") { again(pc); }
      });
      var fields = languageEl.value ? { language: languageEl.value } : {};
      negotiate(pc, "/api/talks/" + talk + "/watch", fields).then(function (answer) {
        peerId = answer.id;
        showError(errorEl, null);
      }, function (err) {
        showError(errorEl, err);
        again(pc);
      });
    }

    function again(pc) {
      if (state.watch === pc) { state.watch = null; }
      closePc(pc);
      if (retryTimer) { return; }
      setState(L.video_reconnecting, false);
      var delay = Math.min(15000, 1000 * Math.pow(2, retry++)) * (0.8 + Math.random() * 0.4);
      retryTimer = setTimeout(start, delay);
    }

    hallVideo.addEventListener("playing", function () { setState(L.video_live, true); });
    soundBtn.addEventListener("click", function () {
      var on = hallVideo.muted;
      hallVideo.muted = floorVideo.muted = !on;
      soundBtn.textContent = on ? L.sound_off : L.sound_on;
      hallVideo.play().catch(function () { return null; });
      floorVideo.play().catch(function () { return null; });
    });
    soundBtn.disabled = false;

    languageEl.addEventListener("change", function () {
      if (!peerId) { return; }
      var choice = languageEl.value || null;
      api("POST", "/api/talks/" + talk + "/language", { id: peerId, language: choice })
        .then(function () { showError(errorEl, null); }, function (err) { showError(errorEl, err); });
    });

    function applyLive(next) {
      live = next || { slots: [], publishers: {} };
      var hasFloor = live.slots.indexOf("floor") >= 0;
      floorFig.hidden = !hasFloor;
      floorName.textContent = hasFloor ? L.floor_speaker : "";
      if (live.slots.indexOf("hall") < 0) { setState(L.video_waiting, false); }
      var languages = live.slots.filter(function (slot) { return slot.indexOf("lang:") === 0; })
        .map(function (slot) { return slot.slice(5); });
      var chosen = languageEl.value;
      while (languageEl.options.length > 1) { languageEl.remove(1); }
      languages.forEach(function (code) {
        var option = document.createElement("option");
        option.value = code;
        option.textContent = code.toUpperCase();
        languageEl.appendChild(option);
      });
      languageEl.value = languages.indexOf(chosen) >= 0 ? chosen : "";
    }

    setState(L.video_waiting, false);
    hub.join(channel, function (answer) { applyLive(answer.live); });
    hub.on("talk.live", function (msg) { if (msg.talk === talk) { applyLive(msg); } }, channel);
    configuration().then(start, function (err) { showError(errorEl, err); });
    return box;
  }

  // -- the room's camera while it has the floor --------------------------------------------

  function publish(stream, fields) {
    return configuration().then(function (config) {
      var pc = new RTCPeerConnection(config);
      stream.getTracks().forEach(function (track) {
        pc.addTransceiver(track, { direction: "sendonly", streams: [stream] });
      });
      return negotiate(pc, "/api/talks/" + talk + "/publish", fields).then(function () {
        return pc;
      }, function (err) {
        closePc(pc);
        throw err;
      });
    });
  }

  function floorCamera(box) {
    if (!cfg.point) { return; }
    var selfFig = box.querySelector(".video-self");
    var selfVideo = selfFig.querySelector("video");
    var errorEl = box.querySelector(".form-error");
    var stream = null;
    var wanted = false;
    var busy = false;

    function stop() {
      closePc(state.floor);
      state.floor = null;
      stopStream(stream);
      stream = null;
      selfFig.hidden = true;
    }

    function sync() {
      if (busy) { return; }
      if (!wanted) { stop(); return; }
      if (state.floor) { return; }
      busy = true;
      navigator.mediaDevices.getUserMedia({
        video: { width: { ideal: 640 }, height: { ideal: 360 }, frameRate: { ideal: 30 } },
        audio: true
      }).then(function (media) {
        stream = media;
        selfVideo.srcObject = media;
        selfFig.hidden = false;
        return publish(media, { slot: "floor" });
      }).then(function (pc) {
        state.floor = pc;
        showError(errorEl, null);
        pc.addEventListener("connectionstatechange", function () {
          if (pc.connectionState === "failed" && state.floor === pc) { stop(); sync(); }
        });
      }, function (err) {
        stopStream(stream);
        stream = null;
        selfFig.hidden = true;
        showError(errorEl, new Error(t("camera_failed", { reason: err.message || err.name })));
      }).then(function () {
        busy = false;
        // The floor may have been taken back while the camera was starting.
        if (!wanted) { stop(); }
      });
    }

    function onState(msg) {
      if (msg.talk !== undefined && msg.talk !== talk) { return; }
      var floor = msg.state || msg;
      var speakers = floor.speakers || [];
      wanted = speakers.some(function (s) { return s.point === cfg.point; });
      sync();
    }

    hub.join(channel, function () {
      hub.request("floor.state", { talk: talk }).then(onState, function () { return null; });
    });
    hub.on("floor.state", onState, channel);
    hub.on("floor.state", onState, "point:" + cfg.point);
  }

  // -- the desk: the hall feed or an interpretation from this browser --------------------

  function deskWidget(box) {
    var stateEl = box.querySelector(".desk-state");
    var hallBtn = box.querySelector(".desk-hall");
    var interpretBtn = box.querySelector(".desk-interpret");
    var stopBtn = box.querySelector(".desk-stop");
    var languageEl = box.querySelector(".desk-language");
    var errorEl = box.querySelector(".form-error");
    var stream = null;

    function idle() {
      closePc(state.desk);
      state.desk = null;
      stopStream(stream);
      stream = null;
      stateEl.textContent = L.desk_idle;
      stopBtn.hidden = true;
      setBusy(false);
    }

    // An interpreter's box has no hall button.
    function setBusy(busy) {
      if (hallBtn) { hallBtn.disabled = busy; }
      interpretBtn.disabled = busy;
    }

    function go(constraints, fields, label) {
      setBusy(true);
      showError(errorEl, null);
      navigator.mediaDevices.getUserMedia(constraints).then(function (media) {
        stream = media;
        return publish(media, fields);
      }).then(function (pc) {
        state.desk = pc;
        stateEl.textContent = label;
        stopBtn.hidden = false;
        pc.addEventListener("connectionstatechange", function () {
          if (pc.connectionState === "failed" && state.desk === pc) {
            idle();
            showError(errorEl, new Error(L.video_unavailable));
          }
        });
      }, function (err) {
        idle();
        showError(errorEl, new Error(t("camera_failed", { reason: err.message || err.name })));
      });
    }

    if (hallBtn) {
      hallBtn.addEventListener("click", function () {
        go({ video: { width: { ideal: 1280 }, height: { ideal: 720 } }, audio: true },
          { slot: "hall" }, L.desk_live);
      });
    }
    interpretBtn.addEventListener("click", function () {
      var code = (languageEl.value || "").trim().toLowerCase();
      if (!/^[a-z]{2,3}$/.test(code)) {
        showError(errorEl, new Error(L.language_code));
        return;
      }
      go({ audio: true }, { slot: "interpretation", language: code },
        t("desk_interpreting", { language: code.toUpperCase() }));
    });
    stopBtn.addEventListener("click", idle);
  }

  // -- a booth's video call: my camera to the others, theirs to me ----------------------

  function callWidget(box) {
    var booth = cfg.booth;
    var base = "/api/booths/" + booth + "/call";
    var stateEl = box.querySelector(".call-state");
    var joinBtn = box.querySelector(".call-join");
    var leaveBtn = box.querySelector(".call-leave");
    var selfFig = box.querySelector(".call-self");
    var tiles = Array.prototype.slice.call(box.querySelectorAll(".call-other"));
    var errorEl = box.querySelector(".form-error");
    var stream = null;
    var me = null;
    var others = 0;

    function show() {
      tiles.forEach(function (tile, at) { tile.hidden = !me || at >= others; });
      if (me) { stateEl.textContent = others ? L.call_in : L.call_empty; }
    }

    function hangUp() {
      closePc(state.callOut);
      closePc(state.callIn);
      state.callOut = state.callIn = null;
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
      }).then(function (media) {
        stream = media;
        selfFig.querySelector("video").srcObject = media;
        return configuration();
      }).then(function (config) {
        var out = new RTCPeerConnection(config);
        stream.getTracks().forEach(function (track) {
          out.addTransceiver(track, { direction: "sendonly", streams: [stream] });
        });
        state.callOut = out;
        return negotiate(out, base + "/publish").then(function () { return config; });
      }).then(function (config) {
        var inbound = new RTCPeerConnection(config);
        state.callIn = inbound;
        var pairs = tiles.map(function (tile) {
          var media = new MediaStream();
          tile.querySelector("video").srcObject = media;
          return {
            video: inbound.addTransceiver("video", { direction: "recvonly" }),
            audio: inbound.addTransceiver("audio", { direction: "recvonly" }),
            media: media
          };
        });
        inbound.addEventListener("track", function (event) {
          pairs.forEach(function (pair) {
            if (event.transceiver === pair.video || event.transceiver === pair.audio) {
              pair.media.addTrack(event.track);
            }
          });
        });
        return negotiate(inbound, base + "/watch");
      }).then(function () {
        me = true;
        selfFig.hidden = false;
        joinBtn.hidden = true;
        leaveBtn.hidden = false;
        show();
      }, function (err) {
        hangUp();
        showError(errorEl, err.code === "room_full" ? new Error(L.call_full) :
          new Error(t("camera_failed", { reason: err.message || err.name })));
      });
    }

    joinBtn.addEventListener("click", join);
    leaveBtn.addEventListener("click", function () {
      api("POST", base + "/leave", {}).catch(function () { return null; });
      hangUp();
    });
    function applyLive(live) {
      var slots = (live && live.slots) || [];
      var callers = slots.filter(function (slot) { return slot.indexOf("call:") === 0; });
      others = Math.max(0, callers.length - (me ? 1 : 0));
      show();
    }
    hub.join("booth:" + booth, function (answer) { applyLive(answer.live); });
    hub.on("booth.live", applyLive, "booth:" + booth);
  }

  var boxes = document.querySelectorAll("[data-media]");
  for (var i = 0; i < boxes.length; i++) {
    var kind = boxes[i].getAttribute("data-media");
    if (kind === "watch" && talk) { watchWidget(boxes[i]); floorCamera(boxes[i]); }
    if (kind === "desk" && talk) { deskWidget(boxes[i]); }
    if (kind === "call" && cfg.booth) { callWidget(boxes[i]); }
  }
  window.addEventListener("pagehide", function () {
    closePc(state.watch);
    closePc(state.floor);
    closePc(state.desk);
    closePc(state.callOut);
    closePc(state.callIn);
  });
})();
