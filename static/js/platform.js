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
    // A moment shown in the reader's own time zone and language (the server's time, named, stays as the
    // fallback and in the title): <time data-local-time datetime="ISO 8601">.
    document.querySelectorAll("time[data-local-time]").forEach(function (el) {
      var moment = new Date(el.getAttribute("datetime"));
      if (isNaN(moment.getTime()) || !window.Intl) { return; }
      try {
        var text = new Intl.DateTimeFormat(document.documentElement.lang || undefined, {
          year: "numeric", month: "long", day: "numeric", hour: "2-digit", minute: "2-digit", timeZoneName: "short"
        }).format(moment);
        el.title = el.textContent.trim();
        el.textContent = text;
      } catch (error) { /* an old browser: keep the server's text */ }
    });
  });
})();
