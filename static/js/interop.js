// Import/export pieces of the page that htmx attributes can't express: Copy as cURL (the
// copy happens after the server built the command), the Code panel's visibility check, and a
// size check before a huge paste is uploaded. Loaded after app.js.
(function () {
  "use strict";
  var webclient = (window.webclient = window.webclient || {});

  webclient.codePanelOpen = function () {
    var panel = document.getElementById("panel-code");
    return Boolean(panel && !panel.hidden);
  };

  function flash(button, text) {
    var label = button.dataset.label || button.textContent;
    button.dataset.label = label;
    button.textContent = text;
    setTimeout(function () { button.textContent = label; }, 1500);
  }

  // The async Clipboard API exists only in secure contexts (https, localhost); a self-hosted
  // server on plain http gets the old selection-based copy.
  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) return navigator.clipboard.writeText(text);
    return new Promise(function (resolve, reject) {
      var area = document.createElement("textarea");
      area.value = text;
      area.setAttribute("readonly", "");
      area.style.position = "fixed";
      area.style.opacity = "0";
      document.body.append(area);
      area.select();
      var copied = false;
      try { copied = document.execCommand("copy"); } catch (e) { copied = false; }
      area.remove();
      (copied ? resolve : reject)();
    });
  }

  function showCodeTab() {
    var tab = document.getElementById("tab-code");
    if (tab) tab.click();
  }

  document.addEventListener("htmx:afterRequest", function (event) {
    var button = event.detail.elt;
    if (!button.matches || !button.matches("[data-copy-response]") || !event.detail.successful) return;
    var xhr = event.detail.xhr;
    if (xhr.getResponseHeader("X-Snippet-Error")) { webclient.toast(xhr.responseText); return; }
    copyText(xhr.responseText).then(
      function () { flash(button, "Copied"); },
      function () {
        var select = document.getElementById("snippet-lang");
        if (select) select.value = button.dataset.copyLang || "curl";
        showCodeTab();
        webclient.toast("The browser refused to copy; the command is in the Code tab.");
      }
    );
  });

  // A paste over the limit is refused here, before megabytes travel to the server for nothing.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.id !== "import-form") return;
    var area = form.elements.content;
    var limit = Number(area.dataset.importLimit || 0) * 1024 * 1024;
    var file = form.elements.file && form.elements.file.files[0];
    if (!file && limit && new Blob([area.value]).size > limit) {
      event.preventDefault();
      event.stopImmediatePropagation();
      var mib = (new Blob([area.value]).size / 1024 / 1024).toFixed(1);
      var box = form.querySelector(".import-error") || document.createElement("div");
      box.className = "alert alert-error import-error";
      box.setAttribute("role", "alert");
      box.textContent = "The pasted text is " + mib + " MiB; imports are limited to " + area.dataset.importLimit + " MiB.";
      if (!box.parentNode) form.querySelector("h2").after(box);
    }
  }, true);
})();
