/* Coding a passage: the selection made in a reply's text is turned into character offsets of the submitted
   text (code points, as the server counts them) and put into that reply's coding form. Without this script
   the form still codes a passage typed as exact words, or the whole answer. No inline scripts (CSP). */
(function () {
  "use strict";

  function codePoints(text) { return Array.from(text).length; }

  function offsetWithin(container, node, offset) {
    var range = document.createRange();
    range.selectNodeContents(container);
    range.setEnd(node, offset);
    return codePoints(range.toString());
  }

  function formFor(responseId) {
    return document.querySelector('.coding-form[data-response="' + responseId + '"]');
  }

  function clear(form) {
    form.elements.start.value = "";
    form.elements.end.value = "";
  }

  function onSelection() {
    var selection = window.getSelection();
    if (!selection || selection.rangeCount === 0 || selection.isCollapsed) { return; }
    var range = selection.getRangeAt(0);
    var start = range.startContainer.nodeType === 1 ? range.startContainer : range.startContainer.parentElement;
    var end = range.endContainer.nodeType === 1 ? range.endContainer : range.endContainer.parentElement;
    var container = start && start.closest(".coding-text");
    if (!container || !end || end.closest(".coding-text") !== container) { return; }
    var form = formFor(container.getAttribute("data-response"));
    if (!form) { return; }
    var from = offsetWithin(container, range.startContainer, range.startOffset);
    var to = offsetWithin(container, range.endContainer, range.endOffset);
    var quote = range.toString();
    if (to <= from || !quote.trim()) { return; }
    form.elements.start.value = String(from);
    form.elements.end.value = String(to);
    form.elements.field.value = container.getAttribute("data-field");
    form.elements.passage.value = quote;
    var status = form.querySelector(".selection-status");
    status.textContent = status.getAttribute("data-selected").replace("%(quote)s", quote)
      .replace("%(start)s", from).replace("%(end)s", to);
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.addEventListener("mouseup", onSelection);
    document.addEventListener("keyup", function (event) { if (event.shiftKey) { onSelection(); } });
    document.addEventListener("input", function (event) {
      var form = event.target.closest && event.target.closest(".coding-form");
      if (form && (event.target.name === "passage" || event.target.name === "field")) { clear(form); }
    });
    document.querySelectorAll(".coding-text").forEach(function (el) { el.tabIndex = 0; });
  });
})();
