// The page's texts and times: labels come with #live-config, times in the event's zone.

// `t("key", {name: …})` fills the `%(name)s` places of a label; a missing label shows its key.
export function makeLabels(cfg) {
  const L = cfg.labels || {};
  const lang = document.documentElement.lang || "vi";
  const timeFormat = makeTimeFormat(lang, cfg.zone);

  function t(key, params) {
    let text = L[key] || key;
    for (const name in params) {
      if (Object.prototype.hasOwnProperty.call(params, name)) {
        text = text.split("%(" + name + ")s").join(String(params[name]));
      }
    }
    return text;
  }

  function clock(iso) {
    const when = new Date(iso);
    return isNaN(when.getTime()) ? "" : timeFormat.format(when);
  }

  return { L: L, t: t, clock: clock };
}

function makeTimeFormat(lang, zone) {
  const opts = { hour: "2-digit", minute: "2-digit", hourCycle: "h23" };
  try {
    return new Intl.DateTimeFormat(lang, Object.assign({ timeZone: zone }, opts));
  } catch (e) {
    return new Intl.DateTimeFormat(lang, opts);
  }
}

export function duration(ms) {
  const s = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  const mm = h > 0 && m < 10 ? "0" + m : String(m);
  return (h > 0 ? h + ":" : "") + mm + ":" + (sec < 10 ? "0" : "") + sec;
}

export function nameOf(member) {
  return member && member.name ? member.name : "";
}

// An error goes in as text; no error hides the box.
export function showError(node, err) {
  if (!node) { return; }
  if (!err) {
    node.hidden = true;
    node.textContent = "";
    return;
  }
  node.textContent = err.message || err.code || String(err);
  node.hidden = false;
}
