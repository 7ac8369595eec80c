// Forms and searches for screen readers and keyboards (issue 21). Enhancement only: without
// JavaScript the server already titles a rejected form "Error: ..." and lists the errors first.
(function () {
  "use strict";
  // After a rejected form: focus the error summary, so it is read at once and Tab goes on to
  // its links; the title says "Error:" (base.html does it for a form named "form").
  var summary = document.querySelector('.error-summary[role="alert"]');
  if (summary) {
    // The word is the page's language's ("Gwall:" in Welsh), from base.html.
    var word = document.body.getAttribute("data-error-word") || "Error:";
    if (document.title.indexOf(word) !== 0) document.title = word + " " + document.title;
    summary.setAttribute("tabindex", "-1");
    summary.focus();
  }

  // Search results swapped in by htmx: the count (marked data-announce) is copied into the one
  // live region that stays on the page, so it is announced (a region replaced with the results
  // would not be).
  var live = document.getElementById("live-status");
  if (!live) return;
  document.body.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail && event.detail.target;
    var note = target && target.querySelector ? target.querySelector("[data-announce]") : null;
    if (!note) return;
    live.textContent = "";
    window.setTimeout(function () {
      live.textContent = note.textContent.replace(/\s+/g, " ").trim();
    }, 100);
  });
})();
