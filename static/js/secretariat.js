/* Secretariat pages: "select every Party shown" and the print button. The pages work without it. */
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("input[data-select-all]").forEach(function (master) {
      var name = master.getAttribute("data-select-all");
      var boxes = function () {
        return master.form ? master.form.querySelectorAll("input[type=checkbox][name='" + name + "']") : [];
      };
      master.addEventListener("change", function () {
        boxes().forEach(function (box) { box.checked = master.checked; });
      });
    });
    document.querySelectorAll("[data-print]").forEach(function (button) {
      button.addEventListener("click", function () { window.print(); });
    });
  });
})();
