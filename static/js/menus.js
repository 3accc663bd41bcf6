// Menus: every ⋯ row menu (details.item-menu) and topbar menu (details.menu) behaves as a menu
// button (WAI-ARIA): ArrowDown/ArrowUp on the button open the menu on its first/last entry,
// arrows, Home and End move between the entries, Escape closes it and gives the focus back to the
// button, and it closes when the focus leaves it (Tab, a click elsewhere) or another menu opens.
// The sidebar's layout.js closes the menus in the sidebar when it hides it (webclient.closeMenus).
// The keys are handled here before any other listener sees them: the tree's own arrow keys
// (tree.js) must not move between rows while a menu has the focus.
(function () {
  "use strict";
  var webclient = (window.webclient = window.webclient || {});
  var MENU = "details.menu, details.item-menu";
  var ENTRY = "a[href], button:not([disabled])";

  function entries(menu) {
    var list = menu.querySelector(":scope > .menu-items");
    return list ? Array.prototype.slice.call(list.querySelectorAll(ENTRY)) : [];
  }

  function close(menu, refocus) {
    if (!menu.open) return;
    menu.open = false;
    if (refocus) menu.querySelector(":scope > summary").focus();
  }

  // Close every open menu under `root` (the document by default) but `keep` and its ancestors.
  function closeMenus(root, keep) {
    (root || document).querySelectorAll("details[open]").forEach(function (menu) {
      if (menu.matches(MENU) && !(keep && menu.contains(keep))) close(menu, false);
    });
  }
  webclient.closeMenus = closeMenus;

  // A topbar menu opened near the window's edge is moved back inside it (a phone's wrapped topbar
  // put the Team menu's left edge near the right one, its entries past the page's right edge).
  // The tree's row menus have their own placement (app.css: hung from the row, a sheet on a phone).
  function keepInView(menu) {
    var list = menu.querySelector(":scope > .menu-items");
    if (!list) return;
    // a row menu scrolls the tree's own scroll area, not the window, so its last entries
    // (Delete) are not below the fold
    if (menu.matches(".item-menu")) { list.scrollIntoView({ block: "nearest", inline: "nearest" }); return; }
    list.style.left = list.style.right = "";
    var width = document.documentElement.clientWidth, box = list.getBoundingClientRect();
    var anchor = menu.getBoundingClientRect();
    if (box.right > width - 4) { list.style.left = "auto"; list.style.right = "0"; box = list.getBoundingClientRect(); }
    if (box.left < 4) { list.style.right = "auto"; list.style.left = (4 - anchor.left) + "px"; }
  }

  var openedByKey = null;  // "first" or "last": the entry to focus once the menu the keys opened shows

  document.addEventListener("toggle", function (event) {
    var menu = event.target;
    if (!menu.matches || !menu.matches(MENU) || !menu.open) return;
    closeMenus(document, menu);
    keepInView(menu);
    var all = entries(menu), want = openedByKey;
    openedByKey = null;
    if (want && all.length) (want === "last" ? all[all.length - 1] : all[0]).focus();
  }, true);

  window.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || !event.target.closest) return;
    var menu = event.target.closest(MENU);
    if (!menu) return;
    var summary = menu.querySelector(":scope > summary");
    var onSummary = event.target === summary;
    var all = entries(menu), at = all.indexOf(event.target), next = null;
    if (!onSummary && at < 0) return;  // a field inside a menu keeps its keys
    switch (event.key) {
      case "Escape":
        if (!menu.open) return;
        close(menu, true);
        break;
      case "ArrowDown": case "ArrowUp":
        if (onSummary) {
          var first = event.key === "ArrowDown" ? "first" : "last";
          if (menu.open) next = first === "first" ? all[0] : all[all.length - 1];
          else { openedByKey = first; menu.open = true; }
        } else {
          next = all[(at + (event.key === "ArrowDown" ? 1 : all.length - 1)) % all.length];
        }
        break;
      case "Home": case "End":
        if (onSummary || !menu.open) return;
        next = event.key === "Home" ? all[0] : all[all.length - 1];
        break;
      case "Enter": case " ":
        // on the button: open with the focus on the first entry (Enter and Space click a summary)
        if (!onSummary || menu.open) return;
        openedByKey = "first";
        return;
      default:
        return;
    }
    event.preventDefault();
    event.stopPropagation();  // not the tree's arrows, nor Escape's "cancel the send"
    if (next) next.focus();
  }, true);

  // The focus leaving an open menu (Tab past its last entry, a click elsewhere) closes it.
  document.addEventListener("focusout", function (event) {
    var menu = event.target.closest && event.target.closest(MENU);
    if (!menu || !menu.open) return;
    var to = event.relatedTarget;
    if (to && menu.contains(to)) return;
    setTimeout(function () { if (!menu.contains(document.activeElement)) close(menu, false); }, 0);
  });
  // A press on a menu's padding or separator keeps the focus in the menu (the tree row around a
  // row menu is focusable: it would take the focus, and the menu would close under the pointer).
  document.addEventListener("mousedown", function (event) {
    var list = event.target.closest && event.target.closest(".menu-items");
    if (list && !event.target.closest(ENTRY + ", input, select, textarea, label")) event.preventDefault();
  });
  // A click elsewhere closes the open menus; an entry chosen closes its own, the focus going back
  // to its button (where a dialog the entry opened returns it when it closes).
  document.addEventListener("click", function (event) {
    if (!event.target.closest) return;
    var entry = event.target.closest(".menu-items a, .menu-items button");
    var menu = event.target.closest(MENU);
    closeMenus(document, entry ? null : menu);
    if (entry && menu && document.activeElement === entry) menu.querySelector(":scope > summary").focus();
  });
  // A window made narrower or wider (a phone turned, the topbar re-wrapped) leaves no menu hanging
  // where it was; a height change alone (a phone's toolbar sliding away) keeps them.
  var lastWidth = window.innerWidth;
  window.addEventListener("resize", function () {
    if (window.innerWidth !== lastWidth) closeMenus(document);
    lastWidth = window.innerWidth;
  });
})();
