// The zone switch: "this computer's zone" becomes the browser's own IANA zone (without this
// script it is the event's).
for (const form of document.querySelectorAll("form.zone-switch")) {
  const select = form.querySelector("select[name=zone]");
  if (form.dataset.detect === "yes") {
    const mine = select.querySelector("option[value=mine]");
    const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (mine && zone) {
      mine.value = zone;
      mine.textContent = mine.textContent + " (" + zone + ")";
    }
  }
}
