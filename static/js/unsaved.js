// Unsaved edits are never lost without a word. Where request tabs run (tabs.js), opening another
// request or "New" opens a tab and the edits stay in theirs; without them (a page with no tab
// strip) opening another request, a history entry or "New" asks first. Closing or reloading the
// browser tab warns either way (beforeunload). The dirty state is app.js's (#request-form[data-dirty]).
(function () {
  "use strict";
  var QUESTION = "This request has unsaved changes. Leave them and open the other one?\n\n" +
    "Cancel keeps you here with your edits (save them with Ctrl+S).";
  var leaving = false;

  function isDirty() {
    var form = document.getElementById("request-form");
    return Boolean(form && form.dataset.dirty === "1");
  }

  function tabsKeepEdits() { return Boolean(document.getElementById("request-tabs")); }

  // htmx swaps into #editor: the tree's requests, history entries
  document.addEventListener("htmx:confirm", function (event) {
    var target = event.detail.target;
    if (!target || target.id !== "editor" || !isDirty() || tabsKeepEdits()) return;
    if (event.detail.elt.closest("[data-discards-edits]")) return;  // e.g. "Reload theirs" after a conflict
    event.preventDefault();
    if (window.confirm(QUESTION)) event.detail.issueRequest(true);
  });

  // plain links that leave the page ("New", other workspaces): ask once, not again on unload
  document.addEventListener("click", function (event) {
    var link = event.target.closest("a[href]");
    if (!link || link.hasAttribute("hx-get") || link.hasAttribute("download") || link.target === "_blank") return;
    if (link.hasAttribute("data-new-tab") && tabsKeepEdits()) return;
    if (event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey || !isDirty()) return;
    if (link.getAttribute("href").charAt(0) === "#") return;
    if (window.confirm(QUESTION)) { leaving = true; return; }
    event.preventDefault();
    event.stopImmediatePropagation();
  }, true);

  window.addEventListener("beforeunload", function (event) {
    if (leaving || !isDirty()) return;
    event.preventDefault();
    event.returnValue = "";  // older Chromium needs it set to show the prompt
  });
})();
