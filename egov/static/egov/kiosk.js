/* Kiosk inactivity reset: return to the start screen after data-kiosk-timeout seconds without a
   touch or a key, so the next visitor never sees the previous citizen's dossier. A visible
   countdown (and a one-time screen-reader warning) lets anyone extend it with a touch (WCAG 2.2.1).
   The timeout is re-read at every reset so a test can shorten it. Without JavaScript a
   <noscript> meta refresh does the reset. */
(function () {
  "use strict";
  var body = document.body;
  var home = body.getAttribute("data-kiosk-home") || "/";
  var timer = document.querySelector("[data-kiosk-timer]");
  var seconds = document.querySelector("[data-kiosk-seconds]");
  var warning = document.querySelector("[data-kiosk-warning]");
  var WARN_AT = 20;
  var deadline = null;
  var warned = false;

  function timeout() {
    var value = parseInt(body.getAttribute("data-kiosk-timeout"), 10);
    return value > 0 ? value : 60;
  }

  function tick() {
    if (deadline === null) { return; }
    var left = Math.max(0, Math.ceil((deadline - Date.now()) / 1000));
    if (seconds) { seconds.textContent = String(left); }
    if (timer) { timer.hidden = false; }
    if (!warned && left <= Math.min(WARN_AT, timeout()) && warning && timer) {
      warned = true;
      warning.textContent = timer.textContent;
    }
    if (left === 0) {
      deadline = null;
      window.location.replace(home);  // replace: the back button cannot return to the dossier
    }
  }

  function restart() {
    deadline = Date.now() + timeout() * 1000;
    warned = false;
    if (warning) { warning.textContent = ""; }
    tick();
  }

  ["pointerdown", "keydown", "input", "wheel", "touchstart"].forEach(function (type) {
    document.addEventListener(type, restart, { capture: true, passive: true });
  });
  window.setInterval(tick, 250);
  // An untouched start screen has nothing to reset: the countdown begins with the first touch.
  if (body.hasAttribute("data-kiosk-resets")) { restart(); }
})();
