/* Small progressive enhancements; the platform works without them. No inline scripts (CSP). */
(function () {
  "use strict";
  // Delegated, so that forms swapped in later by htmx (a report row re-rendered after its build) ask too.
  document.addEventListener("submit", function (event) {
    var form = event.target.closest ? event.target.closest("[data-confirm]") : null;
    if (form && !window.confirm(form.getAttribute("data-confirm"))) { event.preventDefault(); }
  });
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
      var form = select.form;
      form.querySelectorAll(".js-hide").forEach(function (el) { el.hidden = true; });
      select.addEventListener("change", function () { form.submit(); });
    });
  });
})();
