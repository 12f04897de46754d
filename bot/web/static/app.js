// The staff pages' own script (served from /web/static; the Content-Security-Policy allows no inline script).
// - a sign-in page submits its form at once: the person who clicked the link lands on the overview;
// - [data-print] buttons print the page (the invitation sheet);
// - [data-confirm] forms ask before they are sent.
(function () {
  "use strict";
  function ready(fn) {
    if (document.readyState !== "loading") { fn(); } else { document.addEventListener("DOMContentLoaded", fn); }
  }
  ready(function () {
    var signin = document.querySelector("form[data-autosubmit]");
    if (signin) { signin.submit(); }
    document.querySelectorAll("[data-print]").forEach(function (button) {
      button.addEventListener("click", function () { window.print(); });
    });
    document.querySelectorAll("form[data-confirm]").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        if (!window.confirm(form.getAttribute("data-confirm"))) { event.preventDefault(); }
      });
    });
  });
})();
