// The sidebar tree: open/closed state kept across page loads, drag and drop, error messages.
// The server renders open nodes from the `tree-<workspace id>` cookie ("<open folder ids>~<closed
// collection ids>", dot-separated); folders and collections load their children on first open (htmx).
(function () {
  "use strict";
  var webclient = (window.webclient = window.webclient || {});

  function tree() { return document.getElementById("tree"); }
  function ids(selector, attribute) {
    return Array.prototype.map.call(document.querySelectorAll(selector), function (d) { return d.dataset[attribute]; });
  }
  webclient.closedCollectionIds = function () {
    return ids("details.collection:not([open])", "collectionId").join(",");
  };

  function saveState() {
    var root = tree();
    if (!root || !root.dataset.workspaceId) return;
    var opened = ids("details.folder[open]", "folderId").slice(0, 200).join(".");
    var closed = ids("details.collection:not([open])", "collectionId").join(".");
    document.cookie = "tree-" + root.dataset.workspaceId + "=" + opened + "~" + closed +
      "; path=/; max-age=31536000; SameSite=Lax";
  }
  // A node's children load on its first opening. The listener is the document's, in place from
  // the first paint: an hx-trigger on the node itself only works once htmx has processed that
  // node, so a quick click on a freshly swapped tree opened the folder and loaded nothing.
  function loadChildren(node) {
    var url = node.dataset.childrenUrl;
    var slot = node.querySelector(":scope > .children");
    if (!url || !slot || node.dataset.childrenRequested) return;
    node.dataset.childrenRequested = "1";
    window.htmx.ajax("GET", url, { target: slot, swap: "outerHTML" });
  }
  // A node the server sent open but empty (past the page's screenful, services/sidebar.py)
  // loads its first page when its slot scrolls into view.
  var seen = "IntersectionObserver" in window ? new IntersectionObserver(function (entries) {
    entries.forEach(function (entry) {
      if (!entry.isIntersecting) return;
      seen.unobserve(entry.target);
      if (entry.target.parentElement) loadChildren(entry.target.parentElement);
    });
  }) : null;
  function watchOpenEmpty() {
    var root = tree();
    if (!root) return;
    root.querySelectorAll("details[open][data-children-url]:not([data-children-requested])").forEach(function (node) {
      var slot = node.querySelector(":scope > .children");
      if (!slot) return;
      if (seen) seen.observe(slot); else loadChildren(node);
    });
  }
  document.addEventListener("DOMContentLoaded", watchOpenEmpty);
  document.addEventListener("htmx:afterSettle", watchOpenEmpty);
  // toggle does not bubble: listen in the capture phase.
  document.addEventListener("toggle", function (event) {
    var node = event.target;
    if (!(node.matches && node.matches("details.folder, details.collection") && node.closest("#tree"))) return;
    if (node.open) loadChildren(node);
    saveState();
  }, true);

  // ------------------------------------------------------------------ drag and drop
  var dragged = null;

  function placeFor(target, event) {
    if (target.dataset.drop === "collection") return "into";
    if (target.dataset.drop === "request") return "before";
    var box = target.getBoundingClientRect();  // a folder: its upper third = before, the rest = into
    return event.clientY < box.top + box.height / 3 ? "before" : "into";
  }
  function clearMarks() {
    document.querySelectorAll(".drop-before, .drop-into").forEach(function (el) {
      el.classList.remove("drop-before", "drop-into");
    });
  }

  document.addEventListener("dragstart", function (event) {
    var source = event.target.closest && event.target.closest("[data-drag]");
    if (!source || !source.closest("#tree")) return;
    dragged = source;
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", source.dataset.drag + ":" + source.dataset.dragId);
  });
  document.addEventListener("dragover", function (event) {
    var target = dragged && event.target.closest && event.target.closest("[data-drop]");
    if (!target || target === dragged || !target.closest("#tree")) return;
    event.preventDefault();
    clearMarks();
    target.classList.add(placeFor(target, event) === "into" ? "drop-into" : "drop-before");
  });
  document.addEventListener("dragleave", function (event) {
    if (event.target.classList) event.target.classList.remove("drop-before", "drop-into");
  });
  document.addEventListener("dragend", function () { dragged = null; clearMarks(); });
  document.addEventListener("drop", function (event) {
    var target = dragged && event.target.closest && event.target.closest("[data-drop]");
    if (!target || target === dragged) return;
    event.preventDefault();
    clearMarks();
    var source = dragged;
    dragged = null;
    htmx.ajax("POST", source.dataset.moveUrl, {
      source: source, swap: "none",
      values: { target: target.dataset.drop + ":" + target.dataset.dropId, place: placeFor(target, event) },
    });
  });

  // A refused move (422) says why, in place of the generic message.
  document.addEventListener("htmx:responseError", function (event) {
    var xhr = event.detail.xhr;
    if (xhr.status === 422 && webclient.toast && (xhr.getResponseHeader("Content-Type") || "").indexOf("text/plain") === 0) {
      webclient.toast(xhr.responseText);
    }
  });
})();
