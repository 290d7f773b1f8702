// Counts down the speaker's time on the projector and the item page. The server sends the
// moment the time ends (data-ends-at, ISO 8601); without JavaScript the end time is shown.
(function () {
  "use strict";
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function tick() {
    var timers = document.querySelectorAll("[data-ends-at]");
    for (var i = 0; i < timers.length; i++) {
      var el = timers[i];
      var left = Math.round((Date.parse(el.getAttribute("data-ends-at")) - Date.now()) / 1000);
      var sign = left < 0 ? "-" : "";
      var abs = Math.abs(left);
      el.textContent = sign + Math.floor(abs / 60) + ":" + pad(abs % 60);
      el.classList.toggle("over", left < 0);
    }
  }
  setInterval(tick, 1000);
  document.addEventListener("DOMContentLoaded", tick);
  document.addEventListener("htmx:afterSwap", tick);
})();
