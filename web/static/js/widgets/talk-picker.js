// The organiser's desk switches talks by submitting the picker's form.
export function mountTalkPicker() {
  const select = document.getElementById("talk-select");
  if (!select || !select.form) { return; }
  select.addEventListener("change", () => { select.form.submit(); });
}
