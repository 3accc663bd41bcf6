// Keyboard: tab strips with arrow keys (the WAI-ARIA tabs pattern: one tab in the Tab order,
// arrows/Home/End move between tabs and select them), the URL field focused on load, "/" to
// reach it, and "?" for the shortcut sheet. The sheet (#shortcuts-dialog) lists every key here.
(function () {
  "use strict";

  function tabsOf(list) {
    return Array.prototype.filter.call(list.querySelectorAll('[role="tab"]'), function (tab) {
      return tab.closest('[role="tablist"]') === list && !tab.hidden && !tab.disabled;
    });
  }

  // One tab per strip is reachable with Tab: the selected one (or the first).
  function roving(root) {
    var scope = root && root.querySelectorAll ? root : document;
    var lists = Array.prototype.slice.call(scope.querySelectorAll('[role="tablist"]'));
    if (scope.matches && scope.matches('[role="tablist"]')) lists.push(scope);
    lists.forEach(function (list) {
      var tabs = tabsOf(list);
      var selected = tabs.filter(function (t) { return t.getAttribute("aria-selected") === "true"; })[0] || tabs[0];
      tabs.forEach(function (tab) { tab.tabIndex = tab === selected ? 0 : -1; });
    });
  }

  function isTyping(target) {
    return !!(target && target.closest && target.closest('input, textarea, select, [contenteditable=""], [contenteditable="true"], .CodeMirror'));
  }

  function focusUrl() {
    var url = document.getElementById("url");
    if (url) { url.focus(); url.select(); }
  }

  // The sheet lives in a <template> and is in the page only while it is open.
  function openSheet() {
    var sheet = document.getElementById("shortcuts-dialog");
    var template = document.getElementById("shortcuts-template");
    if (!sheet && template) {
      document.body.appendChild(template.content.cloneNode(true));
      sheet = document.getElementById("shortcuts-dialog");
      sheet.addEventListener("close", function () { sheet.remove(); });
    }
    if (sheet && !sheet.open) sheet.showModal();
  }

  document.addEventListener("keydown", function (event) {
    var tab = event.target.closest && event.target.closest('[role="tab"]');
    if (tab && !event.ctrlKey && !event.metaKey && !event.altKey) {
      var list = tab.closest('[role="tablist"]');
      var tabs = tabsOf(list);
      var at = tabs.indexOf(tab), next = null;
      var vertical = list.getAttribute("aria-orientation") === "vertical";
      if (event.key === (vertical ? "ArrowDown" : "ArrowRight")) next = tabs[(at + 1) % tabs.length];
      else if (event.key === (vertical ? "ArrowUp" : "ArrowLeft")) next = tabs[(at - 1 + tabs.length) % tabs.length];
      else if (event.key === "Home") next = tabs[0];
      else if (event.key === "End") next = tabs[tabs.length - 1];
      if (next) {
        event.preventDefault();
        next.focus();
        next.click();  // automatic activation: the panel follows the focus
        return;
      }
    }
    if (event.ctrlKey || event.metaKey || event.altKey || isTyping(event.target)) return;
    if (event.key === "?") { event.preventDefault(); openSheet(); }
    else if (event.key === "/" && document.getElementById("url")) { event.preventDefault(); focusUrl(); }
  });

  document.addEventListener("click", function (event) {
    if (event.target.closest && event.target.closest("[data-open-shortcuts]")) { openSheet(); return; }
    if (event.target.closest && event.target.closest("[data-close-sheet]")) { event.target.closest("dialog").close(); return; }
    var tab = event.target.closest && event.target.closest('[role="tab"]');
    if (tab) roving(tab.closest('[role="tablist"]'));
  });

  document.addEventListener("htmx:load", function (event) { roving(event.detail.elt); });

  document.addEventListener("DOMContentLoaded", function () {
    roving(document);
    // The URL field first: where most visits start. Not on phones (the keyboard would cover
    // the page) and not when the address names another target (#fragment).
    if (!location.hash && document.activeElement === document.body && matchMedia("(min-width: 901px)").matches) focusUrl();
  });
})();
