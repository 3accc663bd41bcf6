// The sidebar tree: open/closed state kept across page loads, drag and drop, error messages.
// The server renders open nodes from the `tree-<workspace id>` cookie ("<open folder ids>~<closed
// collection ids>", dot-separated); folders and collections load their children on first open (htmx).
// The open state is each node's aria-expanded: the CSS shows a node's children from it.
(function () {
  "use strict";
  var webclient = (window.webclient = window.webclient || {});

  function tree() { return document.getElementById("tree"); }
  function ids(selector, attribute) {
    return Array.prototype.map.call(document.querySelectorAll(selector), function (d) { return d.dataset[attribute]; });
  }
  var OPEN_FOLDERS = '#tree .node.folder[aria-expanded="true"]';
  var CLOSED_COLLECTIONS = '#tree .node.collection[aria-expanded="false"]';
  webclient.openFolderIds = function () { return ids(OPEN_FOLDERS, "folderId").join(","); };
  webclient.closedCollectionIds = function () { return ids(CLOSED_COLLECTIONS, "collectionId").join(","); };

  function saveState() {
    var root = tree();
    if (!root || !root.dataset.workspaceId) return;
    var opened = ids(OPEN_FOLDERS, "folderId").slice(0, 200).join(".");
    var closed = ids(CLOSED_COLLECTIONS, "collectionId").join(".");
    document.cookie = "tree-" + root.dataset.workspaceId + "=" + opened + "~" + closed +
      "; path=/; max-age=31536000; SameSite=Lax";
  }
  // A node's children load on its first opening.
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
    root.querySelectorAll('.node[aria-expanded="true"][data-children-url]:not([data-children-requested])').forEach(function (node) {
      var slot = node.querySelector(":scope > .children");
      if (!slot) return;
      if (seen) seen.observe(slot); else loadChildren(node);
    });
  }

  function isExpanded(node) { return node.getAttribute("aria-expanded") === "true"; }
  function setExpanded(node, open) {
    if (isExpanded(node) === open) return;
    node.setAttribute("aria-expanded", open ? "true" : "false");
    if (open) loadChildren(node);
    saveState();
  }

  // ------------------------------------------------------------------ keyboard (WAI-ARIA tree pattern)
  // One Tab stop for the tree: the active item (tabindex 0) and the buttons of its own row;
  // arrows, Home and End move between the rows on screen, Right/Left open and close.
  var activeKey = null;  // "folder:12", "request:7"…: the active item, found again after the tree is reloaded
  var refocus = false;   // the tree had the focus when it was swapped out: give it back
  var focusAt = null;    // "Show more" chosen by keyboard: the position of the row to focus once it is replaced

  function keyOf(item) {
    var data = item.dataset;
    if (data.collectionId) return "collection:" + data.collectionId;
    if (data.folderId) return "folder:" + data.folderId;
    if (data.requestId) return "request:" + data.requestId;
    return null;
  }
  function rowOf(item) { return item.classList.contains("node") ? item.querySelector(":scope > .item") : item; }
  function rowControls(item) {
    var row = rowOf(item);
    return row ? row.querySelectorAll(".item-actions button, .item-actions summary") : [];
  }
  function visibleItems() {
    var root = tree();
    if (!root) return [];
    return Array.prototype.filter.call(root.querySelectorAll('[role="treeitem"]'), function (item) {
      return !item.parentElement.closest('.node[aria-expanded="false"]');
    });
  }
  function setActive(item, focus) {
    var root = tree();
    if (!root || !item) return;
    root.querySelectorAll('[role="treeitem"][tabindex="0"]').forEach(function (other) {
      if (other === item) return;
      other.tabIndex = -1;
      rowControls(other).forEach(function (control) { control.tabIndex = -1; });
    });
    item.tabIndex = 0;
    rowControls(item).forEach(function (control) { control.tabIndex = 0; });
    activeKey = keyOf(item) || activeKey;
    if (!focus) return;
    item.focus({ preventScroll: true });  // a node's box holds its children: scroll to its row alone
    rowOf(item).scrollIntoView({ block: "nearest" });
  }
  function initRoving() {
    var root = tree();
    if (!root || root.querySelector('[role="treeitem"][tabindex="0"]')) return;
    var items = visibleItems();
    var remembered = activeKey && items.filter(function (item) { return keyOf(item) === activeKey; })[0];
    var item = remembered || root.querySelector('.item.request[aria-current="page"]') || items[0];
    if (item && item.parentElement.closest('.node[aria-expanded="false"]')) item = items[0];
    setActive(item, refocus && (document.activeElement === document.body || !document.activeElement));
    refocus = false;
  }
  function focusShown() {
    if (focusAt === null) return;
    var items = visibleItems();
    setActive(items[focusAt] || items[items.length - 1], true);
    focusAt = null;
  }
  function activate(item) {
    if (item.classList.contains("node")) setExpanded(item, !isExpanded(item));
    else if (item.classList.contains("tree-more")) {
      focusAt = visibleItems().indexOf(item);  // it is replaced by the items it brings: focus the first
      item.click();
    } else {
      var link = item.querySelector(".item-link");
      if (link) link.click();
    }
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || !event.target.closest) return;
    var item = event.target.matches('[role="treeitem"]') ? event.target
      : event.target.matches("#tree .item-link") ? event.target.closest('[role="treeitem"]') : null;
    if (!item || !item.closest("#tree")) return;
    var items = visibleItems(), at = items.indexOf(item), next = null;
    var node = item.classList.contains("node") ? item : null;
    switch (event.key) {
      case "ArrowDown": next = items[at + 1]; break;
      case "ArrowUp": next = items[at - 1]; break;
      case "Home": next = items[0]; break;
      case "End": next = items[items.length - 1]; break;
      case "ArrowRight":
        if (node && !isExpanded(node)) setExpanded(node, true);
        else if (node) next = node.querySelector(':scope > .children [role="treeitem"]');
        break;
      case "ArrowLeft":
        if (node && isExpanded(node)) setExpanded(node, false);
        else next = item.parentElement.closest('[role="treeitem"]');
        break;
      case "Enter": case " ":
        activate(item);
        break;
      default: return;
    }
    event.preventDefault();
    if (next) setActive(next, true);
  });
  // A click on a collection's or folder's row (not on its buttons) opens or closes it.
  document.addEventListener("click", function (event) {
    var row = event.target.closest && event.target.closest("#tree .node > .item");
    if (!row || event.target.closest(".item-actions")) return;
    var node = row.parentElement;
    setExpanded(node, !isExpanded(node));
    setActive(node, false);
    node.focus({ preventScroll: true });
  });
  document.addEventListener("focusin", function (event) {
    var item = event.target.closest && event.target.closest('#tree [role="treeitem"]');
    if (item) setActive(item, false);
  });
  document.addEventListener("htmx:beforeSwap", function (event) {
    var root = tree();
    if (root && event.detail.target === root) refocus = root.contains(document.activeElement);
  });
  function settle() { watchOpenEmpty(); initRoving(); focusShown(); }
  document.addEventListener("DOMContentLoaded", settle);
  document.addEventListener("htmx:afterSettle", settle);

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
