// The agenda editor: each talk's form saves through the API, so a move needs no reload; the
// form posts as a plain form when this script does not run. Errors name the field.

const labels = JSON.parse(document.getElementById("agenda-labels").textContent);

function speakers(text) {
  return text.split("\n").map((line) => line.split(";").map((p) => p.trim()))
    .filter((parts) => parts[0])
    .map(([name, organisation = "", country = ""]) => ({ name, organisation, country }));
}

function body(form, creating) {
  const data = new FormData(form);
  const out = {};
  for (const name of ["title_vi", "title_en", "stage", "stage_en", "kind", "country",
    "abstract_vi", "abstract_en", "start", "end"]) {
    out[name] = String(data.get(name) || "");
  }
  out.speakers = speakers(String(data.get("speakers") || ""));
  const fold = String(data.get("fold") || "");
  if (fold) { out.fold = Number(fold); }
  if (!creating) { out.cancelled = data.get("cancelled") === "yes"; }
  return out;
}

function clock(iso) { return iso.slice(11, 16); }

function day(iso) { return iso.slice(8, 10) + "/" + iso.slice(5, 7) + "/" + iso.slice(0, 4); }

function showError(form, status, error) {
  status.textContent = labels.failed + " " + error.message;
  status.setAttribute("role", "alert");
  const name = (error.field || "").split(".")[0];
  const field = name ? form.elements.namedItem(name) : null;
  if (field && field.focus) {
    field.setAttribute("aria-invalid", "true");
    field.focus();
  }
}

async function save(form) {
  const status = form.querySelector(".form-status");
  const creating = Boolean(form.dataset.create);
  const url = creating ? form.dataset.create : "/api/talks/" + form.dataset.talk;
  for (const field of form.querySelectorAll("[aria-invalid]")) { field.removeAttribute("aria-invalid"); }
  status.setAttribute("role", "status");
  status.textContent = labels.saving;
  let response;
  try {
    response = await fetch(url, {
      method: creating ? "POST" : "PATCH",
      headers: { "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify(body(form, creating)),
      credentials: "same-origin",
    });
  } catch (err) {
    showError(form, status, { message: String(err) });
    return;
  }
  const answer = await response.json().catch(() => ({}));
  if (!response.ok) {
    showError(form, status, answer.error || { message: String(response.status) });
    return;
  }
  if (creating) {
    window.location.assign(window.location.pathname + "#talk-" + answer.id);
    window.location.reload();
    return;
  }
  const card = form.closest(".talk-card");
  card.querySelector(".talk-when").textContent =
    day(answer.start) + " " + clock(answer.start) + " (" + answer.zone_label + ") – " + clock(answer.end);
  card.querySelector(".talk-status").textContent = answer.status;
  card.querySelector("h3").textContent = answer.title;
  status.textContent = labels.saved;
}

for (const form of document.querySelectorAll("form.talk-form")) {
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    save(form);
  });
}
for (const form of document.querySelectorAll("form.talk-delete")) {
  form.addEventListener("submit", (event) => {
    if (!window.confirm(labels.confirm_delete)) { event.preventDefault(); }
  });
}
