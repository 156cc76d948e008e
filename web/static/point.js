// Keeps an attendance point marked online on the organisers' screen until the live hub arrives:
// a light request every 20 s refreshes the point's last-seen time.
(function () {
  "use strict";
  var status = document.getElementById("point-status");
  function beat() {
    fetch("/api/me", { credentials: "same-origin", cache: "no-store" })
      .then(function (r) { if (status) { status.dataset.online = r.ok ? "1" : "0"; } })
      .catch(function () { if (status) { status.dataset.online = "0"; } });
  }
  setInterval(beat, 20000);
})();
