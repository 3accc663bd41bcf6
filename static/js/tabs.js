// Request tabs: several requests open at once, each keeping its unsaved edits and its last
// response, restored after a reload. A tab's state is the editor and response panes as they
// stand (field values written into the markup), kept in sessionStorage per workspace and
// swapped back in with htmx.swap, so every pane behaviour re-binds as after any htmx swap.
// Middle-click or × closes a tab (asking first when it has unsaved edits), "Close others"
// keeps only the current one; ● marks unsaved edits. Keys: Alt+T new, Alt+W close,
// Alt+PageDown / Alt+PageUp next / previous (listed in the shortcut sheet).
(function () {
  "use strict";
  var webclient = (window.webclient = window.webclient || {});
  var RESPONSE_LIMIT = 400000;  // characters of response markup kept per tab (storage is ~5 MB)
  var MAX_TABS = 20;
  var strip, state;
  var restoring = false;  // while a tab's panes are swapped back in, their events are not edits

  function storageKey() { return "webclient-tabs:" + strip.dataset.workspace; }

  function load() {
    try { return JSON.parse(sessionStorage.getItem(storageKey())) || { tabs: [] }; } catch (e) { return { tabs: [] }; }
  }

  function persist() {
    try { sessionStorage.setItem(storageKey(), JSON.stringify(state)); }
    catch (e) {
      // Over quota: drop the largest kept responses, never the edits.
      state.tabs.slice().sort(function (a, b) { return (b.response || "").length - (a.response || "").length; })
        .slice(0, 3).forEach(function (t) { t.response = droppedResponse(); });
      try { sessionStorage.setItem(storageKey(), JSON.stringify(state)); } catch (ignored) { /* keep going in memory */ }
    }
  }

  function droppedResponse() {
    return '<div class="empty response-empty"><p class="empty-title">Response not kept</p><p>This tab\'s last response ' +
      "was too large to keep across a reload. Send again, or open it from History.</p></div>";
  }

  function active() {
    return state.tabs.filter(function (t) { return t.key === state.active; })[0] || null;
  }

  function newKey() { return "t" + Date.now().toString(36) + Math.random().toString(36).slice(2, 6); }

  // The markup of a pane with what is typed written into it, without the editors' own layers.
  function snapshotOf(container) {
    if (window.CodeMirror) container.querySelectorAll("textarea[data-code-editor]").forEach(function (t) { if (t.codeMirror) t.codeMirror.save(); });
    var clone = container.cloneNode(true);
    var from = container.querySelectorAll("input, textarea, select");
    var to = clone.querySelectorAll("input, textarea, select");
    Array.prototype.forEach.call(from, function (src, i) {
      var dst = to[i];
      if (src.tagName === "TEXTAREA") dst.textContent = src.value;
      else if (src.tagName === "SELECT") Array.prototype.forEach.call(src.options, function (o, j) { dst.options[j].toggleAttribute("selected", o.selected); });
      else if (src.type === "checkbox" || src.type === "radio") dst.toggleAttribute("checked", src.checked);
      else if (src.type !== "file") dst.setAttribute("value", src.value);
    });
    clone.querySelectorAll(".CodeMirror, .var-overlay, .json-warning, .busy-overlay ~ .busy-overlay").forEach(function (el) { el.remove(); });
    if (window.webclient && webclient.forgetChosenFiles) webclient.forgetChosenFiles(clone);  // a snapshot holds no files
    clone.querySelectorAll("textarea[data-code-editor]").forEach(function (t) { t.removeAttribute("style"); });
    return clone.innerHTML;
  }

  function describe(tab) {
    var form = document.getElementById("request-form");
    if (!form) return;
    var saved = form.querySelector('[name="saved_request"]');
    var name = document.getElementById("request-name");
    tab.savedId = saved ? saved.value : (form.dataset.savedRequest || "");
    tab.name = name ? name.textContent.trim() : "Untitled request";
    tab.method = form.elements.method ? (form.elements.method.value === "__custom__" ? (form.elements.method_custom.value || "CUSTOM") : form.elements.method.value) : "";
    tab.address = form.elements.url ? form.elements.url.value : "";
    tab.dirty = form.dataset.dirty === "1";
    tab.url = location.pathname + location.search;
  }

  function capture(tab) {
    if (!tab) return;
    describe(tab);
    tab.editor = snapshotOf(document.getElementById("editor"));
    var response = snapshotOf(document.getElementById("response"));
    tab.response = response.length > RESPONSE_LIMIT ? droppedResponse() : response;
  }

  function captureActive() { capture(active()); persist(); }

  function swapInto(id, html) {
    var target = document.getElementById(id);
    if (!html || !target) return;
    // eventInfo: the swap events carry their target, as after a request's swap
    htmx.swap(target, html, { swapStyle: "innerHTML" }, { eventInfo: { target: target, elt: target, fromTab: true } });
  }

  function restore(tab) {
    var urlFocused = document.activeElement && document.activeElement.id === "url";
    restoring = true;
    try {
      swapInto("editor", tab.editor);
      if (webclient.setDirty) webclient.setDirty(!!tab.dirty);
      swapInto("response", tab.response);
    } finally { restoring = false; }
    if (tab.url && tab.url !== location.pathname + location.search) history.replaceState(history.state, "", tab.url);
    if (urlFocused && document.getElementById("url")) document.getElementById("url").focus();
    document.title = (tab.name || "Untitled request") + " · " + document.title.split(" · ").slice(-2).join(" · ");
  }

  function activate(key) {
    if (key === state.active) return;
    captureActive();
    state.active = key;
    restore(active());
    persist();
    render();
  }

  function isBlank(tab) { return tab && !tab.savedId && !tab.dirty && !tab.address && /\/w\/\d+\/$/.test(tab.url || ""); }

  function close(key) {
    var tab = state.tabs.filter(function (t) { return t.key === key; })[0];
    if (!tab) return;
    if (key === state.active) describe(tab);
    if (tab.dirty && !confirm("Close “" + (tab.name || "Untitled request") + "”? Its unsaved changes will be lost.")) return;
    var at = state.tabs.indexOf(tab);
    state.tabs.splice(at, 1);
    if (!state.tabs.length) { state.active = null; persist(); location.assign(strip.dataset.workspaceUrl); return; }
    if (key === state.active) {
      state.active = state.tabs[Math.min(at, state.tabs.length - 1)].key;
      restore(active());
    }
    persist();
    render();
  }

  function closeOthers() {
    captureActive();
    var others = state.tabs.filter(function (t) { return t.key !== state.active; });
    var dirty = others.filter(function (t) { return t.dirty; });
    if (dirty.length && !confirm(dirty.length + (dirty.length === 1 ? " other tab has" : " other tabs have") + " unsaved changes that will be lost. Close the other tabs anyway?")) return;
    state.tabs = state.tabs.filter(function (t) { return t.key === state.active; });
    persist();
    render();
  }

  // A new, empty request in a new tab, without leaving the page (nothing to warn about).
  function openNew() {
    htmx.ajax("GET", strip.dataset.workspaceUrl, { target: "#editor", swap: "innerHTML" }).then(function () {
      if (location.pathname !== strip.dataset.workspaceUrl) history.replaceState(history.state, "", strip.dataset.workspaceUrl);
      var tab = active();
      if (tab) { tab.url = strip.dataset.workspaceUrl; persist(); }
    });
  }

  // A tab's method, name and ● (with words for screen readers), in its tab or in "⌄ n more".
  function appendLabel(element, tab) {
    var method = document.createElement("span");
    method.className = "rtab-method method-" + String(tab.method || "").toLowerCase();
    method.textContent = tab.method || "";
    var name = document.createElement("span");
    name.className = "rtab-name";
    name.textContent = tab.name || "Untitled request";
    element.append(method, name);
    if (!tab.dirty) return;
    var mark = document.createElement("span");
    mark.className = "dirty-mark";
    mark.textContent = "●";
    var said = document.createElement("span");
    said.className = "sr-only";
    said.textContent = " (unsaved changes)";
    element.append(mark, said);
  }

  function render() {
    var list = strip.querySelector('[role="tablist"]');
    list.innerHTML = "";
    state.tabs.forEach(function (tab) {
      var selected = tab.key === state.active;
      var wrap = document.createElement("div");
      wrap.className = "rtab" + (selected ? " is-active" : "");
      wrap.setAttribute("role", "presentation");
      wrap.dataset.key = tab.key;
      var button = document.createElement("button");
      button.type = "button";
      button.setAttribute("role", "tab");
      button.setAttribute("aria-selected", String(selected));
      button.tabIndex = selected ? 0 : -1;
      button.className = "rtab-button";
      button.title = (tab.method || "") + " " + (tab.address || "") + (tab.dirty ? " — unsaved changes" : "");
      appendLabel(button, tab);
      var closeButton = document.createElement("span");
      closeButton.className = "rtab-close";
      closeButton.dataset.closeTab = tab.key;
      closeButton.setAttribute("aria-hidden", "true");  // keyboard: Alt+W or Delete on the tab
      closeButton.title = "Close (Alt+W, middle-click)";
      closeButton.textContent = "×";
      wrap.append(button, closeButton);
      list.append(wrap);
    });
    renderMore();
    reveal();
  }

  // ---------------------------------------------------------------- overflow
  // More tabs than the strip holds: it scrolls sideways, faded at the edge where tabs are hidden,
  // and "⌄ n more" lists every open tab with its ● (a dirty tab may be out of sight).
  function tabList() { return strip.querySelector(".rtab-list"); }

  // The active tab whole in view, the list alone scrolled (scrollIntoView also scrolled the page
  // itself sideways, leaving it shifted after a layout change).
  function reveal() {
    var list = tabList();
    if (webclient.scrollIntoStrip) webclient.scrollIntoStrip(list, list.querySelector(".is-active"));
    updateHints();
  }

  function hiddenTabs() {
    var list = tabList(), from = list.scrollLeft, to = from + list.clientWidth;
    return Array.prototype.filter.call(list.querySelectorAll(".rtab"), function (wrap) {
      return wrap.offsetLeft < from - 1 || wrap.offsetLeft + wrap.offsetWidth > to + 1;
    });
  }

  function updateHints() {
    var list = tabList(), more = strip.querySelector(".rtab-more");
    var overflows = list.scrollWidth > list.clientWidth + 1;
    strip.classList.toggle("more-before", overflows && list.scrollLeft > 1);
    strip.classList.toggle("more-after", overflows && list.scrollLeft + list.clientWidth < list.scrollWidth - 1);
    if (!more) return;
    var hidden = overflows ? hiddenTabs() : [];
    if (!hidden.length && more.open) more.open = false;
    more.hidden = !hidden.length;
    more.querySelector(".rtab-more-count").textContent = String(hidden.length);
    var keys = hidden.map(function (wrap) { return wrap.dataset.key; });
    more.querySelector(".rtab-more-dirty").hidden = !state.tabs.some(function (t) { return t.dirty && keys.indexOf(t.key) >= 0; });
  }

  function renderMore() {
    var items = strip.querySelector(".rtab-more-items");
    if (!items) return;
    items.innerHTML = "";
    state.tabs.forEach(function (tab) {
      var entry = document.createElement("button");
      entry.type = "button";
      entry.dataset.showTab = tab.key;
      entry.className = tab.key === state.active ? "is-active" : "";
      if (tab.key === state.active) entry.setAttribute("aria-current", "true");
      appendLabel(entry, tab);
      items.append(entry);
    });
  }

  function init() {
    strip = document.getElementById("request-tabs");
    if (!strip || !document.getElementById("request-form")) return;
    state = load();
    var form = document.getElementById("request-form");
    var pageSaved = form.dataset.savedRequest || "";
    var pageUrl = location.pathname + location.search;
    var fromPage = function () { var t = { key: newKey() }; capture(t); return t; };
    var current = active();
    if (!state.tabs.length) {
      var t = fromPage();
      state.tabs.push(t);
      state.active = t.key;
    } else if (pageSaved || !/\/w\/\d+\/$/.test(location.pathname)) {
      // The address names a request (or history entry): its tab, or a new one.
      var match = current && (current.url === pageUrl || (pageSaved && current.savedId === pageSaved)) ? current :
        state.tabs.filter(function (t) { return t.url === pageUrl || (pageSaved && t.savedId === pageSaved); })[0];
      if (match) { state.active = match.key; restore(match); }
      else { var opened = fromPage(); state.tabs.push(opened); state.active = opened.key; }
    } else if (current) {
      restore(current);
    } else {
      state.active = state.tabs[0].key;
      restore(active());
    }
    trim();
    persist();
    render();
    tabList().addEventListener("scroll", updateHints, { passive: true });
    // the strip's width changes with the window, the sidebar, its resizer: the active tab stays in view
    if (window.ResizeObserver) new ResizeObserver(function () { if (state) reveal(); }).observe(tabList());
    else window.addEventListener("resize", function () { if (state) reveal(); });
  }

  function trim() {
    while (state.tabs.length > MAX_TABS) {
      var victim = state.tabs.filter(function (t) { return !t.dirty && t.key !== state.active; })[0];
      if (!victim) break;
      state.tabs.splice(state.tabs.indexOf(victim), 1);
    }
  }

  // ---------------------------------------------------------------- events
  var saveTimer = null;
  function soon() {
    clearTimeout(saveTimer);
    saveTimer = setTimeout(function () { if (state) { captureActive(); render(); } }, 300);
  }

  document.addEventListener("input", function (event) { if (state && event.target.closest && event.target.closest("#editor")) soon(); });
  document.addEventListener("change", function (event) { if (state && event.target.closest && event.target.closest("#editor")) soon(); });
  document.addEventListener("request-saved", function () { if (state) soon(); });

  var opening = false, replacing = false;
  document.addEventListener("htmx:beforeRequest", function (event) {
    if (!state || !event.detail.target || event.detail.target.id !== "editor") return;
    var path = event.detail.requestConfig && event.detail.requestConfig.path || "";
    var m = /\/requests\/(\d+)\/$/.exec(path);
    var open = m && state.tabs.filter(function (t) { return t.savedId === m[1]; })[0];
    if (open && open.key !== state.active) {
      event.preventDefault();  // already open: go to its tab, with whatever it holds
      activate(open.key);
      return;
    }
    clearTimeout(saveTimer);  // a pending capture must not fire mid-swap and file the new request under this tab
    captureActive();
    // the current request again (e.g. "Reload theirs" after a conflict): its own tab, refreshed
    replacing = !!open;
    opening = !open;
  });

  // Edits stay in their tab, so opening something else loses nothing: no "leave your edits?"
  // question from the unsaved-edits guard (which listens on document; this runs first).
  window.addEventListener("htmx:confirm", function (event) {
    var target = event.detail && event.detail.target;
    if (state && target && target.id === "editor" && !(event.detail.elt && event.detail.elt.closest && event.detail.elt.closest("[data-discards-edits]"))) {
      event.stopImmediatePropagation();
    }
  }, true);

  // A request for the editor that failed swaps nothing: no tab is being opened any more.
  document.addEventListener("htmx:afterRequest", function (event) {
    if (!event.detail.successful && event.detail.target && event.detail.target.id === "editor") opening = replacing = false;
  });

  document.addEventListener("htmx:afterSettle", function (event) {
    if (!state) return;
    var target = event.detail.target;
    if (target && target.id === "editor" && replacing) {
      replacing = false;
      captureActive();
      render();
    } else if (target && target.id === "editor" && opening) {
      opening = false;
      var current = active();
      if (isBlank(current)) { capture(current); }
      else { var tab = { key: newKey() }; capture(tab); state.tabs.push(tab); state.active = tab.key; }
      trim();
      persist();
      render();
    } else if (!opening && !restoring && target && (target.id === "response" || target.id === "editor-head")) {
      captureActive();
      render();
    }
  });

  document.addEventListener("click", function (event) {
    if (!state) return;
    var closer = event.target.closest("[data-close-tab]");
    if (closer) { close(closer.dataset.closeTab); return; }
    if (event.target.closest("[data-close-other-tabs]")) { closeOthers(); return; }
    var listed = event.target.closest("[data-show-tab]");
    if (listed) { activate(listed.dataset.showTab); return; }
    var tab = event.target.closest("#request-tabs [role=tab]");
    if (tab) activate(tab.closest(".rtab").dataset.key);
  });

  // "New" and "+" open a new tab in place; this runs before any document-level link guard.
  window.addEventListener("click", function (event) {
    if (!state || event.button !== 0 || !(event.target.closest && event.target.closest("[data-new-tab]"))) return;
    event.preventDefault();
    event.stopImmediatePropagation();
    openNew();
  }, true);

  // Middle-click closes, as in browsers and every peer.
  document.addEventListener("auxclick", function (event) {
    var wrap = state && event.button === 1 && event.target.closest && event.target.closest("#request-tabs .rtab");
    if (wrap) { event.preventDefault(); close(wrap.dataset.key); }
  });
  document.addEventListener("mousedown", function (event) {
    if (event.button === 1 && event.target.closest && event.target.closest("#request-tabs .rtab")) event.preventDefault();  // no autoscroll
  });

  document.addEventListener("keydown", function (event) {
    if (!state) return;
    var onTab = event.target.closest && event.target.closest("#request-tabs [role=tab]");
    if (onTab && event.key === "Delete") { event.preventDefault(); close(onTab.closest(".rtab").dataset.key); return; }
    if (!event.altKey || event.ctrlKey || event.metaKey) return;
    var key = event.key.toLowerCase();
    var at = state.tabs.indexOf(active());
    if (key === "t" || event.code === "KeyT") { event.preventDefault(); openNew(); }
    else if (key === "w" || event.code === "KeyW") { event.preventDefault(); close(state.active); }
    else if (event.key === "PageDown") { event.preventDefault(); activate(state.tabs[(at + 1) % state.tabs.length].key); }
    else if (event.key === "PageUp") { event.preventDefault(); activate(state.tabs[(at - 1 + state.tabs.length) % state.tabs.length].key); }
  });

  window.addEventListener("pagehide", function () { if (state) captureActive(); });
  document.addEventListener("htmx:historyRestore", function () { state = null; init(); });
  document.addEventListener("DOMContentLoaded", function () { setTimeout(init, 0); });
})();
