// On a phone the main navigation folds into a "Menu" button (WAI-ARIA disclosure pattern).
// Without JavaScript, or on a wide screen, every link stays listed.
(function () {
  "use strict";
  var nav = document.querySelector("nav.main-nav");
  if (!nav) return;
  var button = nav.querySelector(".menu-toggle");
  var menu = document.getElementById("main-menu");
  if (!button || !menu) return;
  var narrow = window.matchMedia("(max-width: 40rem)");

  function setOpen(open) {
    button.setAttribute("aria-expanded", open ? "true" : "false");
    menu.classList.toggle("is-folded", !open);
  }

  function fit() {
    button.hidden = !narrow.matches;
    setOpen(!narrow.matches);
  }

  button.addEventListener("click", function () {
    setOpen(button.getAttribute("aria-expanded") !== "true");
  });
  nav.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && narrow.matches && button.getAttribute("aria-expanded") === "true") {
      setOpen(false);
      button.focus();
    }
  });
  narrow.addEventListener("change", fit);
  fit();
})();
