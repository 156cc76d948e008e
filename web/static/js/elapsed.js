// Waiting and speaking times count up on every screen from the server's timestamps.
import { el } from "./dom.js";
import { duration } from "./labels.js";

export function makeElapsed(t) {
  let ticking = [];
  setInterval(() => {
    const now = Date.now();
    for (const node of ticking) {
      node.textContent = t(node.getAttribute("data-label"), {
        time: duration(now - Date.parse(node.getAttribute("data-since")))
      });
    }
  }, 1000);

  function ticker(label, since) {
    const node = el("span", "elapsed meta", t(label, { time: duration(Date.now() - Date.parse(since)) }));
    node.setAttribute("data-label", label);
    node.setAttribute("data-since", since);
    return node;
  }

  // Called after a redraw: the tickers on the page now.
  function collect() {
    ticking = Array.prototype.slice.call(document.querySelectorAll(".elapsed[data-since]"));
  }

  return { ticker: ticker, collect: collect };
}
