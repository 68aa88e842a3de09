/* Delegation workspace: autosave feedback, ranking without a mouse, legal reference rows, print.
   The pages work without it (numbered selects, blank rows, the page's section form and its Save buttons).
   Each item's inputs belong to the page's section form (form="section-form"); the item block itself (a div,
   [data-autosave]) posts only its own inputs to the item URL (hx-include="this"). No inline scripts (CSP). */
(function () {
  "use strict";

  function statusOf(block) {
    var body = block.closest(".item__body");
    return body ? body.querySelector(".save-status") : null;
  }

  function autosaveBlock(elt) {
    return elt && elt.closest ? elt.closest("[data-autosave]") : null;
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
    var block = autosaveBlock(event.detail.elt);
    var status = block ? statusOf(block) : null;
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

  function conflictSlot(block) {
    return document.getElementById("conflict-" + block.getAttribute("data-item"));
  }

  function isAutosave(elt) {
    return elt && elt.matches && elt.matches("[data-autosave]");
  }

  /* Once the page's section form is being sent, autosave stops: the section form carries every value, and a
     late autosave would only move a version under it. */
  var sectionSending = false;

  /* While a conflict is shown, autosave pauses (a blur would only raise it again) until the person
     chooses: keep mine, take theirs or merge by hand (or, after a refused "Save all", saves the page again). */
  document.addEventListener("htmx:beforeRequest", function (event) {
    var block = event.detail.elt;
    if (!isAutosave(block)) { return; }
    var slot = conflictSlot(block);
    if (sectionSending || (slot && slot.children.length)) {
      event.preventDefault();
      return;
    }
    var status = statusOf(block);
    if (status && !status.querySelector("[role=alert]")) {
      status.setAttribute("aria-busy", "true");
    }
    block.setAttribute("data-saving", "true");
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    var block = event.detail.elt;
    if (!isAutosave(block)) { return; }
    var status = statusOf(block);
    if (status) { status.removeAttribute("aria-busy"); }
    block.removeAttribute("data-saving");
    if (sectionSending) { sendSectionWhenIdle(); }
  });

  /* "Save all answers on this page": if autosaves are still on their way, send the section form once they
     have answered, so that it carries the versions they saved (else it would conflict with them). */
  var pendingSection = null;
  function sendSectionWhenIdle() {
    if (!pendingSection || document.querySelector("[data-autosave][data-saving]")) { return; }
    var pending = pendingSection;
    pendingSection = null;
    pending.form.dataset.sending = "1";
    if (pending.form.requestSubmit) {
      pending.form.requestSubmit(pending.submitter || undefined);
    } else {
      pending.form.submit();
    }
  }
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("#section-form")) { return; }
    sectionSending = true;
    if (form.dataset.sending) { return; }
    if (document.querySelector("[data-autosave][data-saving]")) {
      event.preventDefault();
      pendingSection = { form: form, submitter: event.submitter };
    }
  });
  window.addEventListener("pageshow", function () {
    sectionSending = false;
    pendingSection = null;
    var form = document.getElementById("section-form");
    if (form) { delete form.dataset.sending; }
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
    var block = document.getElementById(keep.getAttribute("data-form"));
    if (!block) { return; }
    event.preventDefault();
    document.getElementById("base-" + block.getAttribute("data-item")).value = keep.getAttribute("data-version");
    var slot = conflictSlot(block);
    if (slot) { slot.replaceChildren(); }
    window.htmx.trigger(block, "save");
  });

  function changed(el) {
    var block = autosaveBlock(el);
    if (block) { block.dispatchEvent(new Event("change", { bubbles: true })); }
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
    /* The server accepts at most this many rows, and the page's section form is sized for it. */
    var maxRows = parseInt(fieldset.getAttribute("data-max-rows"), 10) || Infinity;
    var addButton = fieldset.querySelector("[data-add-row]");
    function updateAddButton() {
      if (addButton) { addButton.disabled = tbody.querySelectorAll("tr").length >= maxRows; }
    }
    updateAddButton();
    fieldset.addEventListener("click", function (event) {
      var button = event.target.closest("button");
      if (!button || !fieldset.contains(button)) { return; }
      if (button.hasAttribute("data-add-row")) {
        if (tbody.querySelectorAll("tr").length >= maxRows) { return; }
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
        updateAddButton();
      } else if (button.hasAttribute("data-remove-row")) {
        var current = button.closest("tr");
        var next = current.nextElementSibling || current.previousElementSibling;
        if (tbody.querySelectorAll("tr").length === 1) {
          current.querySelectorAll("input").forEach(function (input) { input.value = ""; });
        } else {
          current.remove();
        }
        updateAddButton();
        var focusTarget = next ? next.querySelector("input") : fieldset.querySelector("[data-add-row]");
        if (focusTarget) { focusTarget.focus(); }
        changed(fieldset);
      }
    });
  }

  /* Presence: the question whose fields have the focus is the one this person has open in the editor. The page's
     heartbeat (#ws-presence-beat, every few seconds) tells colleagues; moving to another question tells them at
     once. The last question stays "open" until another one is focused or the page is left (the server forgets a
     person after a short time without heartbeat). */
  document.addEventListener("focusin", function (event) {
    var input = document.getElementById("ws-presence-editing");
    var block = autosaveBlock(event.target);
    var item = block ? block.closest("[data-code]") : null;
    if (!input || !item) { return; }
    var code = item.getAttribute("data-code");
    if (input.value === code) { return; }
    input.value = code;
    if (window.htmx) { window.htmx.trigger(document.body, "ws-presence"); }
  });

  // Word and character counts under a free text, against the suggested length (the server renders the saved
  // text's counts; this keeps them current while typing).
  function initCount(textarea) {
    var line = document.getElementById(textarea.getAttribute("data-count"));
    if (!line || textarea.dataset.counting) { return; }
    textarea.dataset.counting = "1";
    var text = line.querySelector("[data-count-text]");
    var over = line.querySelector("[data-count-over]");
    var suggested = parseInt(line.getAttribute("data-suggested-words"), 10);
    function plural(count, one, other) { return count + " " + (count === 1 ? one : other); }
    function update() {
      var value = textarea.value.trim();
      var words = value ? value.split(/\s+/).length : 0;
      text.textContent = plural(words, line.getAttribute("data-word"), line.getAttribute("data-words")) + " · " +
        plural(textarea.value.length, line.getAttribute("data-character"), line.getAttribute("data-characters"));
      if (over) { over.hidden = !(suggested > 0 && words > suggested); }
    }
    textarea.addEventListener("input", update);
  }

  function init(root) {
    root.querySelectorAll("textarea[data-count]").forEach(initCount);
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
