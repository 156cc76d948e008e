// Signalling is one HTTP offer and answer carrying every ICE candidate. One of these per page:
// it caches the ICE servers and holds the page's peer connections, closed when the page goes.

export function makeRtc(L) {
  let rtcConfig = null;
  const peers = { watch: null, floor: null, desk: null, callOut: null, callIn: null };

  function api(method, path, body) {
    return fetch(path, {
      method: method,
      credentials: "same-origin",
      headers: body ? { "Content-Type": "application/json" } : {},
      body: body ? JSON.stringify(body) : undefined
    }).then((response) => {
      return response.json().catch(() => ({})).then((data) => {
        if (!response.ok) {
          const error = (data && data.error) || {};
          const failure = new Error(error.message || L.video_unavailable);
          failure.code = error.code || "http_" + response.status;
          throw failure;
        }
        return data;
      });
    });
  }

  function configuration() {
    if (rtcConfig) { return Promise.resolve(rtcConfig); }
    return api("GET", "/api/rtc").then((data) => {
      rtcConfig = { iceServers: data.ice_servers || [] };
      return rtcConfig;
    });
  }

  function negotiate(pc, path, fields) {
    return pc.createOffer().then((offer) => {
      return pc.setLocalDescription(offer);
    }).then(() => {
      return gathered(pc);
    }).then(() => {
      const body = Object.assign({ sdp: pc.localDescription.sdp, type: "offer" }, fields || {});
      return api("POST", path, body);
    }).then((answer) => {
      return pc.setRemoteDescription({ sdp: answer.sdp, type: answer.type }).then(() => answer);
    });
  }

  // A talk's feed from this browser: the room's camera on the floor, the desk's camera or voice.
  function publish(talk, stream, fields) {
    return configuration().then((config) => {
      const pc = new RTCPeerConnection(config);
      stream.getTracks().forEach((track) => {
        pc.addTransceiver(track, { direction: "sendonly", streams: [stream] });
      });
      return negotiate(pc, "/api/talks/" + talk + "/publish", fields).then(() => pc, (err) => {
        closePc(pc);
        throw err;
      });
    });
  }

  function closeAll() {
    closePc(peers.watch);
    closePc(peers.floor);
    closePc(peers.desk);
    closePc(peers.callOut);
    closePc(peers.callIn);
  }

  return {
    api: api,
    configuration: configuration,
    // What configuration() last resolved with (null before).
    config: () => rtcConfig,
    negotiate: negotiate,
    publish: publish,
    peers: peers,
    closeAll: closeAll
  };
}

// Non-trickle: the offer leaves once every candidate is in it (or after a few seconds).
function gathered(pc) {
  if (pc.iceGatheringState === "complete") { return Promise.resolve(); }
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, 3000);
    pc.addEventListener("icegatheringstatechange", () => {
      if (pc.iceGatheringState === "complete") { clearTimeout(timer); resolve(); }
    });
  });
}

export function closePc(pc) {
  if (pc) { try { pc.close(); } catch (e) { return; } }
}

export function stopStream(stream) {
  if (stream) { stream.getTracks().forEach((track) => { track.stop(); }); }
}
