// "Fix the highlighted part": when a send is refused for bad input, the field at fault is
// marked (aria-invalid, a visible mark under the bad part of the URL) and focused with that
// part selected. Typing in the field clears the mark. The server says which field and which
// characters (data-error-field, data-mark-start/end on .exchange-error, views/editor.py).
(function () {
  "use strict";

  function escapeHtml(text) {
    return text.replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  function fieldFor(form, name) {
    if (name === "url" || name === "method") return form.querySelector("#" + name);
    var control = form.elements[name];
    return control && control.nodeType === 1 ? control : null;
  }

  function markUrl(input, start, end) {
    var overlay = input.nextElementSibling;
    if (!overlay || !overlay.classList.contains("var-overlay")) return;
    var text = input.value, offset = Math.max(0, text.indexOf(text.trim()));
    start += offset; end += offset;
    overlay.innerHTML = escapeHtml(text.slice(0, start)) + '<mark class="bad-part">' +
      escapeHtml(text.slice(start, end) || " ") + "</mark>" + escapeHtml(text.slice(end));
    input.focus();
    input.setSelectionRange(start, end);
    overlay.scrollLeft = input.scrollLeft;
  }

  document.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail.target.id !== "response") return;
    var form = document.getElementById("request-form");
    if (!form) return;
    form.querySelectorAll('[aria-invalid="true"]').forEach(function (el) { el.removeAttribute("aria-invalid"); });
    var error = event.detail.target.querySelector(".exchange-error[data-error-field]");
    var field = error && fieldFor(form, error.dataset.errorField);
    if (!field) return;
    var message = error.querySelector(".error-message");
    if (message) {
      message.id = "send-error-message";
      field.setAttribute("aria-describedby", message.id);
    }
    field.setAttribute("aria-invalid", "true");
    if (field.id === "url" && error.dataset.markStart) {
      markUrl(field, Number(error.dataset.markStart), Number(error.dataset.markEnd));
    } else {
      field.focus();
    }
  });

  document.addEventListener("input", function (event) {
    var target = event.target;
    if (target.getAttribute && target.getAttribute("aria-invalid") === "true") {
      target.removeAttribute("aria-invalid");
      target.removeAttribute("aria-describedby");
      var mark = target.parentElement && target.parentElement.querySelector(".var-overlay mark.bad-part");
      if (mark) mark.replaceWith(mark.textContent);
    }
  });
})();
