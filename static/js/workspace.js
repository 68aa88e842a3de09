/* Delegation workspace: autosave feedback, ranking without a mouse, legal reference rows, print.
   The pages work without it (numbered selects, blank rows, a Save button). No inline scripts (CSP). */
(function () {
  "use strict";

  function statusOf(form) {
    var body = form.closest(".item__body");
    return body ? body.querySelector(".save-status") : null;
  }

  function say(el, text) {
    if (!el) { return; }
    el.textContent = text;
  }

  /* htmx 2 does not swap 4xx answers: 401 (session ended), 409 (conflict), 422 (field errors) and
     423 (locked) carry fragments meant for the page. Anything else keeps the typed text and says so. */
  document.addEventListener("htmx:beforeSwap", function (event) {
    var status = event.detail.xhr.status;
    if (status === 401 || status === 400 || status === 409 || status === 422 || status === 423) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  function saveFailed(event) {
    var elt = event.detail.elt;
    var form = elt && elt.closest ? elt.closest("form") : null;
    var status = form ? statusOf(form) : null;
    if (!status) { return; }
    var span = document.createElement("span");
    span.className = "save-status--error";
    span.setAttribute("role", "alert");
    span.textContent = status.getAttribute("data-error-text") ||
      "Not saved: the server could not be reached or failed. Your text is still here; change a field or press Save to try again.";
    status.replaceChildren(span);
  }
  document.addEventListener("htmx:responseError", saveFailed);
  document.addEventListener("htmx:sendError", saveFailed);

  function conflictSlot(form) {
    return document.getElementById("conflict-" + form.getAttribute("data-item"));
  }

  /* While a conflict is shown, autosave pauses (a blur would only raise it again) until the person
     chooses: keep mine, take theirs or merge by hand. */
  document.addEventListener("htmx:beforeRequest", function (event) {
    var form = event.detail.elt;
    if (!form || !form.matches || !form.matches("form[data-autosave]")) { return; }
    var slot = conflictSlot(form);
    if (slot && slot.children.length) {
      event.preventDefault();
      return;
    }
    var status = statusOf(form);
    if (status && !status.querySelector("[role=alert]")) {
      status.setAttribute("aria-busy", "true");
    }
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    var form = event.detail.elt;
    if (!form || !form.matches || !form.matches("form[data-autosave]")) { return; }
    var status = statusOf(form);
    if (status) { status.removeAttribute("aria-busy"); }
  });

  /* Mark fields with a message as invalid, so assistive technology announces them. */
  document.addEventListener("htmx:afterSettle", function () {
    document.querySelectorAll(".field__error").forEach(function (error) {
      var id = error.id.replace(/-error$/, "");
      var field = document.getElementById(id);
      if (!field) { return; }
      var invalid = error.textContent.trim() !== "";
      if (invalid) { field.setAttribute("aria-invalid", "true"); } else { field.removeAttribute("aria-invalid"); }
    });
  });

  /* "Keep mine": save what the form holds now, based on their version (without JavaScript the
     conflict form posts the refused values instead). */
  document.addEventListener("submit", function (event) {
    var keep = event.target;
    if (!keep.matches || !keep.matches("form[data-keep-mine]") || !window.htmx) { return; }
    var main = document.getElementById(keep.getAttribute("data-form"));
    if (!main) { return; }
    event.preventDefault();
    main.querySelector("input[name=base_version]").value = keep.getAttribute("data-version");
    var slot = conflictSlot(main);
    if (slot) { slot.replaceChildren(); }
    window.htmx.trigger(main, "submit");
  });

  function changed(el) {
    var form = el.closest("form");
    if (form) { form.dispatchEvent(new Event("change", { bubbles: true })); }
  }

  /* Ranking: an ordered list with Move up / Move down buttons; the hidden selects carry the ranks. */
  function renumber(fieldset) {
    var items = fieldset.querySelectorAll(".ws-ranking__item");
    items.forEach(function (li, index) {
      var select = li.querySelector("select");
      if (select) { select.value = String(index + 1); }
      var up = li.querySelector("[data-move=up]");
      var down = li.querySelector("[data-move=down]");
      if (up) { up.disabled = index === 0; }
      if (down) { down.disabled = index === items.length - 1; }
    });
    var unranked = fieldset.querySelector("[data-unranked]");
    if (unranked) { unranked.hidden = true; }
  }

  function isRanked(fieldset) {
    var selects = fieldset.querySelectorAll(".ws-ranking__select");
    return Array.prototype.every.call(selects, function (s) { return s.value !== ""; });
  }

  function initRanking(fieldset) {
    if (fieldset.dataset.ready) { return; }
    fieldset.dataset.ready = "1";
    if (fieldset.querySelector("select[disabled]")) { return; }
    fieldset.classList.add("ws-ranking--js");
    fieldset.querySelectorAll(".ws-ranking__select").forEach(function (s) { s.hidden = true; });
    fieldset.querySelectorAll(".ws-ranking__buttons, [data-howto-js]").forEach(function (el) { el.hidden = false; });
    fieldset.querySelectorAll("[data-howto-nojs]").forEach(function (el) { el.hidden = true; });
    var howto = fieldset.querySelector("[data-howto-js]");
    var nojs = fieldset.querySelector("[data-howto-nojs]");
    if (howto && nojs) { howto.id = nojs.id; nojs.removeAttribute("id"); }
    fieldset.querySelectorAll(".ws-ranking__label").forEach(function (label) { label.removeAttribute("for"); });
    var unranked = fieldset.querySelector("[data-unranked]");
    if (unranked && !isRanked(fieldset)) { unranked.hidden = false; }
    var items = fieldset.querySelectorAll(".ws-ranking__item");
    items.forEach(function (li, index) {
      var up = li.querySelector("[data-move=up]");
      var down = li.querySelector("[data-move=down]");
      if (up) { up.disabled = index === 0; }
      if (down) { down.disabled = index === items.length - 1; }
    });
    fieldset.addEventListener("click", function (event) {
      var button = event.target.closest("button");
      if (!button || !fieldset.contains(button)) { return; }
      if (button.hasAttribute("data-accept-order")) {
        renumber(fieldset);
        changed(fieldset);
        return;
      }
      var move = button.getAttribute("data-move");
      if (!move) { return; }
      var li = button.closest(".ws-ranking__item");
      var list = li.parentNode;
      if (move === "up" && li.previousElementSibling) {
        list.insertBefore(li, li.previousElementSibling);
      } else if (move === "down" && li.nextElementSibling) {
        list.insertBefore(li.nextElementSibling, li);
      } else {
        return;
      }
      renumber(fieldset);
      var position = Array.prototype.indexOf.call(list.children, li) + 1;
      var label = li.querySelector(".ws-ranking__label").textContent.trim();
      var live = fieldset.querySelector("[data-ranking-live]");
      say(live, label + ": " + position + " / " + list.children.length);
      var same = li.querySelector("[data-move=" + move + "]");
      var focusTarget = same && !same.disabled ? same : li.querySelector("button:not([disabled])");
      if (focusTarget) { focusTarget.focus(); }
      changed(fieldset);
    });
  }

  /* Legal references: add and remove rows (without JavaScript, three blank rows are offered). */
  var rowCounter = 1000;
  function initLegal(fieldset) {
    if (fieldset.dataset.ready) { return; }
    fieldset.dataset.ready = "1";
    if (fieldset.querySelector("input[disabled]")) { return; }
    fieldset.querySelectorAll("[data-js-only]").forEach(function (el) { el.hidden = false; });
    var tbody = fieldset.querySelector("tbody");
    var blanks = tbody.querySelectorAll("tr[data-blank]");
    var filled = tbody.querySelectorAll("tr:not([data-blank])").length;
    blanks.forEach(function (row, index) {
      if (index > 0 || filled > 0) { row.remove(); }
    });
    fieldset.addEventListener("click", function (event) {
      var button = event.target.closest("button");
      if (!button || !fieldset.contains(button)) { return; }
      if (button.hasAttribute("data-add-row")) {
        var template = tbody.querySelector("tr");
        var row;
        if (template) {
          row = template.cloneNode(true);
        } else {
          return;
        }
        rowCounter += 1;
        row.querySelectorAll("input").forEach(function (input) {
          input.value = "";
          var oldId = input.id;
          input.id = oldId.replace(/-\d+-(instrument|provision|url)$/, "-" + rowCounter + "-$1");
          var label = row.querySelector("label[for='" + oldId + "']");
          if (label) { label.setAttribute("for", input.id); }
        });
        tbody.appendChild(row);
        row.querySelector("input").focus();
      } else if (button.hasAttribute("data-remove-row")) {
        var current = button.closest("tr");
        var next = current.nextElementSibling || current.previousElementSibling;
        if (tbody.querySelectorAll("tr").length === 1) {
          current.querySelectorAll("input").forEach(function (input) { input.value = ""; });
        } else {
          current.remove();
        }
        var focusTarget = next ? next.querySelector("input") : fieldset.querySelector("[data-add-row]");
        if (focusTarget) { focusTarget.focus(); }
        changed(fieldset);
      }
    });
  }

  function init(root) {
    root.querySelectorAll("[data-ranking]").forEach(initRanking);
    root.querySelectorAll("[data-legal]").forEach(initLegal);
    root.querySelectorAll("[data-print]").forEach(function (button) {
      if (button.dataset.ready) { return; }
      button.dataset.ready = "1";
      button.hidden = false;
      button.addEventListener("click", function () { window.print(); });
    });
  }

  document.addEventListener("DOMContentLoaded", function () { init(document); });
  document.addEventListener("htmx:load", function (event) { init(event.detail.elt); });
})();
