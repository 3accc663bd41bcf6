// Code editors over plain <textarea data-code-editor="json|xml|html|javascript|text|graphql">:
// CodeMirror 5 (static/vendor/codemirror, MIT) with line numbers and highlighting. The textarea
// stays the form field (kept in step on every change), so Send, Save and the dirty mark see
// what is typed. A raw body whose type is JSON is checked as you type and before sending: a
// warning says where it breaks, sending is still allowed. Beautify re-indents JSON.
// window.webclient.codeEditor(textarea, mode) is the one entry point (scripts can use it too).
(function () {
  "use strict";
  var webclient = (window.webclient = window.webclient || {});
  var MODES = {
    json: { name: "javascript", json: true }, javascript: "javascript", xml: "xml",
    html: { name: "xml", htmlMode: true }, text: null, graphql: null
  };

  function modeFor(kind) { return Object.prototype.hasOwnProperty.call(MODES, kind) ? MODES[kind] : null; }

  // {{variables}} are filled in at send time; a stand-in lets `{"id": {{id}}}` count as valid.
  function withStandIns(text) { return text.replace(/\{\{[^{}]*\}\}/g, "0"); }

  // null when the text is valid JSON (or empty), else "line L, column C: what went wrong".
  function jsonProblem(text) {
    if (!text.trim()) return null;
    var source = withStandIns(text);
    try { JSON.parse(source); return null; } catch (error) {
      var message = String(error.message || error);
      var at = /position (\d+)/.exec(message);
      var where = "";
      if (at) {
        var before = source.slice(0, Number(at[1])).split("\n");
        where = "line " + before.length + ", column " + (before[before.length - 1].length + 1) + ": ";
      } else {
        var lc = /line (\d+) column (\d+)/.exec(message);
        if (lc) where = "line " + lc[1] + ", column " + lc[2] + ": ";
      }
      return where + message.replace(/^JSON\.parse: /, "").replace(/ in JSON at position \d+.*$/, "").replace(/ \(line \d+ column \d+\)$/, "");
    }
  }
  webclient.jsonProblem = jsonProblem;

  function rawKind(textarea) {
    var form = textarea.form;
    var select = form && form.elements.raw_type;
    return textarea.dataset.codeEditor === "raw" ? (select ? select.value : "text") : textarea.dataset.codeEditor;
  }

  function warningBox(textarea) {
    var box = textarea.parentElement.querySelector(".json-warning");
    if (!box) {
      box = document.createElement("p");
      box.className = "alert alert-warn json-warning";
      box.setAttribute("role", "status");
      box.hidden = true;
      textarea.parentElement.insertBefore(box, textarea);  // above the editor, where it is seen
    }
    return box;
  }

  function check(textarea) {
    var box = warningBox(textarea);
    var problem = rawKind(textarea) === "json" ? jsonProblem(textarea.value) : null;
    box.hidden = !problem;
    box.textContent = problem ? "This body is not valid JSON (" + problem + "). It will be sent exactly as written." : "";
    return problem;
  }

  function beautify(textarea) {
    var cm = textarea.codeMirror;
    var text = cm ? cm.getValue() : textarea.value;
    var problem = jsonProblem(text);
    var box = warningBox(textarea);
    if (problem || /\{\{[^{}]*\}\}/.test(text.replace(/"(?:[^"\\]|\\.)*"/g, '""'))) {
      box.hidden = false;
      box.textContent = problem ? "Beautify needs valid JSON (" + problem + ")." :
        "Beautify leaves bodies with {{variables}} outside strings alone: they are not JSON until sent.";
      return;
    }
    if (!text.trim()) return;
    var pretty = JSON.stringify(JSON.parse(text), null, 2);
    if (cm) cm.setValue(pretty); else textarea.value = pretty;
    textarea.dispatchEvent(new Event("input", { bubbles: true }));
  }

  webclient.codeEditor = function (textarea, kind) {
    if (textarea.codeMirror || typeof window.CodeMirror === "undefined") return textarea.codeMirror || null;
    var cm = window.CodeMirror.fromTextArea(textarea, {
      mode: modeFor(kind), lineNumbers: true, matchBrackets: true, autoCloseBrackets: true,
      indentUnit: 2, tabSize: 2, lineWrapping: true, viewportMargin: 50,
      screenReaderLabel: textarea.getAttribute("aria-label") || "Code",
      extraKeys: {
        "Shift-Alt-F": function () { beautify(textarea); },
        // Tab indents inside the editor; Esc then Tab leaves it (no keyboard trap).
        "Esc": function (editor) { editor.getInputField().blur(); }
      }
    });
    textarea.codeMirror = cm;
    cm.getWrapperElement().classList.add("code-editor");
    cm.on("change", function () {
      cm.save();
      textarea.dispatchEvent(new Event("input", { bubbles: true }));
    });
    return cm;
  };

  function init(root) {
    var scope = root && root.querySelectorAll ? root : document;
    scope.querySelectorAll("textarea[data-code-editor]").forEach(function (textarea) {
      var visible = textarea.offsetParent !== null;
      var cm = webclient.codeEditor(textarea, rawKind(textarea));
      if (cm && visible) cm.refresh();
      check(textarea);
    });
  }

  document.addEventListener("input", function (event) {
    if (event.target.matches && event.target.matches("textarea[data-code-editor]")) check(event.target);
  });

  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target.name === "raw_type" && target.form) {
      target.form.querySelectorAll('textarea[data-code-editor="raw"]').forEach(function (textarea) {
        if (textarea.codeMirror) textarea.codeMirror.setOption("mode", modeFor(target.value));
        check(textarea);
      });
    }
    if (target.name === "body_mode" && target.form) refreshVisible(target.form);
  });

  // CodeMirror measures itself when shown: a hidden tab or body type must refresh on display.
  function refreshVisible(root) {
    setTimeout(function () {
      root.querySelectorAll("textarea[data-code-editor]").forEach(function (textarea) {
        if (textarea.codeMirror && textarea.codeMirror.getWrapperElement().offsetParent !== null) textarea.codeMirror.refresh();
      });
    }, 0);
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-beautify]");
    if (button) {
      var textarea = document.querySelector(button.dataset.beautify);
      if (textarea) beautify(textarea);
      return;
    }
    if (event.target.closest && event.target.closest('[role="tab"]')) refreshVisible(document);
  });

  // Before sending: the warning is brought into view, the request still goes.
  document.addEventListener("htmx:beforeRequest", function (event) {
    var form = event.detail.elt;
    if (!form || form.id !== "request-form" || !form.elements.body_mode || form.elements.body_mode.value !== "raw") return;
    form.querySelectorAll('textarea[data-code-editor="raw"]').forEach(check);
  });

  document.addEventListener("htmx:load", function (event) { init(event.detail.elt); });
})();
