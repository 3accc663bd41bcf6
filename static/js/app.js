// webclient page behaviour that htmx attributes can't express: tabs, editor tables, the
// URL <-> Params sync, {{variable}} highlighting, keyboard shortcuts, dialogs, theme, copy.
// No build step, no framework; everything re-binds on htmx:load for swapped content.
(function () {
  "use strict";
  var webclient = (window.webclient = window.webclient || {});

  // ------------------------------------------------------------------ theme
  function toggleTheme() {
    var root = document.documentElement;
    var dark = root.dataset.theme ? root.dataset.theme === "dark" : matchMedia("(prefers-color-scheme: dark)").matches;
    root.dataset.theme = dark ? "light" : "dark";
    localStorage.setItem("webclient-theme", root.dataset.theme);
  }

  // ------------------------------------------------------------------ tabs
  function selectTab(tab) {
    var list = tab.closest('[role="tablist"]');
    list.querySelectorAll('[role="tab"]').forEach(function (other) {
      var selected = other === tab;
      other.setAttribute("aria-selected", String(selected));
      var panel = document.getElementById(other.getAttribute("aria-controls"));
      if (panel) panel.hidden = !selected;
    });
    if (list.id) sessionStorage.setItem("tab:" + list.id, tab.id);
    // a strip wider than the window scrolls sideways (phones): keep the chosen tab in sight
    if (webclient.scrollIntoStrip) webclient.scrollIntoStrip(list, tab);
  }

  // ------------------------------------------------------------------ show-if panels
  function syncPanels(root) {
    root.querySelectorAll("[data-show-if]").forEach(function (el) {
      var rule = el.dataset.showIf.split("=");
      var form = el.closest("form");
      var control = form && form.elements[rule[0]];
      var value = control ? control.value : "";
      el.hidden = rule[1].split("|").indexOf(value) < 0;
    });
  }

  // ------------------------------------------------------------------ key/value tables
  function nextIndex(table) {
    var highest = -1;
    table.querySelectorAll("input[name]").forEach(function (input) {
      var m = /-(\d+)-/.exec(input.name);
      if (m) highest = Math.max(highest, Number(m[1]));
    });
    return highest + 1;
  }

  function addRow(table) {
    var template = table.querySelector("template");
    if (!template) return null;
    var html = template.innerHTML.replace(/__i__/g, String(nextIndex(table)));
    var body = table.tBodies[0];
    body.insertAdjacentHTML("beforeend", html);
    var row = body.rows[body.rows.length - 1];
    highlightAll(row);
    return row;
  }

  function rowIsEmpty(row) {
    return Array.prototype.every.call(row.querySelectorAll('input:not([type="checkbox"]):not([type="hidden"])'), function (i) {
      return !i.value;
    });
  }

  function ensureTrailingRow(table) {
    var rows = table.tBodies[0].rows;
    if (!rows.length || !rowIsEmpty(rows[rows.length - 1])) addRow(table);
  }

  function tableRows(table) {
    return Array.prototype.map.call(table.tBodies[0].rows, function (row) {
      var get = function (part) { return row.querySelector('[name$="-' + part + '"]'); };
      return { row: row, enabled: get("enabled"), key: get("key"), value: get("value") };
    });
  }

  function updateCounts(form) {
    if (!form) return;
    form.querySelectorAll("[data-count-for]").forEach(function (badge) {
      var table = form.querySelector('[data-kv-table="' + badge.dataset.countFor + '"]');
      if (!table) return;
      var n = tableRows(table).filter(function (r) { return r.key && r.key.value && r.enabled && r.enabled.checked; }).length;
      badge.textContent = n ? String(n) : "";
    });
  }

  // ------------------------------------------------------------------ URL <-> Params
  // The URL is the truth for enabled params. The table shows them decoded and writes them back
  // encoded as the engine does (params.js); a pair typed in the URL stays as typed until its row changes.
  function splitUrl(url) {
    var hash = url.indexOf("#");
    var fragment = hash >= 0 ? url.slice(hash) : "";
    var rest = hash >= 0 ? url.slice(0, hash) : url;
    var q = rest.indexOf("?");
    return { base: q >= 0 ? rest.slice(0, q) : rest, query: q >= 0 ? rest.slice(q + 1) : null, fragment: fragment };
  }

  function paramsFromUrl(form) {
    var table = form.querySelector('[data-kv-table="params"]');
    var parts = splitUrl(form.elements.url.value);
    var pairs = parts.query ? parts.query.split("&").filter(Boolean) : [];
    var rows = tableRows(table);
    var enabledRows = rows.filter(function (r) { return r.enabled && r.enabled.checked && !rowIsEmpty(r.row); });
    var codec = webclient.params;
    pairs.forEach(function (pair, i) {
      var eq = pair.indexOf("=");
      var key = codec.decode(eq >= 0 ? pair.slice(0, eq) : pair);
      var value = codec.decode(eq >= 0 ? pair.slice(eq + 1) : "");
      var target = enabledRows[i];
      if (!target) {
        var row = addRow(table);
        target = tableRows({ tBodies: [{ rows: [row] }] })[0];
        // the new row must sit before the trailing empty one and stay enabled
      }
      if (target.key.value !== key) target.key.value = key;
      if (target.value.value !== value) target.value.value = value;
      target.row.dataset.rawPair = pair;  // written back as typed while the row says the same
    });
    enabledRows.slice(pairs.length).forEach(function (r) { r.row.remove(); });
    // keep one empty row at the end, and only one
    var all = tableRows(table);
    all.forEach(function (r, i) { if (i < all.length - 1 && rowIsEmpty(r.row)) r.row.remove(); });
    ensureTrailingRow(table);
    highlightAll(table);
    updateCounts(form);
  }

  function urlFromParams(form) {
    var table = form.querySelector('[data-kv-table="params"]');
    var parts = splitUrl(form.elements.url.value);
    var query = tableRows(table)
      .filter(function (r) { return r.enabled && r.enabled.checked && r.key && (r.key.value || r.value.value); })
      .map(function (r) {
        var raw = r.row.dataset.rawPair, codec = webclient.params;
        if (raw !== undefined) {
          var eq = raw.indexOf("=");
          var same = codec.decode(eq >= 0 ? raw.slice(0, eq) : raw) === r.key.value &&
            codec.decode(eq >= 0 ? raw.slice(eq + 1) : "") === r.value.value;
          if (same) return raw;
        }
        var key = codec.encode(r.key.value, true);
        return r.value.value ? key + "=" + codec.encode(r.value.value, false) : key;
      })
      .join("&");
    form.elements.url.value = parts.base + (query ? "?" + query : "") + parts.fragment;
    highlight(form.elements.url);
    updateCounts(form);
  }

  // ------------------------------------------------------------------ {{variables}}
  // An overlay above each [data-vars] field: transparent text, coloured boxes under each
  // {{name}} that take the pointer so their title shows the value and scope.
  var VAR = /\{\{\s*([^{}\s][^{}]*?)\s*\}\}/g;

  function variables() {
    var data = document.getElementById("variables-data");
    try { return data ? JSON.parse(data.textContent) || {} : {}; } catch (e) { return {}; }
  }

  function escapeHtml(text) {
    return text.replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  function highlight(input) {
    if (!input || input.tagName === "TEXTAREA") return;
    var overlay = input.nextElementSibling;
    if (!overlay || !overlay.classList.contains("var-overlay")) {
      overlay = document.createElement("div");
      overlay.className = "var-overlay";
      overlay.setAttribute("aria-hidden", "true");
      input.insertAdjacentElement("afterend", overlay);
      input.parentElement.classList.add("var-host");
      input.addEventListener("scroll", function () { overlay.scrollLeft = input.scrollLeft; });
    }
    var known = variables();
    var text = input.value;
    if (text.indexOf("{{") < 0) { overlay.innerHTML = ""; return; }
    var html = "", last = 0;
    text.replace(VAR, function (match, name, offset) {
      var info = known[name] || (name.charAt(0) === "$" ? { value: "a fresh value at each send", scope: "dynamic" } : null);
      var title = info ? name + " = " + info.value + "  (" + info.scope + ")" : name + ": unknown variable, not set in the environment or collection";
      html += escapeHtml(text.slice(last, offset)) +
        '<span class="var ' + (info ? "var-known" : "var-unknown") + '" title="' + escapeHtml(title) + '">' + escapeHtml(match) + "</span>";
      last = offset + match.length;
      return match;
    });
    overlay.innerHTML = html + escapeHtml(text.slice(last));
    overlay.scrollLeft = input.scrollLeft;
  }

  function highlightAll(root) {
    (root.querySelectorAll ? root : document).querySelectorAll("input[data-vars]").forEach(highlight);
  }
  webclient.highlightAll = highlightAll;

  // ------------------------------------------------------------------ sidebar helpers
  webclient.currentRequestId = function () {
    var form = document.getElementById("request-form");
    return form ? form.dataset.savedRequest || "" : "";
  };

  function markCurrent() {
    var id = webclient.currentRequestId();
    document.querySelectorAll(".item.request").forEach(function (item) {
      var current = item.dataset.requestId === id;
      item.classList.toggle("is-current", current);
      if (current) item.setAttribute("aria-current", "page"); else item.removeAttribute("aria-current");
    });
  }

  function setDirty(dirty) {
    var form = document.getElementById("request-form");
    if (!form) return;
    form.dataset.dirty = dirty ? "1" : "";
    form.querySelectorAll(".editor-head .dirty-mark").forEach(function (m) { m.hidden = !dirty; });
    var id = form.dataset.savedRequest;
    document.querySelectorAll(".item.request .dirty-mark").forEach(function (m) {
      m.hidden = !(dirty && m.closest(".item").dataset.requestId === id);
    });
  }

  webclient.setDirty = setDirty;

  // ------------------------------------------------------------------ search in the body
  function searchBody(input) {
    var panel = input.closest(".body-panel");
    var view = panel.querySelector(".body-view:not([hidden])") || panel.querySelector(".body-view");
    panel.querySelectorAll("mark.hit").forEach(function (m) { m.replaceWith(m.textContent); });
    panel.querySelectorAll(".body-view").forEach(function (v) { v.normalize(); });
    var count = panel.querySelector(".search-count");
    var needle = input.value.toLowerCase();
    if (!needle || !view) { count.textContent = ""; return; }
    var walker = document.createTreeWalker(view, NodeFilter.SHOW_TEXT);
    var nodes = [], node, hits = 0;
    while ((node = walker.nextNode())) nodes.push(node);
    nodes.forEach(function (textNode) {
      var text = textNode.nodeValue, lower = text.toLowerCase(), at = lower.indexOf(needle);
      if (at < 0) return;
      var frag = document.createDocumentFragment(), from = 0;
      while (at >= 0 && hits < 1000) {
        frag.append(text.slice(from, at));
        var mark = document.createElement("mark");
        mark.className = "hit";
        mark.textContent = text.slice(at, at + needle.length);
        frag.append(mark);
        hits++;
        from = at + needle.length;
        at = lower.indexOf(needle, from);
      }
      frag.append(text.slice(from));
      textNode.replaceWith(frag);
    });
    view.querySelectorAll("details").forEach(function (d) { if (d.querySelector("mark.hit")) d.open = true; });
    var first = view.querySelector("mark.hit");
    if (first) first.scrollIntoView({ block: "nearest" });
    count.textContent = hits + (hits === 1 ? " match" : " matches");
  }

  // ------------------------------------------------------------------ dialogs
  function dialog() { return document.getElementById("dialog"); }

  // ------------------------------------------------------------------ events
  document.addEventListener("click", function (event) {
    var target = event.target;
    var tab = target.closest('[role="tab"]');
    if (tab) { selectTab(tab); return; }
    if (target.closest("[data-theme-toggle]")) { toggleTheme(); return; }
    var copy = target.closest("[data-copy]");
    if (copy) {
      var source = document.querySelector(copy.dataset.copy);
      if (source && navigator.clipboard) {
        navigator.clipboard.writeText(source.textContent).then(function () {
          copy.textContent = "Copied";
          setTimeout(function () { copy.textContent = "Copy"; }, 1500);
        });
      }
      return;
    }
    var remove = target.closest("[data-kv-remove]");
    if (remove) {
      var table = remove.closest("table");
      var form = remove.closest("form");
      remove.closest("tr").remove();
      ensureTrailingRow(table);
      if (table.dataset.kvTable === "params") urlFromParams(form);
      updateCounts(form);
      if (form && form.id === "request-form") setDirty(true);
      return;
    }
    if (target.closest("[data-dialog-close]")) { dialog().close(); return; }
    if (target.closest("#cancel-button")) { cancelSend(); return; }
    var varBox = target.closest(".var");
    if (varBox) {
      var host = varBox.closest(".var-host");
      var input = host && host.querySelector("input");
      if (input) input.focus();
    }
  });

  document.addEventListener("input", function (event) {
    var target = event.target;
    var form = target.form;
    if (target.matches("input[data-vars]")) highlight(target);
    if (target.matches("[data-body-search]")) { searchBody(target); return; }
    var table = target.closest("table[data-kv-table]");
    if (table) {
      var row = target.closest("tr");
      if (row === table.tBodies[0].rows[table.tBodies[0].rows.length - 1] && !rowIsEmpty(row)) addRow(table);
      if (table.dataset.kvTable === "params") urlFromParams(form);
      updateCounts(form);
    }
    if (target.id === "url") paramsFromUrl(form);
    if (form && form.id === "request-form") setDirty(true);
  });

  document.addEventListener("change", function (event) {
    var target = event.target;
    var form = target.form;
    if (target.matches("[data-autosubmit]")) { form.submit(); return; }
    if (form) syncPanels(form);
    if (target.id === "method") {
      target.className = "method method-" + target.value.toLowerCase();
      if (target.value === "__custom__") form.elements.method_custom.focus();
    }
    if (target.matches('.file-upload input[type="file"]')) showChosenFile(target.closest(".file-upload"), target.files[0]);
    var table = target.closest("table[data-kv-table]");
    if (table && table.dataset.kvTable === "params" && target.type === "checkbox") urlFromParams(form);
    if (table) updateCounts(form);
    if (form && form.id === "request-form") setDirty(true);
  });

  // A multipart row's file: the chosen file's name and size stand in for the stored one's (the
  // native input is hidden, its "No file chosen" would contradict the stored file). Without a
  // choice (cancelled, or a tab's snapshot, which cannot hold files) the stored one shows again.
  function showChosenFile(upload, file) {
    var stored = upload.querySelector("[data-file-name]");
    var chosen = upload.querySelector("[data-file-chosen]");
    var pick = upload.querySelector("[data-file-pick-text]");
    var input = upload.querySelector('input[type="file"]');
    if (!pick.dataset.text) { pick.dataset.text = pick.textContent; input.dataset.label = input.getAttribute("aria-label"); }
    if (file) {
      var size = file.size < 1024 ? file.size + " B" : file.size < 1048576 ? (file.size / 1024).toFixed(1) + " KB" : (file.size / 1048576).toFixed(1) + " MB";
      chosen.innerHTML = escapeHtml(file.name) + ' <span class="muted">(' + size + ")</span>";
    }
    chosen.hidden = !file;
    stored.hidden = !!file;
    pick.textContent = file ? "Replace…" : pick.dataset.text;
    input.setAttribute("aria-label", file ? "Replace " + file.name : input.dataset.label);
  }
  webclient.forgetChosenFiles = function (root) {
    root.querySelectorAll(".file-upload").forEach(function (upload) { showChosenFile(upload, null); });
  };

  // ------------------------------------------------------------------ send / save / cancel
  function cancelSend() {
    var form = document.getElementById("request-form");
    var work = document.getElementById("work");
    if (!form || !work.classList.contains("htmx-request")) return;
    htmx.trigger(form, "htmx:abort");
    // htmx drops an aborted request silently: say so where the response would have been.
    work.classList.remove("htmx-request");
    document.getElementById("response").innerHTML =
      '<div class="empty response-empty"><p class="empty-title">Cancelled</p><p>The request was cancelled before its ' +
      "response arrived. If the server had already received it, it still appears in History.</p></div>";
  }

  document.addEventListener("keydown", function (event) {
    var mod = event.ctrlKey || event.metaKey;
    var form = document.getElementById("request-form");
    if (mod && event.key === "Enter" && form) {
      event.preventDefault();
      form.requestSubmit();
    } else if (mod && (event.key === "s" || event.key === "S") && form) {
      event.preventDefault();
      var save = document.getElementById("save-button") || document.getElementById("save-as-button");
      if (save) save.click();
    } else if (event.key === "Escape" && document.getElementById("work").classList.contains("htmx-request")) {
      event.preventDefault();
      cancelSend();
    }
  });

  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail.target;
    if (target.id === "dialog-body") {
      if (target.innerHTML.trim() && !dialog().open) dialog().showModal();
      var focus = target.querySelector("[autofocus]");
      if (focus) focus.focus();
      // A save that failed comes back scrolled where its button was: bring its error into view.
      var problem = target.querySelector(".alert-error, [role=alert]");
      if (problem) problem.scrollIntoView({ block: "nearest" });
    }
    if (target.id === "editor") setDirty(false);
  });

  document.addEventListener("dialog-close", function () { if (dialog() && dialog().open) dialog().close(); });
  document.addEventListener("request-saved", function () { setDirty(false); });

  // A short message at the bottom of the page, gone after five seconds.
  webclient.toast = function (message) {
    var box = document.getElementById("toast");
    if (!box) {
      box = document.createElement("div");
      box.id = "toast";
      box.setAttribute("role", "alert");
      document.body.append(box);
    }
    box.textContent = message;
    box.hidden = false;
    setTimeout(function () { box.hidden = true; }, 5000);
  };

  document.addEventListener("htmx:responseError", function (event) {
    // A 4xx/5xx from our own server (not the target's: those are rendered as responses).
    var xhr = event.detail.xhr;
    // 422: the server names what it could not use, as plain text meant to be read
    if (xhr.status === 422 && /^text\/plain/.test(xhr.getResponseHeader("Content-Type") || "")) { webclient.toast(xhr.responseText); return; }
    webclient.toast(xhr.status === 403 ? "Your role in this workspace does not allow that." :
      xhr.status === 404 ? "Not found: it may have been deleted. Reload the page." :
      "The server could not do that (" + xhr.status + "). Reload the page and try again.");
  });

  function init(root) {
    syncPanels(root.querySelectorAll ? root : document);
    (root.querySelectorAll ? root : document).querySelectorAll("table[data-kv-table]").forEach(ensureTrailingRow);
    // restore the last chosen tab of each tab list
    (root.querySelectorAll ? root : document).querySelectorAll('[role="tablist"][id]').forEach(function (list) {
      var saved = document.getElementById(sessionStorage.getItem("tab:" + list.id) || "");
      if (saved && list.contains(saved)) selectTab(saved);
    });
    var requestForm = document.getElementById("request-form");
    // tie the server-rendered Params rows to the URL's pairs as typed (their raw spelling)
    if (requestForm && (root === document || root.contains(requestForm))) paramsFromUrl(requestForm);
    highlightAll(root);
    updateCounts(requestForm);
    markCurrent();
  }

  document.addEventListener("htmx:load", function (event) { init(event.detail.elt); });
  document.addEventListener("variables-changed", function () { highlightAll(document); });
})();
