// Layout: the sidebar hides and shows (the ☰ button, Ctrl+\) and is resized by dragging or with
// arrow keys on its edge; the request/response split likewise. Sizes and the hidden state are
// remembered (localStorage). On a phone the sidebar starts hidden behind the button, and the
// response is scrolled into view when it arrives.
(function () {
  "use strict";
  var KEY = "webclient-layout";
  var NARROW = "(max-width: 900px)";

  function saved() { try { return JSON.parse(localStorage.getItem(KEY)) || {}; } catch (e) { return {}; } }
  function remember(change) {
    var all = saved();
    Object.keys(change).forEach(function (k) { all[k] = change[k]; });
    try { localStorage.setItem(KEY, JSON.stringify(all)); } catch (e) { /* private mode: not remembered */ }
  }
  function narrow() { return matchMedia(NARROW).matches; }

  function setSidebar(open, keep) {
    var layout = document.querySelector(".layout");
    var toggle = document.getElementById("sidebar-toggle");
    if (!layout || !toggle) return;
    layout.classList.toggle("sidebar-hidden", !open);
    // a row menu left open must not wait, hidden, to reappear (or keep its box) when the sidebar comes back
    if (!open && window.webclient && window.webclient.closeMenus) window.webclient.closeMenus(document.getElementById("sidebar"));
    toggle.setAttribute("aria-expanded", String(open));
    if (keep && !narrow()) remember({ sidebarHidden: !open });
  }

  function sidebarOpen() {
    var layout = document.querySelector(".layout");
    return layout && !layout.classList.contains("sidebar-hidden");
  }

  function applySizes() {
    var s = saved(), layout = document.querySelector(".layout"), work = document.getElementById("work");
    if (layout && s.sidebarWidth) layout.style.setProperty("--sidebar-width", s.sidebarWidth + "px");
    if (work && s.editorShare) work.style.setProperty("--editor-share", s.editorShare + "%");
    updateValues();
  }

  function updateValues() {
    var side = document.getElementById("sidebar-resizer"), split = document.getElementById("split-resizer");
    var sidebar = document.querySelector(".sidebar"), editor = document.getElementById("editor"), work = document.getElementById("work");
    if (side && sidebar) side.setAttribute("aria-valuenow", String(Math.round(sidebar.getBoundingClientRect().width)));
    if (split && editor && work && work.clientHeight) split.setAttribute("aria-valuenow", String(Math.round(100 * editor.getBoundingClientRect().height / work.clientHeight)));
  }

  function sizeSidebar(px) {
    var width = Math.max(180, Math.min(Math.round(px), Math.round(window.innerWidth * 0.6)));
    document.querySelector(".layout").style.setProperty("--sidebar-width", width + "px");
    remember({ sidebarWidth: width });
    updateValues();
  }

  function sizeSplit(percent) {
    var share = Math.max(15, Math.min(Math.round(percent), 85));
    document.getElementById("work").style.setProperty("--editor-share", share + "%");
    remember({ editorShare: share });
    updateValues();
  }

  function drag(handle, onMove) {
    handle.addEventListener("pointerdown", function (event) {
      if (event.button !== 0) return;
      event.preventDefault();
      handle.setPointerCapture(event.pointerId);
      document.body.classList.add("is-resizing");
      var move = function (e) { onMove(e); };
      var up = function () {
        handle.removeEventListener("pointermove", move);
        handle.removeEventListener("pointerup", up);
        document.body.classList.remove("is-resizing");
      };
      handle.addEventListener("pointermove", move);
      handle.addEventListener("pointerup", up);
    });
  }

  function init() {
    if (!document.getElementById("sidebar-toggle")) return;
    applySizes();
    setSidebar(narrow() ? false : !saved().sidebarHidden, false);
    var side = document.getElementById("sidebar-resizer");
    var split = document.getElementById("split-resizer");
    var layout = document.querySelector(".layout");
    var work = document.getElementById("work");
    if (side) drag(side, function (e) { sizeSidebar(e.clientX - layout.getBoundingClientRect().left); });
    if (split) drag(split, function (e) {
      var box = work.getBoundingClientRect(), top = document.getElementById("editor").getBoundingClientRect().top;
      sizeSplit(100 * (e.clientY - top) / (box.bottom - top));
    });
  }

  document.addEventListener("keydown", function (event) {
    var handle = event.target.closest && event.target.closest("#sidebar-resizer, #split-resizer");
    if (handle) {
      var step = event.shiftKey ? 10 : 3;
      var now = Number(handle.getAttribute("aria-valuenow")) || 0;
      var keys = handle.id === "sidebar-resizer" ? { ArrowLeft: -1, ArrowRight: 1 } : { ArrowUp: -1, ArrowDown: 1 };
      if (keys[event.key]) {
        event.preventDefault();
        if (handle.id === "sidebar-resizer") sizeSidebar(now + keys[event.key] * step * 8);
        else sizeSplit(now + keys[event.key] * step);
      }
      return;
    }
    if ((event.ctrlKey || event.metaKey) && event.key === "\\") {
      event.preventDefault();
      setSidebar(!sidebarOpen(), true);
    }
  });

  document.addEventListener("click", function (event) {
    if (event.target.closest && event.target.closest("#sidebar-toggle")) { setSidebar(!sidebarOpen(), true); return; }
    // On a phone, opening something from the sidebar hides it again to show the editor.
    if (narrow() && sidebarOpen() && event.target.closest && event.target.closest(".sidebar .item-link")) setSidebar(false, false);
  });

  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail && event.detail.target;
    if (target && target.id === "response" && narrow() && !(event.detail.fromTab)) {
      target.scrollIntoView({ block: "start", behavior: "smooth" });
    }
  });

  window.addEventListener("resize", updateValues);
  document.addEventListener("DOMContentLoaded", init);
})();
