// The scorecard while the evidence finder runs: ask the evidence API how it is going and, once it
// is done (or failed), put the new suggestions and evidence in place without reloading the page,
// so nothing typed in the form meanwhile is lost.
(function () {
  "use strict";
  var section = document.getElementById("evidence");
  var url = section && section.getAttribute("data-poll-url");
  if (!url || !window.fetch || !window.DOMParser) return;
  var delay = 1500;
  var MAX_DELAY = 10000;
  var STOP_AFTER = 15 * 60 * 1000; // a finder that runs this long has failed; the page says so
  var started = Date.now();

  function swap(fresh) {
    // the status line, then each step's suggestion and evidence list
    var nodes = fresh.querySelectorAll("[data-evidence-part]");
    for (var i = 0; i < nodes.length; i += 1) {
      var key = nodes[i].getAttribute("data-evidence-part");
      var here = document.querySelector('[data-evidence-part="' + key + '"]');
      if (here) here.innerHTML = nodes[i].innerHTML;
    }
    var button = fresh.querySelector("[data-find-evidence]");
    var mine = document.querySelectorAll("[data-find-evidence]");
    for (var j = 0; j < mine.length && button; j += 1) mine[j].textContent = button.textContent;
    section.removeAttribute("data-poll-url");
    section.setAttribute("data-evidence-ready", "true");
  }

  function refresh() {
    return fetch(window.location.pathname, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) {
        if (!response.ok) throw new Error(String(response.status));
        return response.text();
      })
      .then(function (html) {
        swap(new DOMParser().parseFromString(html, "text/html"));
      });
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        return response.ok ? response.json() : { status: "unknown" };
      })
      .then(function (report) {
        if (report.status === "done" || report.status === "failed") return refresh();
        return again();
      })
      .catch(again);
  }

  function again() {
    if (Date.now() - started > STOP_AFTER) return;
    delay = Math.min(MAX_DELAY, Math.round(delay * 1.3));
    window.setTimeout(poll, delay);
  }

  window.setTimeout(poll, delay);
})();
