// A speaker's countdown on the live pages: the server sends the seconds left (data-countdown),
// this counts them down each second between polls. Without JavaScript the figure is the one
// the page was drawn with, refreshed on each reload.
(function () {
  "use strict";
  function show(element, seconds) {
    var sign = seconds < 0 ? "-" : "";
    var left = Math.abs(seconds);
    var text = sign + Math.floor(left / 60) + ":" + String(left % 60).padStart(2, "0");
    element.textContent = seconds < 0 ? text + " over time" : text + " left";
    element.classList.toggle("over", seconds < 0);
  }

  function tick() {
    var now = Date.now();
    document.querySelectorAll("[data-countdown]").forEach(function (element) {
      var given = parseInt(element.getAttribute("data-countdown"), 10);
      if (isNaN(given)) return;
      if (!element.dataset.drawn) {
        element.dataset.drawn = String(now);
      }
      var elapsed = Math.floor((now - parseInt(element.dataset.drawn, 10)) / 1000);
      show(element, given - elapsed);
    });
  }

  tick();
  window.setInterval(tick, 1000);
  document.addEventListener("htmx:afterSettle", tick);
})();
