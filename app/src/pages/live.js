// Live dashboard updates over one Server-Sent Events stream.
//
// No framework and no WASM: the server renders every region with the same Leptos code as the
// page and sends the new HTML (aggregates only) at most twice a second; this swaps it in
// place. EventSource reconnects by itself after a drop; the first frame after a (re)connect
// is the whole current state, so a dashboard catches up on whatever it missed.
(function () {
  "use strict";
  var root = document.querySelector("[data-live]");
  if (!root || !window.EventSource) return;
  var url = root.getAttribute("data-live");
  var status = document.getElementById("live-status");
  var source = null;
  var timer = null;
  var delay = 1000;
  var failures = 0;
  var last = {};

  function say(state) {
    if (!status || status.getAttribute("data-state") === state) return;
    status.setAttribute("data-state", state);
    status.textContent = status.getAttribute("data-say-" + state) || state;
  }

  // Replaces a region, keeping open <details> and keyboard focus (matched by id).
  function swap(id, html) {
    var el = document.getElementById(id);
    if (!el || last[id] === html) return;
    var open = [];
    el.querySelectorAll("details[open][id]").forEach(function (d) { open.push(d.id); });
    var active = document.activeElement;
    var focused = active && el.contains(active) && active.id ? active.id : null;
    el.innerHTML = html;
    last[id] = html;
    open.forEach(function (d) {
      var again = document.getElementById(d);
      if (again) again.open = true;
    });
    if (focused) {
      var f = document.getElementById(focused);
      if (f) f.focus();
    }
  }

  function apply(ev) {
    var frame;
    try { frame = JSON.parse(ev.data); } catch (e) { return; }
    Object.keys(frame.regions || {}).forEach(function (id) { swap(id, frame.regions[id]); });
    failures = 0;
    delay = 1000;
    say("live");
  }

  function stop() {
    if (source) { source.close(); source = null; }
    if (timer) { clearTimeout(timer); timer = null; }
  }

  // The stream was refused or dropped for good: retry with back-off. A revoked display link
  // or an ended session answers the page itself with an error, so reload to show why.
  function later() {
    stop();
    failures += 1;
    if (failures % 3 === 0) {
      fetch(location.href, { method: "HEAD", credentials: "same-origin" }).then(function (r) {
        if (r.status >= 400 && r.status < 500) location.reload();
      }).catch(function () {});
    }
    timer = setTimeout(connect, delay);
    delay = Math.min(delay * 2, 30000);
  }

  function connect() {
    stop();
    source = new EventSource(url);
    source.addEventListener("state", apply);
    source.onerror = function () {
      say("reconnecting");
      if (source && source.readyState === EventSource.CLOSED) later();
    };
  }

  window.addEventListener("offline", function () { stop(); say("reconnecting"); });
  window.addEventListener("online", connect);
  connect();
})();
